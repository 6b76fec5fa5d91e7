package api_test

import (
	"context"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/mail"
	"github.com/hindsight-retro/hindsight/app/mail/mailtest"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections/runner"
)

// accountMailHarness is the API of a server with mail: guests prove their address,
// and mails go to a real SMTP server on loopback.
type accountMailHarness struct {
	*harness
	smtp  *mailtest.Server
	clock *testClock
}

func newAccountMailHarness(t *testing.T) *accountMailHarness {
	t.Helper()
	srv := mailtest.Start(t)
	clk := &testClock{t: time.Now().UTC()}
	tr, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone, From: "retro@retro.example"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarnessWith(t,
		func(d *identity.Deps) { d.GuestJoin = identity.GuestJoinProof; d.Clock = clk.now },
		func(d *app.Deps) {
			d.Mail = app.MailConfig{Transport: tr, From: "retro@retro.example", BaseURL: "https://retro.example"}
		})
	if err := h.app.StartMail(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.app.CloseMail() })
	return &accountMailHarness{harness: h, smtp: srv, clock: clk}
}

var linkToken = regexp.MustCompile(`https://retro\.example(/[a-z-]+)#token=([A-Za-z0-9_-]{43})`)

// mailTo waits for the n-th mail (1-based) to addr and returns it with the
// page and token of its link.
func (h *accountMailHarness) mailTo(addr string, n int) (m mailtest.Message, page, token string) {
	h.t.Helper()
	ms := h.smtp.Wait(h.t, "mail to "+addr, func(ms []mailtest.Message) bool { return len(mailtest.To(ms, addr)) >= n })
	m = mailtest.To(ms, addr)[n-1]
	found := linkToken.FindStringSubmatch(m.Text)
	if found == nil {
		h.t.Fatalf("no link in the mail to %s:\n%s", addr, m.Text)
	}
	if !strings.Contains(m.HTML, found[0]) {
		h.t.Errorf("the HTML part lacks the link %s:\n%s", found[0], m.HTML)
	}
	return m, found[1], found[2]
}

// signUp registers an account and logs it in; its address is unverified.
func (h *accountMailHarness) signUp(email string) user {
	h.t.Helper()
	h.must(http.StatusAccepted, req{method: "POST", path: "/v1/accounts",
		body: api.RegisterRequest{Email: email, Password: "correct horse battery", Name: "Vera"}})
	login := h.must(http.StatusCreated, req{method: "POST", path: "/v1/sessions",
		body: api.LoginRequest{Email: email, Password: "correct horse battery"}})
	return user{id: login.str("userId"), token: login.str("token"), email: email}
}

// log is the whole log.
func (h *accountMailHarness) log() []eventstore.RecordedEvent {
	h.t.Helper()
	var out []eventstore.RecordedEvent
	if err := h.store.ReadAll(context.Background(), 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		out = append(out, e)
		return nil
	}); err != nil {
		h.t.Fatal(err)
	}
	return out
}

// requestEvents counts the events requests wrote: all but the mail
// reactor's links and checkpoints.
func (h *accountMailHarness) requestEvents() int {
	n := 0
	for _, e := range h.log() {
		if e.Stream.Category != "maillink" && e.Stream.Category != runner.CheckpointCategory {
			n++
		}
	}
	return n
}

// subject is a mail's subject, decoded.
func subject(t *testing.T, m mailtest.Message) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func wantProblem(t *testing.T, what string, res response, status int, code string) {
	t.Helper()
	if res.status != status || res.str("code") != code || !strings.HasPrefix(res.header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("%s = %d %s (%s), want %d problem %s", what, res.status, res.raw, res.header.Get("Content-Type"), status, code)
	}
}

