package mail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app/mail"
)

func TestEveryNoticeKindReadsInEnglishAndGermanAsTextAndEscapedHTML(t *testing.T) {
	tmpl, err := mail.ParseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	const team, link = "R&D <core>", "https://retro.example/x"
	digest := mail.DigestData{Team: team, Week: "2026-W48", OverdueActions: []string{"Fix <it>"}, Link: link}
	for _, c := range []struct {
		name   string
		notice func(mail.Lang) mail.Notice
		en, de string
	}{
		{"team invitation", func(l mail.Lang) mail.Notice { return mail.TeamInvitation(l, team, link) }, "You are now a member", "Du bist jetzt Mitglied"},
		{"retro invitation", func(l mail.Lang) mail.Notice { return mail.RetroInvitation(l, team, "Sprint", at, berlin, link) },
			"Thu 3 Dec 2026, 10:00 (Europe/Berlin)", "03.12.2026, 10:00 Uhr (Europe/Berlin)"},
		{"survey invitation", func(l mail.Lang) mail.Notice { return mail.SurveyInvitation(l, "Pulse", at, nil, link) }, "Your ratings are anonymous", "Deine Bewertungen sind anonym"},
		{"survey reminder", func(l mail.Lang) mail.Notice { return mail.SurveyReminder(l, "Pulse", at, nil, link) }, "You have not answered yet", "Du hast noch nicht geantwortet"},
		{"action due soon", func(l mail.Lang) mail.Notice { return mail.ActionDueSoon(l, "Ship", team, at, nil, link) }, "is yours and due on", "ist deine und fällig am"},
		{"action overdue", func(l mail.Lang) mail.Notice { return mail.ActionOverdue(l, "Ship", team, at, nil, link) }, "was due on", "fällig. Schließe sie ab"},
		{"digest", func(l mail.Lang) mail.Notice { return mail.Digest(l, digest) }, "Overdue actions (1)", "Überfällige Aktionen (1)"},
	} {
		for lang, want := range map[mail.Lang]string{mail.English: c.en, mail.German: c.de} {
			n := c.notice(lang)
			subject, text, html, err := tmpl.Compose(lang, n, "https://retro.example/v1/mail/unsubscribe/tok")
			if err != nil {
				t.Fatalf("%s %s: %v", c.name, lang, err)
			}
			if subject == "" || !strings.Contains(text, want) || !strings.Contains(html, want) || !strings.Contains(text, link) {
				t.Errorf("%s in %s lacks %q or its link:\n%s\n%s", c.name, lang, want, text, html)
			}
			if !strings.Contains(text, mail.UnsubscribeText(lang, n.Kind)+": https://retro.example/v1/mail/unsubscribe/tok") {
				t.Errorf("%s in %s: no unsubscribe line:\n%s", c.name, lang, text)
			}
			if strings.Contains(html, "<core>") || strings.Contains(html, "<it>") || !mail.Unsubscribable(n.Kind) {
				t.Errorf("%s in %s: unescaped HTML or a kind nobody unsubscribes from (%s):\n%s", c.name, lang, n.Kind, html)
			}
		}
	}
}
