package mail_test

import (
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/app/mail"
	"github.com/hindsight-retro/hindsight/app/mail/mailtest"
	"github.com/hindsight-retro/hindsight/documents"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

func send(t *testing.T, srv *mailtest.Server, lang mail.Lang, title string) mailtest.Message {
	t.Helper()
	tm, err := mail.ParseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	subject, text, html, err := tm.Summary(lang, documents.Retro{View: retro.RetroView{RetroID: "r1", Title: title}}, "https://retro.example/retros/r1", "")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone, From: "retro@retro.example"})
	if err != nil {
		t.Fatal(err)
	}
	id := mail.MessageID("ev-1", "user-1", mail.KindSummary, "retro.example")
	if err := tr.Send(t.Context(), mail.Message{ID: id, To: "ana@example.org", Subject: subject, Text: text, HTML: html}); err != nil {
		t.Fatal(err)
	}
	ms := srv.Wait(t, "the mail", func(ms []mailtest.Message) bool { return len(ms) == 1 })
	return ms[0]
}

func TestASummaryReadsInTheRecipientsLanguage(t *testing.T) {
	de := send(t, mailtest.Start(t), mail.German, "Sprint Ä")
	if !strings.Contains(de.Text, "Die Retro ist beendet") || !strings.Contains(de.HTML, "In Hindsight öffnen") {
		t.Errorf("the German mail is not German:\n%s\n%s", de.Text, de.HTML)
	}
	en := send(t, mailtest.Start(t), mail.English, "Sprint A")
	if !strings.Contains(en.Text, "The retro has closed") || !strings.Contains(en.HTML, "Open it in Hindsight") {
		t.Errorf("the English mail is not English:\n%s\n%s", en.Text, en.HTML)
	}
}

func TestATitleCannotInjectMarkupIntoTheHTMLMail(t *testing.T) {
	m := send(t, mailtest.Start(t), mail.English, `<script>alert(1)</script>`)
	if strings.Contains(m.HTML, "<script>") {
		t.Errorf("the HTML part holds the title unescaped:\n%s", m.HTML)
	}
}

func TestTheSameCauseAndRecipientKeepTheirMessageID(t *testing.T) {
	m := send(t, mailtest.Start(t), mail.English, "Sprint")
	if m.ID() != mail.MessageID("ev-1", "user-1", mail.KindSummary, "retro.example") {
		t.Errorf("delivered Message-ID %q", m.ID())
	}
	if mail.MessageID("ev-1", "user-2", mail.KindSummary, "retro.example") == m.ID() {
		t.Error("two recipients of one cause share a Message-ID")
	}
}

func TestA550IsAPermanentRefusal(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Refuse("gone@example.org")
	tr, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone, From: "retro@retro.example"})
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Send(t.Context(), mail.Message{ID: "x@retro.example", To: "gone@example.org", Subject: "s", Text: "t"})
	if err == nil || !strings.Contains(err.Error(), "permanently refused") {
		t.Errorf("a 550 gave %v, want a permanent refusal", err)
	}
}