func TestSigningUpMailsAVerificationLinkThatVerifiesTheAddressOnce(t *testing.T) {
	h := newAccountMailHarness(t)
	vera := h.signUp("vera@example.org")
	if me := h.must(http.StatusOK, req{method: "GET", path: "/v1/me", token: vera.token}); me.body["emailVerified"] != false {
		t.Errorf("a new account's address is verified already: %s", me.raw)
	}
	m, page, token := h.mailTo("vera@example.org", 1)
	if page != "/verify-email" || !strings.HasPrefix(subject(t, m), "Confirm your e-mail address") ||
		!strings.Contains(m.Text, "Hello Vera") || !strings.Contains(m.Text, "works once") {
		t.Errorf("the verification mail: page %s, subject %q:\n%s", page, subject(t, m), m.Text)
	}
	for _, e := range h.log() {
		if strings.Contains(string(e.Payload), token) || strings.Contains(e.Stream.ID, token) {
			t.Fatalf("the link's token is in the log, in %s", e.Stream)
		}
	}
	h.must(http.StatusOK, req{method: "POST", path: "/v1/email-verifications", body: api.LinkRequest{Token: token}})
	if me := h.must(http.StatusOK, req{method: "GET", path: "/v1/me", token: vera.token}); me.body["emailVerified"] != true {
		t.Errorf("after following the link the address is not verified: %s", me.raw)
	}
	again := h.do(req{method: "POST", path: "/v1/email-verifications", body: api.LinkRequest{Token: token}})
	wantProblem(t, "following the verification link twice", again, http.StatusConflict, "link-used")
	// Verified: asking for another mail sends none.
	h.must(http.StatusAccepted, req{method: "POST", path: "/v1/me/email-verifications", token: vera.token})
	unknown := h.do(req{method: "POST", path: "/v1/email-verifications", body: api.LinkRequest{Token: strings.Repeat("A", 43)}})
	wantProblem(t, "an unknown token", unknown, http.StatusNotFound, "link-invalid")
}

func TestTheVerificationMailIsInTheAccountsLanguageAndExpiresAfterADay(t *testing.T) {
	h := newAccountMailHarness(t)
	vera := h.signUp("vera@example.org")
	h.mailTo("vera@example.org", 1)
	h.must(http.StatusNoContent, req{method: "PUT", path: "/v1/me/language", token: vera.token, body: api.LanguageRequest{Language: "de"}})
	h.must(http.StatusAccepted, req{method: "POST", path: "/v1/me/email-verifications", token: vera.token})
	m, _, token := h.mailTo("vera@example.org", 2)
	if !strings.HasPrefix(subject(t, m), "Bestätige deine E-Mail-Adresse") || !strings.Contains(m.Text, "Hallo Vera") ||
		!strings.Contains(m.HTML, "Meine Adresse bestätigen") || !strings.Contains(m.HTML, `lang="de"`) {
		t.Errorf("the German verification mail: %q\n%s\n%s", subject(t, m), m.Text, m.HTML)
	}
	h.clock.advance(identity.VerifyLinkTTL + time.Second)
	late := h.do(req{method: "POST", path: "/v1/email-verifications", body: api.LinkRequest{Token: token}})
	wantProblem(t, "a verification link a day late", late, http.StatusConflict, "link-expired")
	if p, err := h.ident.Profile(t.Context(), vera.id); err != nil || p.EmailVerified {
		t.Errorf("an expired link verified the address: %+v, %v", p, err)
	}
}

func TestAPasswordResetIsAnsweredAlikeForAnAddressWithoutAnAccount(t *testing.T) {
	h := newAccountMailHarness(t)
	h.signUp("vera@example.org")
	h.mailTo("vera@example.org", 1) // the verification mail
	before := h.requestEvents()
	known := h.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Email: "vera@example.org"}})
	mid := h.requestEvents()
	unknown := h.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Email: "nobody@example.org"}})
	after := h.requestEvents()
	if known.status != http.StatusAccepted || known.status != unknown.status || string(known.raw) != string(unknown.raw) ||
		known.header.Get("Content-Type") != unknown.header.Get("Content-Type") {
		t.Errorf("reset for an account = %d %s, for no account = %d %s: want the same answer", known.status, known.raw, unknown.status, unknown.raw)
	}
	// The same work on the request path: one event each, the lookup is the
	// mail reactor's.
	if mid-before != 1 || after-mid != 1 {
		t.Errorf("a reset request appended %d events for an account, %d for none; want 1 and 1", mid-before, after-mid)
	}
	m, page, _ := h.mailTo("vera@example.org", 2)
	if page != "/reset-password" || !strings.HasPrefix(subject(t, m), "Reset your Hindsight password") {
		t.Errorf("the reset mail: page %s, subject %q", page, subject(t, m))
	}
	if n := len(mailtest.To(h.smtp.Messages(), "nobody@example.org")); n != 0 {
		t.Errorf("an address without an account got %d mails", n)
	}
}

