package app_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/mail"
	"github.com/hindsight-retro/hindsight/app/mail/mailtest"
	"github.com/hindsight-retro/hindsight/documents"
)

// mailing gives the fixture an identity service and an app that sends
// through a real SMTP server on loopback.
func (f *fixture) mailing(t *testing.T, srv *mailtest.Server) *identity.Service {
	t.Helper()
	ids := f.withIdentity()
	tr, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone, From: "hindsight@retro.example"})
	if err != nil {
		t.Fatal(err)
	}
	f.app = f.reopen(func(d *app.Deps) {
		d.Identity = ids
		d.Mail = app.MailConfig{Transport: tr, From: "hindsight@retro.example", BaseURL: "https://retro.example"}
	})
	return ids
}

// guestIn invites a guest with the address into the retro and joins them.
func (f *fixture) guestIn(t *testing.T, ids *identity.Service, rid, email, name string) identity.Principal {
	t.Helper()
	inv := must(f.app.CreateInvite(f.ctx(), f.as(user(uMod)), rid, t0.Add(24*time.Hour)))(t)
	_, g, err := ids.JoinAsGuest(f.ctx(), identity.Caller{CommandID: f.cmdID()}, inv.Code, identity.GuestInput{Email: email, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	must(f.app.JoinRetro(f.ctx(), f.as(g), rid))(t)
	return g
}

func TestEveryoneWhoMayReadAClosedRetroGetsItsSummaryAsTheirOwnView(t *testing.T) {
	srv := mailtest.Start(t)
	f := newTeam(t)
	ids := f.mailing(t, srv)
	rid := f.newRetro("Sprint 9", false)
	g := f.guestIn(t, ids, rid, "gus@example.org", "Gus")
	must(f.retro(g, rid, app.AddCard{ColumnID: "start", Text: "pair on the release"}))(t)
	must(f.retro(user(uBea), rid, app.AddCard{ColumnID: "stop", Text: "bea-only concealed thought"}))(t)
	if err := f.app.StartMail(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.app.CloseMail() })
	must(f.retro(user(uMod), rid, app.CloseRetro{}))(t)

	srv.Wait(t, "the guest's summary", func(ms []mailtest.Message) bool {
		return len(mailtest.To(ms, "gus@example.org")) == 1
	})
	m := mailtest.To(srv.Messages(), "gus@example.org")[0]
	doc := must(f.app.RetroSummaryFor(f.ctx(), rid, g.UserID))(t)
	var md bytes.Buffer
	if err := documents.Write(&md, documents.Markdown, doc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, md.String()) {
		t.Errorf("the plain text does not hold the guest's own summary.\nmail:\n%s\nsummary:\n%s", m.Text, md.String())
	}
	if !strings.Contains(m.Text, "pair on the release") || !strings.Contains(m.HTML, "pair on the release") {
		t.Errorf("the guest's own card is missing from the mail:\n%s\n%s", m.Text, m.HTML)
	}
	for _, secret := range []string{"bea-only concealed thought", uBea, uMod, uCal} {
		if strings.Contains(string(m.Raw), secret) {
			t.Errorf("the guest's summary mail shows %q", secret)
		}
	}
	if !strings.Contains(m.Header.Get("Subject"), "Sprint 9") || !strings.Contains(m.Text, "https://retro.example/retros/"+rid) {
		t.Errorf("subject %q or link missing:\n%s", m.Header.Get("Subject"), m.Text)
	}
	if !strings.HasSuffix(m.ID(), "@retro.example") {
		t.Errorf("Message-ID %q is not the sender's domain", m.ID())
	}
}

func TestARefusedAddressIsPassedAndTheOtherMailStillGoes(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Refuse("nobody@example.org")
	f := newTeam(t)
	ids := f.mailing(t, srv)
	rid := f.newRetro("Sprint 10", false)
	f.guestIn(t, ids, rid, "nobody@example.org", "Nobody")
	f.guestIn(t, ids, rid, "gus@example.org", "Gus")
	if err := f.app.StartMail(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.app.CloseMail() })
	must(f.retro(user(uMod), rid, app.CloseRetro{}))(t)
	srv.Wait(t, "gus's summary", func(ms []mailtest.Message) bool { return len(mailtest.To(ms, "gus@example.org")) == 1 })
	if n := len(mailtest.To(srv.Messages(), "nobody@example.org")); n != 0 {
		t.Errorf("the refused address got %d mails", n)
	}
}

func TestASummaryIsNotSentAgainAfterARestart(t *testing.T) {
	srv := mailtest.Start(t)
	f := newTeam(t)
	ids := f.mailing(t, srv)
	rid := f.newRetro("Sprint 11", false)
	f.guestIn(t, ids, rid, "gus@example.org", "Gus")
	if err := f.app.StartMail(t.Context()); err != nil {
		t.Fatal(err)
	}
	must(f.retro(user(uMod), rid, app.CloseRetro{}))(t)
	first := srv.Wait(t, "the summary", func(ms []mailtest.Message) bool { return len(ms) == 1 })[0]
	if err := f.app.CloseMail(); err != nil {
		t.Fatal(err)
	}
	// A second retro closes while no node sends; the next start sends it,
	// and only it.
	rid2 := f.newRetro("Sprint 12", false)
	f.guestIn(t, ids, rid2, "gus@example.org", "Gus")
	must(f.retro(user(uMod), rid2, app.CloseRetro{}))(t)
	f.mailing(t, srv)
	if err := f.app.StartMail(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.app.CloseMail() })
	ms := srv.Wait(t, "the second summary", func(ms []mailtest.Message) bool { return len(ms) >= 2 })
	// The reactor sends in the log's order: a resent first summary would
	// come before the second.
	if len(ms) != 2 || ms[1].ID() == first.ID() || !strings.Contains(ms[1].Header.Get("Subject"), "Sprint 12") {
		t.Errorf("after the restart: %d mails, first %q second %q", len(ms), first.Header.Get("Subject"), ms[len(ms)-1].Header.Get("Subject"))
	}
}

func TestAPersonWhoChoseGermanGetsTheSummaryInGerman(t *testing.T) {
	srv := mailtest.Start(t)
	f := newTeam(t)
	ids := f.mailing(t, srv)
	rid := f.newRetro("Sprint 13", false)
	g := f.guestIn(t, ids, rid, "gus@example.org", "Gus")
	f.guestIn(t, ids, rid, "eve@example.org", "Eve")
	if err := ids.SetLanguage(f.ctx(), identity.Caller{Principal: g, CommandID: f.cmdID()}, identity.LanguageGerman); err != nil {
		t.Fatal(err)
	}
	if err := f.app.StartMail(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.app.CloseMail() })
	must(f.retro(user(uMod), rid, app.CloseRetro{}))(t)
	ms := srv.Wait(t, "both summaries", func(ms []mailtest.Message) bool {
		return len(mailtest.To(ms, "gus@example.org")) == 1 && len(mailtest.To(ms, "eve@example.org")) == 1
	})
	de, en := mailtest.To(ms, "gus@example.org")[0], mailtest.To(ms, "eve@example.org")[0]
	if !strings.HasPrefix(de.Header.Get("Subject"), "Zusammenfassung der Retro") || !strings.Contains(de.Text, "Die Retro ist beendet") {
		t.Errorf("Gus chose German but got %q:\n%s", de.Header.Get("Subject"), de.Text)
	}
	if !strings.HasPrefix(en.Header.Get("Subject"), "Summary of the retro") {
		t.Errorf("Eve chose nothing and got %q, want English", en.Header.Get("Subject"))
	}
}
