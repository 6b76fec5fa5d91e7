package jira_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app/jira"
)

// FuzzParseWebhook: whatever Jira (or anyone who learned the URL) sends,
// reading it answers an event or ErrPayload, never a panic.
func FuzzParseWebhook(f *testing.F) {
	f.Add([]byte(`{"webhookEvent":"jira:issue_updated","issue":{"key":"OPS-1","fields":{"status":{"statusCategory":{"key":"done"}}}}}`))
	f.Add([]byte(`{"webhookEvent":"jira:issue_created","issue":{"key":"OPS-2"}}`))
	f.Add([]byte(`{"webhookEvent":"comment_created"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"timestamp":1764849600000,"webhookEvent":"jira:issue_updated","issue":{"key":"OPS-1","fields":{"status":{"statusCategory":{"key":"indeterminate"}}}},"changelog":{"items":[{"field":"status"}]}}`))
	f.Add([]byte(`{"timestamp":-1,"webhookEvent":"jira:issue_updated","issue":{"key":"OPS-1"}}`))
	f.Add([]byte(`{"timestamp":1.5e300,"webhookEvent":"jira:issue_updated","issue":{"key":"OPS-1"},"changelog":{"items":null}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := jira.ParseWebhook(body)
		if err != nil {
			if !errors.Is(err, jira.ErrPayload) {
				t.Fatalf("an error that is not ErrPayload: %v", err)
			}
			return
		}
		if e.Key == "" {
			t.Fatalf("an event without an issue key from %q", body)
		}
		// Its time is one the log can hold and order.
		if !e.At.IsZero() && (e.At.Year() < 1970 || e.At.Year() > 9999 || e.At.Location() != time.UTC) {
			t.Fatalf("an event at %s from %q", e.At, body)
		}
	})
}

func TestOnlyTheSecretsSignatureVerifies(t *testing.T) {
	body := []byte(`{"webhookEvent":"jira:issue_updated"}`)
	sig := jira.Sign([]byte("s3cret"), body)
	if err := jira.Verify([]byte("s3cret"), body, sig); err != nil {
		t.Fatalf("the right signature: %v", err)
	}
	for name, h := range map[string]string{"missing": "", "other secret": jira.Sign([]byte("other"), body), "other body": jira.Sign([]byte("s3cret"), []byte("{}"))} {
		if jira.Verify([]byte("s3cret"), body, h) == nil {
			t.Errorf("%s signature verified", name)
		}
	}
}

// FuzzJiraAnswers: whatever a Jira site answers to a creation or a search
// gives an issue with a key or an error, never a panic.
func FuzzJiraAnswers(f *testing.F) {
	f.Add(201, []byte(`{"id":"10000","key":"OPS-1","self":"https://acme.atlassian.net/rest/api/3/issue/10000"}`))
	f.Add(200, []byte(`{"issues":[{"id":"1","key":"OPS-1"}],"isLast":true}`))
	f.Add(400, []byte(`{"errorMessages":[],"errors":{"summary":"required"}}`))
	f.Add(200, []byte(`{"issues":null}`))
	f.Add(201, []byte(`[`))
	var status int
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c := &jira.Client{Site: srv.URL, Email: "a@b.c", Token: "t", HTTP: srv.Client()}
	f.Fuzz(func(t *testing.T, st int, b []byte) {
		status, body = 200+((st%400)+400)%400, b
		if is, err := c.Create(t.Context(), jira.IssueInput{ProjectKey: "OPS", IssueType: "Task", Summary: "s"}); err == nil && is.Key == "" {
			t.Fatalf("a created issue without a key from %d %q", status, b)
		}
		if is, found, err := c.FindByLabel(t.Context(), "hindsight-x"); err == nil && found && is.Key == "" {
			t.Fatalf("a found issue without a key from %q", b)
		}
	})
}