func TestAResetLinkSetsANewPasswordOnceEndsSessionsAndVoidsOtherResetLinks(t *testing.T) {
	h := newAccountMailHarness(t)
	vera := h.signUp("vera@example.org")
	h.mailTo("vera@example.org", 1)
	h.must(http.StatusNoContent, req{method: "PUT", path: "/v1/me/language", token: vera.token, body: api.LanguageRequest{Language: "de"}})
	h.must(http.StatusAccepted, req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Email: "vera@example.org"}})
	first, _, older := h.mailTo("vera@example.org", 2)
	if !strings.HasPrefix(subject(t, first), "Setze dein Hindsight-Passwort zurück") || !strings.Contains(first.HTML, "Neues Passwort wählen") {
		t.Errorf("the German reset mail: %q\n%s", subject(t, first), first.HTML)
	}
	h.must(http.StatusAccepted, req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Email: "vera@example.org"}})
	_, _, newer := h.mailTo("vera@example.org", 3)

	short := h.do(req{method: "POST", path: "/v1/password-resets/complete", body: api.PasswordResetCompletion{Token: newer, Password: "short"}})
	wantProblem(t, "a short new password", short, http.StatusBadRequest, "password-too-short")
	h.must(http.StatusOK, req{method: "POST", path: "/v1/password-resets/complete", body: api.PasswordResetCompletion{Token: newer, Password: "a brand new passphrase"}})

	if res := h.do(req{method: "GET", path: "/v1/me", token: vera.token}); res.status != http.StatusUnauthorized {
		t.Errorf("the session from before the reset still works: %d", res.status)
	}
	if res := h.do(req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: vera.email, Password: "correct horse battery"}}); res.status != http.StatusUnauthorized {
		t.Errorf("the old password still opens the account: %d", res.status)
	}
	login := h.must(http.StatusCreated, req{method: "POST", path: "/v1/sessions", body: api.LoginRequest{Email: vera.email, Password: "a brand new passphrase"}})
	if me := h.must(http.StatusOK, req{method: "GET", path: "/v1/me", token: login.str("token")}); me.body["emailVerified"] != true {
		t.Errorf("a reset through the mailbox did not verify the address: %s", me.raw)
	}
	twice := h.do(req{method: "POST", path: "/v1/password-resets/complete", body: api.PasswordResetCompletion{Token: newer, Password: "yet another passphrase"}})
	wantProblem(t, "the reset link a second time", twice, http.StatusConflict, "link-used")
	other := h.do(req{method: "POST", path: "/v1/password-resets/complete", body: api.PasswordResetCompletion{Token: older, Password: "yet another passphrase"}})
	wantProblem(t, "the older reset link after a reset", other, http.StatusConflict, "link-void")

	h.must(http.StatusAccepted, req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Email: "vera@example.org"}})
	_, _, late := h.mailTo("vera@example.org", 4)
	h.clock.advance(identity.ResetLinkTTL + time.Second)
	expired := h.do(req{method: "POST", path: "/v1/password-resets/complete", body: api.PasswordResetCompletion{Token: late, Password: "yet another passphrase"}})
	wantProblem(t, "a reset link after 45 minutes", expired, http.StatusConflict, "link-expired")
}

