package github_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app/github"
)

// FuzzParseWebhook: whatever GitHub (or anyone who learned the URL) sends,
// reading it answers an event naming one issue, or ErrPayload; never a
// panic.
func FuzzParseWebhook(f *testing.F) {
	f.Add([]byte(`{"action":"closed","issue":{"number":7,"state":"closed","state_reason":"completed"},"repository":{"full_name":"acme/ops"}}`))
	f.Add([]byte(`{"action":"reopened","issue":{"number":7},"repository":{"full_name":"acme/ops"}}`))
	f.Add([]byte(`{"zen":"Design for failure.","hook_id":1}`))
	f.Add([]byte(`{"action":"closed","issue":{"number":7},"repository":{"full_name":"acme/ops/x"}}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"action":"reopened","issue":{"number":7,"updated_at":"2026-12-04T10:01:00Z","closed_at":null},"repository":{"full_name":"acme/ops"}}`))
	f.Add([]byte(`{"action":"closed","issue":{"number":7,"closed_at":"2026-12-04T10:00:00+01:00"},"repository":{"full_name":"acme/ops"}}`))
	f.Add([]byte(`{"action":"closed","issue":{"number":7,"updated_at":"yesterday"},"repository":{"full_name":"acme/ops"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := github.ParseWebhook(body)
		if err != nil {
			if !errors.Is(err, github.ErrPayload) {
				t.Fatalf("an error that is not ErrPayload: %v", err)
			}
			return
		}
		owner, rest, _ := strings.Cut(e.Key, "/")
		repo, num, _ := strings.Cut(rest, "#")
		if e.Action == "" || owner == "" || repo == "" || num == "" || strings.Contains(repo, "/") {
			t.Fatalf("an event %+v from %q", e, body)
		}
		// Its time is one the log can hold and order.
		if !e.At.IsZero() && (e.At.Year() < 1 || e.At.Year() > 9999 || e.At.Location() != time.UTC) {
			t.Fatalf("an event at %s from %q", e.At, body)
		}
	})
}

func TestAClosedDeliveryNamesTheIssueAsOwnerRepoNumber(t *testing.T) {
	e, err := github.ParseWebhook([]byte(`{"action":"closed","issue":{"number":12,"html_url":"https://github.com/acme/ops/issues/12"},"repository":{"full_name":"acme/ops","name":"ops"},"sender":{"login":"octocat"}}`))
	if err != nil || e.Action != "closed" || e.Key != "acme/ops#12" {
		t.Fatalf("%+v %v", e, err)
	}
	for name, body := range map[string]string{"ping": `{"zen":"Keep it logically awesome.","hook_id":1}`, "no number": `{"action":"closed","issue":{},"repository":{"full_name":"acme/ops"}}`,
		"no repository": `{"action":"closed","issue":{"number":1}}`, "not JSON": `closed`} {
		if _, err := github.ParseWebhook([]byte(body)); !errors.Is(err, github.ErrPayload) {
			t.Errorf("%s: %v, want ErrPayload", name, err)
		}
	}
}

func TestOnlyTheSecretsSignatureVerifiesADelivery(t *testing.T) {
	body := []byte(`{"action":"closed"}`)
	sig := github.Sign([]byte("s3cret"), body)
	if !strings.HasPrefix(sig, "sha256=") || len(sig) != len("sha256=")+64 {
		t.Fatalf("signature %q is not GitHub's form", sig)
	}
	if err := github.Verify([]byte("s3cret"), body, sig); err != nil {
		t.Fatalf("the right signature: %v", err)
	}
	for name, h := range map[string]string{"missing": "", "other secret": github.Sign([]byte("other"), body),
		"other body": github.Sign([]byte("s3cret"), []byte("{}")), "sha1": "sha1=" + sig[7:47]} {
		if github.Verify([]byte("s3cret"), body, h) == nil {
			t.Errorf("%s signature verified", name)
		}
	}
}

func TestARateLimitIsRetriedAndAMissingRepositoryIsNot(t *testing.T) {
	for _, tc := range []struct {
		status    int
		remaining string
		permanent bool
	}{{http.StatusNotFound, "", true}, {http.StatusUnprocessableEntity, "", true}, {http.StatusForbidden, "0", false},
		{http.StatusTooManyRequests, "", false}, {http.StatusBadGateway, "", false}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.remaining != "" {
				w.Header().Set("X-RateLimit-Remaining", tc.remaining)
			}
			w.WriteHeader(tc.status)
			_, _ = w.Write([]byte(`{"message":"no"}`))
		}))
		c := &github.Client{API: srv.URL, Token: "t", HTTP: srv.Client()}
		_, err := c.Create(t.Context(), github.IssueInput{Owner: "acme", Repo: "ops", Title: "x"})
		srv.Close()
		var se *github.StatusError
		if !errors.As(err, &se) || se.Permanent() != tc.permanent {
			t.Errorf("%d: %v, want permanent %v", tc.status, err, tc.permanent)
		}
	}
}

// FuzzGitHubAnswers: whatever the API answers to a creation or a listing
// gives an issue with a number or an error, never a panic.
func FuzzGitHubAnswers(f *testing.F) {
	f.Add(201, []byte(`{"id":1,"number":7,"html_url":"https://github.com/acme/ops/issues/7","body":"x"}`))
	f.Add(200, []byte(`[{"id":1,"number":7,"body":"<!-- hindsight-request: x -->"}]`))
	f.Add(422, []byte(`{"message":"Validation Failed","errors":[{"resource":"Issue","code":"missing_field","field":"title"}]}`))
	f.Add(200, []byte(`null`))
	f.Add(201, []byte(`[`))
	var status int
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c := &github.Client{API: srv.URL, Token: "t", HTTP: srv.Client()}
	f.Fuzz(func(t *testing.T, st int, b []byte) {
		status, body = 200+((st%400)+400)%400, b
		if is, err := c.Create(t.Context(), github.IssueInput{Owner: "acme", Repo: "ops", Title: "t"}); err == nil && is.Number <= 0 {
			t.Fatalf("a created issue without a number from %d %q", status, b)
		}
		if is, found, err := c.FindByMarker(t.Context(), "acme", "ops", "hindsight-request: x", time.Unix(0, 0)); err == nil && found && is.Number <= 0 {
			t.Fatalf("a found issue without a number from %q", b)
		}
	})
}
