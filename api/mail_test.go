package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/mail"
	"github.com/hindsight-retro/hindsight/app/mail/mailtest"
)

// mailHarness is the API with mail on, sending to a loopback SMTP server.
func mailHarness(t *testing.T) (*harness, *mailtest.Server) {
	t.Helper()
	srv := mailtest.Start(t)
	tr, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone, From: "hindsight@retro.example"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarnessOf(t, func(d *app.Deps) {
		d.Mail = app.MailConfig{Transport: tr, From: "hindsight@retro.example", BaseURL: "https://retro.example"}
	})
	if err := h.app.StartMail(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.app.CloseMail() })
	return h, srv
}

func TestTheUnsubscribeLinkOfAMailShowsAPageAndItsOneClickPostStopsThatKind(t *testing.T) {
	h, srv := mailHarness(t)
	mod, bea := h.user("Mod"), h.user("Bea")
	_, teamID := h.team(mod)
	h.must(http.StatusOK, req{method: "POST", path: "/v1/teams/" + teamID + "/members", token: mod.token,
		body: api.AddMemberRequest{Email: bea.email}})
	ms := srv.Wait(t, "bea's invitation", func(ms []mailtest.Message) bool { return len(mailtest.To(ms, bea.email)) == 1 })
	x := mailtest.To(ms, bea.email)[0]
	link := strings.Trim(x.Header.Get("List-Unsubscribe"), "<>")
	if x.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(link, "https://retro.example/v1/mail/unsubscribe/") {
		t.Fatalf("headers: %v", x.Header)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	path := u.EscapedPath()

	page := h.must(http.StatusOK, req{method: "GET", path: path})
	if !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") || !strings.Contains(string(page.raw), "No more invitations by e-mail") ||
		!strings.Contains(string(page.raw), `<form method="post">`) {
		t.Errorf("the confirm page: %s %s", page.header.Get("Content-Type"), page.raw)
	}
	prefs := h.must(http.StatusOK, req{method: "GET", path: "/v1/me/mail-preferences", token: bea.token})
	if kinds := prefs.body["kinds"].(map[string]any); kinds["invitation"] != true {
		t.Errorf("opening the page unsubscribed: %v", kinds)
	}

	h.must(http.StatusOK, req{method: "POST", path: path, body: "List-Unsubscribe=One-Click",
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	prefs = h.must(http.StatusOK, req{method: "GET", path: "/v1/me/mail-preferences", token: bea.token})
	kinds := prefs.body["kinds"].(map[string]any)
	if kinds["invitation"] != false || kinds["summary"] != true || kinds["digest"] != false {
		t.Errorf("after the one-click POST: %v", kinds)
	}
	again := h.must(http.StatusOK, req{method: "GET", path: path})
	if !strings.Contains(string(again.raw), "Already unsubscribed") {
		t.Errorf("the page after: %s", again.raw)
	}

	forged := h.do(req{method: "POST", path: path[:len(path)-3] + "abc", body: "List-Unsubscribe=One-Click",
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	if forged.status != http.StatusNotFound || forged.problemType() == "" {
		t.Errorf("a forged token: %d %s", forged.status, forged.raw)
	}
	if garbled := h.do(req{method: "GET", path: "/v1/mail/unsubscribe/not-a-token"}); garbled.status != http.StatusNotFound {
		t.Errorf("a garbled token: %d %s", garbled.status, garbled.raw)
	}
}

func TestAPersonSetsTheirMailPreferencesAndAnUnknownKindIsRefused(t *testing.T) {
	h := newHarness(t)
	bea := h.user("Bea")
	set := h.must(http.StatusOK, req{method: "PUT", path: "/v1/me/mail-preferences", token: bea.token,
		body: map[string]any{"kinds": map[string]bool{"digest": true, "survey": false}}})
	kinds := set.body["kinds"].(map[string]any)
	if kinds["digest"] != true || kinds["survey"] != false || kinds["action-reminder"] != true {
		t.Errorf("after the PUT: %v", kinds)
	}
	bad := h.do(req{method: "PUT", path: "/v1/me/mail-preferences", token: bea.token,
		body: map[string]any{"kinds": map[string]bool{"password-reset": false}}})
	if bad.status != http.StatusBadRequest && bad.status != http.StatusUnprocessableEntity {
		t.Errorf("an unknown kind: %d %s", bad.status, bad.raw)
	}
	if anon := h.do(req{method: "GET", path: "/v1/me/mail-preferences"}); anon.status != http.StatusUnauthorized {
		t.Errorf("without a token: %d", anon.status)
	}
}