func TestAGuestWhoCannotReadTheMailboxDoesNotBecomeThatGuest(t *testing.T) {
	h := newAccountMailHarness(t)
	mod := h.user("Mod")
	_, teamID := h.team(mod)
	retro := h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + teamID + "/retros", token: mod.token,
		body: api.CreateRetroRequest{Title: "Sprint 1"}})
	rid := retro.str("id")
	inv := h.must(http.StatusCreated, req{method: "POST", path: "/v1/retros/" + rid + "/invites", token: mod.token, body: api.InviteRequest{}})
	code := inv.str("code")

	direct := h.do(req{method: "POST", path: "/v1/invites/" + code + "/join", body: api.JoinInviteRequest{Email: "gus@example.org", Name: "Gus"}})
	wantProblem(t, "joining with only an address on a server with mail", direct, http.StatusConflict, "guest-proof-required")

	// Someone who knows Gus's address asks to join as him: a link goes to
	// Gus's mailbox, and the asker gets nothing that signs in.
	asked := h.do(req{method: "POST", path: "/v1/invites/" + code + "/join-by-mail", body: api.JoinInviteRequest{Email: "gus@example.org", Name: "Gus"}})
	if asked.status != http.StatusAccepted || asked.str("status") != "mailed" || strings.Contains(string(asked.raw), "token") ||
		len(asked.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("join-by-mail = %d %s, cookies %v; want 202 mailed and no session", asked.status, asked.raw, asked.header.Values("Set-Cookie"))
	}
	m, page, token := h.mailTo("gus@example.org", 1)
	if page != "/guest-link" || !strings.HasPrefix(subject(t, m), "Join the retro") {
		t.Errorf("the guest's mail: page %s, subject %q", page, subject(t, m))
	}
	// Without the mail there is no way in: guessing tokens fails.
	wantProblem(t, "a guessed guest link", h.do(req{method: "POST", path: "/v1/guest-links", body: api.LinkRequest{Token: strings.Repeat("B", 43)}}),
		http.StatusNotFound, "link-invalid")

	gus := h.must(http.StatusCreated, req{method: "POST", path: "/v1/guest-links", body: api.LinkRequest{Token: token}})
	if gus.str("kind") != "guest" || gus.str("retroId") != rid || gus.str("token") == "" {
		t.Fatalf("the followed guest link = %s", gus.raw)
	}
	me := h.must(http.StatusOK, req{method: "GET", path: "/v1/me", token: gus.str("token")})
	if me.str("email") != "gus@example.org" || me.body["emailVerified"] != true {
		t.Errorf("the guest's profile = %s", me.raw)
	}
	wantProblem(t, "the guest link a second time", h.do(req{method: "POST", path: "/v1/guest-links", body: api.LinkRequest{Token: token}}),
		http.StatusConflict, "link-used")

	// Gus reads German; his next join link is German, and is the same guest.
	h.must(http.StatusNoContent, req{method: "PUT", path: "/v1/me/language", token: gus.str("token"), body: api.LanguageRequest{Language: "de"}})
	h.must(http.StatusAccepted, req{method: "POST", path: "/v1/invites/" + code + "/join-by-mail", body: api.JoinInviteRequest{Email: "gus@example.org", Name: "Gus"}})
	de, _, token2 := h.mailTo("gus@example.org", 2)
	if !strings.HasPrefix(subject(t, de), "Nimm an der Retro") || !strings.Contains(de.Text, "Hallo Gus") {
		t.Errorf("the German guest mail: %q\n%s", subject(t, de), de.Text)
	}
	h.clock.advance(identity.GuestLinkTTL + time.Second)
	wantProblem(t, "a guest link after 30 minutes", h.do(req{method: "POST", path: "/v1/guest-links", body: api.LinkRequest{Token: token2}}),
		http.StatusConflict, "link-expired")
}

func TestWithoutMailEachGuestJoinIsANewGuest(t *testing.T) {
	h := newHarness(t)
	mod := h.user("Mod")
	_, teamID := h.team(mod)
	retro := h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + teamID + "/retros", token: mod.token,
		body: api.CreateRetroRequest{Title: "Sprint 1"}})
	inv := h.must(http.StatusCreated, req{method: "POST", path: "/v1/retros/" + retro.str("id") + "/invites", token: mod.token, body: api.InviteRequest{}})
	join := func() string {
		return h.must(http.StatusCreated, req{method: "POST", path: "/v1/invites/" + inv.str("code") + "/join",
			body: api.JoinInviteRequest{Email: "gus@example.org", Name: "Gus"}}).str("userId")
	}
	if first, second := join(), join(); first == second {
		t.Errorf("two joins with one address are the same guest %s: whoever knows the address acts as them", first)
	}
	res := h.do(req{method: "POST", path: "/v1/invites/" + inv.str("code") + "/join-by-mail", body: api.JoinInviteRequest{Email: "gus@example.org", Name: "Gus"}})
	if res.status < 400 {
		t.Errorf("join-by-mail without mail = %d %s, want a refusal", res.status, res.raw)
	}
}

func TestALinkWorksOnlyForItsOwnPurposeAndPersonAndOnlyAsMailed(t *testing.T) {
	h := newAccountMailHarness(t)
	h.signUp("vera@example.org")
	_, _, verify := h.mailTo("vera@example.org", 1)
	mod := h.user("Mod")
	_, teamID := h.team(mod)
	retro := h.must(http.StatusCreated, req{method: "POST", path: "/v1/teams/" + teamID + "/retros", token: mod.token,
		body: api.CreateRetroRequest{Title: "Sprint 1"}})
	code := h.must(http.StatusCreated, req{method: "POST", path: "/v1/retros/" + retro.str("id") + "/invites", token: mod.token,
		body: api.InviteRequest{}}).str("code")
	askJoin := func(email, name string) string {
		h.must(http.StatusAccepted, req{method: "POST", path: "/v1/invites/" + code + "/join-by-mail", body: api.JoinInviteRequest{Email: email, Name: name}})
		_, _, token := h.mailTo(email, 1)
		return token
	}
	gusLink, malloryLink := askJoin("gus@example.org", "Gus"), askJoin("mallory@example.org", "Gus")

	// A link followed where it does not belong is unknown there, and stays
	// good for its own purpose.
	for _, c := range []struct {
		what, path string
		body       any
	}{
		{"a verification link as a guest link", "/v1/guest-links", api.LinkRequest{Token: verify}},
		{"a verification link as a reset link", "/v1/password-resets/complete", api.PasswordResetCompletion{Token: verify, Password: "a brand new passphrase"}},
		{"a guest link as a verification link", "/v1/email-verifications", api.LinkRequest{Token: gusLink}},
		{"a guest link as a reset link", "/v1/password-resets/complete", api.PasswordResetCompletion{Token: gusLink, Password: "a brand new passphrase"}},
	} {
		wantProblem(t, c.what, h.do(req{method: "POST", path: c.path, body: c.body}), http.StatusNotFound, "link-invalid")
	}
	// Forged and garbled tokens: a mailed token with one character changed,
	// the wrong length, not base64url, none.
	flipped := "B" + gusLink[1:]
	if gusLink[0] == 'B' {
		flipped = "C" + gusLink[1:]
	}
	for what, token := range map[string]string{"a changed token": flipped, "a token cut short": gusLink[:42],
		"a token too long": gusLink + "A", "not base64url": strings.Repeat("!", 43), "no token": ""} {
		wantProblem(t, what, h.do(req{method: "POST", path: "/v1/guest-links", body: api.LinkRequest{Token: token}}), http.StatusNotFound, "link-invalid")
	}
	bad := h.do(req{method: "POST", path: "/v1/guest-links", body: `{"token":`})
	if bad.status != http.StatusBadRequest || !strings.HasPrefix(bad.header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("a broken JSON body = %d %s (%s), want a 400 problem", bad.status, bad.raw, bad.header.Get("Content-Type"))
	}

	// Mallory typed Gus's name but her own address: her link makes her her
	// own address's guest, never Gus.
	mallory := h.must(http.StatusCreated, req{method: "POST", path: "/v1/guest-links", body: api.LinkRequest{Token: malloryLink}})
	gus := h.must(http.StatusCreated, req{method: "POST", path: "/v1/guest-links", body: api.LinkRequest{Token: gusLink}})
	if mallory.str("userId") == gus.str("userId") {
		t.Fatalf("the links of two addresses gave one guest %s", gus.str("userId"))
	}
	for who, want := range map[string]string{mallory.str("token"): "mallory@example.org", gus.str("token"): "gus@example.org"} {
		if me := h.must(http.StatusOK, req{method: "GET", path: "/v1/me", token: who}); me.str("email") != want {
			t.Errorf("a guest who followed the link mailed to %s is %s", want, me.raw)
		}
	}
	h.must(http.StatusOK, req{method: "POST", path: "/v1/email-verifications", body: api.LinkRequest{Token: verify}})
}
