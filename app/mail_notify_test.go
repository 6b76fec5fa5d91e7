package app_test

import (
	"mime"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/mail"
	"github.com/hindsight-retro/hindsight/app/mail/mailtest"
	"github.com/hindsight-retro/hindsight/domain/mailpref"
	"github.com/hindsight-retro/hindsight/domain/reminder"
)

// mailTeam is a team whose people have accounts with addresses: mod runs
// it and reads German, bea and cal read English; ada runs the workspace.
type mailTeam struct {
	*fixture
	ids *identity.Service
	srv *mailtest.Server
	id  map[string]string // name → user ID
}

func addr(name string) string { return name + "@team.example" }

func newMailTeam(t *testing.T) *mailTeam {
	t.Helper()
	e := newEnv(t)
	m := &mailTeam{fixture: &fixture{env: e}, srv: mailtest.Start(t), id: map[string]string{}}
	m.ids = e.withIdentity()
	for _, name := range []string{"ada", "mod", "bea", "cal", "dan"} {
		id, err := m.ids.Register(e.ctx(), identity.Caller{CommandID: e.cmdID()},
			identity.Registration{Email: addr(name), Password: "correct horse battery staple", Name: name})
		if err != nil {
			t.Fatal(err)
		}
		m.id[name] = id
	}
	m.german(t, "mod")
	m.start(t)
	ws := must(m.app.CreateWorkspace(e.ctx(), e.as(user(m.id["ada"])), app.WorkspaceInput{Name: "Acme"}))(t)
	tm := must(m.app.CreateTeam(e.ctx(), e.as(user(m.id["ada"])), app.CreateTeamInput{
		WorkspaceID: ws.ID, Name: "Platform", TemplateID: "scrum-team", FirstAdminID: m.id["mod"]}))(t)
	m.ws, m.team = ws.ID, tm.ID
	for _, name := range []string{"bea", "cal"} {
		m.add(t, name)
	}
	return m
}

// start (re)opens the app with mail on, as a node that starts does.
func (m *mailTeam) start(t *testing.T) {
	t.Helper()
	tr, err := mail.NewSMTP(mail.SMTPConfig{Host: m.srv.Host, Port: m.srv.Port, TLS: mail.TLSNone, From: "hindsight@retro.example"})
	if err != nil {
		t.Fatal(err)
	}
	m.app = m.reopen(func(d *app.Deps) {
		d.Identity = m.ids
		d.Mail = app.MailConfig{Transport: tr, From: "hindsight@retro.example", BaseURL: "https://retro.example"}
	})
	if err := m.app.StartReadModels(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := m.app.StartMail(t.Context()); err != nil {
		t.Fatal(err)
	}
	a := m.app
	t.Cleanup(func() { _ = a.CloseMail(); _ = a.CloseReadModels() })
}

// german has name read mail in German.
func (m *mailTeam) german(t *testing.T, name string) {
	t.Helper()
	if err := m.ids.SetLanguage(m.ctx(), identity.Caller{Principal: user(m.id[name]), CommandID: m.cmdID()}, "de"); err != nil {
		t.Fatal(err)
	}
}

func (m *mailTeam) as(name string) identity.Caller { return m.env.as(user(m.id[name])) }

func (m *mailTeam) add(t *testing.T, name string) {
	t.Helper()
	must(m.app.AddMember(m.ctx(), m.as("mod"), m.team, app.AddMemberInput{UserID: m.id[name]}))(t)
}

// mails waits for n mails to name whose subject holds subject, and answers them.
func (m *mailTeam) mails(t *testing.T, name, subject string, n int) []mailtest.Message {
	t.Helper()
	got := m.srv.Wait(t, subject+" to "+name, func(ms []mailtest.Message) bool { return len(about(ms, addr(name), subject)) >= n })
	return about(got, addr(name), subject)
}

func about(ms []mailtest.Message, to, subject string) []mailtest.Message {
	var out []mailtest.Message
	for _, x := range mailtest.To(ms, to) {
		if strings.Contains(subjectOf(x), subject) {
			out = append(out, x)
		}
	}
	return out
}

// subjectOf is the message's subject, its encoded words decoded.
func subjectOf(x mailtest.Message) string {
	s, err := new(mime.WordDecoder).DecodeHeader(x.Header.Get("Subject"))
	if err != nil {
		return x.Header.Get("Subject")
	}
	return s
}

// settle waits until the mail reactor has handled the whole log, so a
// mail that was not sent by then is not sent.
func (m *mailTeam) settle(t *testing.T) {
	t.Helper()
	evs := m.events()
	pos := evs[len(evs)-1].Position
	if err := m.app.CatchUpMail(m.ctx(), pos); err != nil {
		t.Fatal(err)
	}
}

// unsubscribeOK checks the RFC 8058 headers and answers the link's token.
func unsubscribeOK(t *testing.T, x mailtest.Message) string {
	t.Helper()
	link := strings.Trim(x.Header.Get("List-Unsubscribe"), "<> ")
	if !strings.HasPrefix(link, "https://retro.example"+app.UnsubscribePath) {
		t.Fatalf("List-Unsubscribe %q is no https link of the server", x.Header.Get("List-Unsubscribe"))
	}
	if got := x.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", got)
	}
	if !strings.Contains(x.Text, link) || !strings.Contains(x.HTML, link) {
		t.Errorf("the unsubscribe link is not in the mail's body")
	}
	tok, err := url.PathUnescape(strings.TrimPrefix(link, "https://retro.example"+app.UnsubscribePath))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestAPersonAddedToATeamIsInvitedInTheirLanguageWithAnUnsubscribeLink(t *testing.T) {
	m := newMailTeam(t)
	bea := m.mails(t, "bea", "You were added to the team Platform", 1)[0]
	if !strings.Contains(bea.Text, "https://retro.example/teams/"+m.team) || !strings.Contains(bea.HTML, `href="https://retro.example/teams/`+m.team+`"`) {
		t.Errorf("no link to the team:\n%s\n%s", bea.Text, bea.HTML)
	}
	if !strings.HasPrefix(bea.ID(), "invitation.") || !strings.HasSuffix(bea.ID(), "@retro.example") {
		t.Errorf("Message-ID %q", bea.ID())
	}
	unsubscribeOK(t, bea)
	m.german(t, "dan")
	m.add(t, "dan")
	dan := m.mails(t, "dan", "Du bist jetzt im Team Platform", 1)[0]
	if !strings.Contains(dan.Text, "Team öffnen") || !strings.Contains(dan.HTML, "Keine Einladungen mehr per E-Mail") {
		t.Errorf("the German invitation:\n%s\n%s", dan.Text, dan.HTML)
	}
	m.settle(t)
	if n := len(mailtest.To(m.srv.Messages(), addr("mod"))); n != 0 {
		t.Errorf("the team's first admin, made by the workspace admin, got %d mails", n)
	}
}

func TestEveryMemberButTheModeratorIsInvitedToARetroMadeByHand(t *testing.T) {
	m := newMailTeam(t)
	rid := must(m.app.CreateRetro(m.ctx(), m.as("mod"), app.CreateRetroInput{TeamID: m.team, Title: "Sprint <42>"}))(t).ID
	for _, name := range []string{"bea", "cal"} {
		x := m.mails(t, name, "Retro invitation: Sprint <42>", 1)[0]
		if !strings.Contains(x.Text, "https://retro.example/retros/"+rid) || !strings.Contains(x.Text, "opened a retro") {
			t.Errorf("%s's invitation:\n%s", name, x.Text)
		}
		if !strings.Contains(x.HTML, "Sprint &lt;42&gt;") || strings.Contains(x.HTML, "Sprint <42>") {
			t.Errorf("the title is not escaped in HTML:\n%s", x.HTML)
		}
		unsubscribeOK(t, x)
	}
	m.settle(t)
	if n := len(about(m.srv.Messages(), addr("mod"), "Retro")); n != 0 {
		t.Errorf("the moderator who made the retro got %d invitations", n)
	}
}

func TestAScheduledRetroInvitesEveryMemberWithItsTimeAndItsSurveyAsksThemToAnswer(t *testing.T) {
	m := newMailTeam(t)
	must(m.app.SetSchedule(m.ctx(), m.as("mod"), m.team, weeklyThursdays()))(t)
	m.setNow(thursday3.Add(-47 * time.Hour))
	fired := must(m.app.FireDueOccurrences(m.ctx()))(t)
	if len(fired) != 1 {
		t.Fatalf("fired %+v", fired)
	}
	bea := m.mails(t, "bea", "Retro invitation: Platform retro 2026-12-03", 1)[0]
	if !strings.Contains(bea.Text, "Thu 3 Dec 2026, 10:00 (Europe/Berlin)") || !strings.Contains(bea.Text, "/retros/"+fired[0].RetroID) {
		t.Errorf("bea's invitation names no time or link:\n%s", bea.Text)
	}
	mod := m.mails(t, "mod", "Einladung zur Retro: Platform retro 2026-12-03", 1)[0]
	if !strings.Contains(mod.Text, "03.12.2026, 10:00 Uhr (Europe/Berlin)") {
		t.Errorf("the German invitation names no time:\n%s", mod.Text)
	}
	cal := m.mails(t, "cal", "A survey for you: Platform retro 2026-12-03", 1)[0]
	if !strings.Contains(cal.Text, "/surveys/") || !strings.Contains(cal.Text, "It closes on Thu 3 Dec 2026, 10:00 (Europe/Berlin)") {
		t.Errorf("cal's survey invitation:\n%s", cal.Text)
	}
	m.mails(t, "mod", "Eine Umfrage für dich: Platform retro 2026-12-03", 1)
	unsubscribeOK(t, cal)
}

// survey sends a one-team survey of the quick pulse pack, open from opens
// (zero: now) to closes, and answers its ID.
func (m *mailTeam) survey(t *testing.T, title string, opens, closes time.Time) string {
	t.Helper()
	return must(m.app.CreateSurvey(m.ctx(), m.as("mod"), app.CreateSurveyInput{TeamIDs: []string{m.team}, Title: title,
		PackID: "quick-pulse", OpensAt: opens, ClosesAt: closes}))(t).ID
}

func TestOnlyThoseWhoHaveNotAnsweredAreRemindedOnceBeforeASurveyCloses(t *testing.T) {
	m := newMailTeam(t)
	now := m.clock()
	sid := m.survey(t, "Pulse", time.Time{}, now.Add(72*time.Hour))
	for _, name := range []string{"bea", "cal"} {
		m.mails(t, name, "A survey for you: Pulse", 1)
	}
	v := must(m.app.Survey(m.ctx(), user(m.id["bea"]), sid))(t)
	ratings := map[string]int{}
	for _, q := range v.HealthQuestions {
		ratings[q.ID] = 3
	}
	must(m.app.SubmitSurveyResponse(m.ctx(), m.as("bea"), sid, app.SurveyResponse{Ratings: ratings}))(t)

	m.setNow(now.Add(47 * time.Hour))
	if claimed := must(m.app.FireDueReminders(m.ctx()))(t); len(claimed) != 0 {
		t.Fatalf("claimed 25 h before closing: %+v", claimed)
	}
	m.setNow(now.Add(49 * time.Hour))
	claimed := must(m.app.FireDueReminders(m.ctx()))(t)
	if len(claimed) != 1 || claimed[0].Kind != reminder.KindSurveyClosing {
		t.Fatalf("claimed %+v, want the survey's reminder", claimed)
	}
	cal := m.mails(t, "cal", "Reminder: the survey Pulse closes soon", 1)[0]
	m.mails(t, "mod", "Erinnerung: die Umfrage Pulse schließt bald", 1)
	if !strings.Contains(cal.Text, "You have not answered yet") || !strings.Contains(cal.Text, "/surveys/"+sid) {
		t.Errorf("cal's reminder:\n%s", cal.Text)
	}
	// The unsubscribe token and the Message-ID are base64 and hex, which
	// may spell anything; the words around them may not name bea.
	words := strings.ReplaceAll(cal.Text, strings.Trim(cal.Header.Get("List-Unsubscribe"), "<>"), "")
	if strings.Contains(words, "bea") || strings.Contains(string(cal.Raw), addr("bea")) || strings.Contains(string(cal.Raw), m.id["bea"]+"@") ||
		strings.Contains(words, m.id["bea"]) {
		t.Errorf("cal's reminder names who answered:\n%s", cal.Raw)
	}
	if again := must(m.app.FireDueReminders(m.ctx()))(t); len(again) != 0 {
		t.Errorf("claimed again: %+v", again)
	}
	m.settle(t)
	if n := len(about(m.srv.Messages(), addr("bea"), "Reminder")); n != 0 {
		t.Errorf("bea, who answered, got %d reminders", n)
	}
	if n := len(about(m.srv.Messages(), addr("cal"), "Reminder")); n != 1 {
		t.Errorf("cal got %d reminders", n)
	}
}

func TestASurveyPlannedForLaterIsAnnouncedWhenItOpensAndNotBefore(t *testing.T) {
	m := newMailTeam(t)
	now := m.clock()
	m.survey(t, "Later", now.Add(5*time.Hour), now.Add(10*time.Hour))
	m.settle(t)
	if got := about(m.srv.Messages(), addr("bea"), "Later"); len(got) != 0 {
		t.Fatalf("announced before it opens: %d mails", len(got))
	}
	if claimed := must(m.app.FireDueReminders(m.ctx()))(t); len(claimed) != 0 {
		t.Fatalf("claimed before it opens: %+v", claimed)
	}
	m.setNow(now.Add(5*time.Hour + time.Minute))
	claimed := must(m.app.FireDueReminders(m.ctx()))(t)
	if len(claimed) != 1 || claimed[0].Kind != reminder.KindSurveyOpened {
		t.Fatalf("claimed %+v", claimed)
	}
	m.mails(t, "bea", "A survey for you: Later", 1)
	m.mails(t, "mod", "Eine Umfrage für dich: Later", 1)
}

// action records an action assigned to bea, due at due.
func (m *mailTeam) action(t *testing.T, title string, due time.Time) string {
	t.Helper()
	return must(m.app.RecordTeamAction(m.ctx(), m.as("mod"), m.team,
		app.RecordTeamActionInput{Title: title, Assignee: m.id["bea"], Due: due}))(t).ID
}

func TestAnActionsAssigneeIsRemindedOnceBeforeItIsDueAndOnceWhenOverdueAcrossARestart(t *testing.T) {
	m := newMailTeam(t)
	now := m.clock()
	due := now.Add(30 * time.Hour)
	m.action(t, "Automate the release notes", due)
	if claimed := must(m.app.FireDueReminders(m.ctx()))(t); len(claimed) != 0 {
		t.Fatalf("claimed 30 h before: %+v", claimed)
	}
	m.setNow(due.Add(-23 * time.Hour))
	if claimed := must(m.app.FireDueReminders(m.ctx()))(t); len(claimed) != 1 || claimed[0].Kind != reminder.KindActionDueSoon {
		t.Fatalf("claimed %+v, want the reminder before", claimed)
	}
	soon := m.mails(t, "bea", "Due soon: Automate the release notes", 1)[0]
	if !strings.Contains(soon.Text, "This action of the team Platform is yours") || !strings.Contains(soon.Text, "/teams/"+m.team) {
		t.Errorf("the reminder:\n%s", soon.Text)
	}
	unsubscribeOK(t, soon)

	// A restart: a new node reads from the log that it was claimed.
	if err := m.app.CloseMail(); err != nil {
		t.Fatal(err)
	}
	m.start(t)
	if claimed := must(m.app.FireDueReminders(m.ctx()))(t); len(claimed) != 0 {
		t.Errorf("claimed again after a restart: %+v", claimed)
	}

	// Overdue, with two nodes looking at once: one claims it. Bea reads
	// German by now: the language is looked up per mail.
	m.german(t, "bea")
	m.setNow(due.Add(time.Hour))
	other := m.reopen(func(d *app.Deps) { d.Identity = m.ids })
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, node := range []*app.App{m.app, other} {
		wg.Go(func() {
			claimed, err := node.FireDueReminders(m.ctx())
			if err != nil {
				t.Error(err)
			}
			for _, c := range claimed {
				if c.Kind == reminder.KindActionOverdue {
					counts[i]++
				}
			}
		})
	}
	wg.Wait()
	if counts[0]+counts[1] != 1 {
		t.Errorf("the overdue reminder was claimed %v times by the two nodes", counts)
	}
	late := m.mails(t, "bea", "Überfällig: Automate the release notes", 1)[0]
	if !strings.Contains(late.Text, "Diese Aktion des Teams Platform ist deine") || !strings.Contains(late.HTML, "Keine Erinnerungen an Aktionen mehr") {
		t.Errorf("the German overdue reminder:\n%s\n%s", late.Text, late.HTML)
	}
	m.settle(t)
	if n := len(about(m.srv.Messages(), addr("bea"), "Automate")); n != 2 {
		t.Errorf("bea got %d reminders, want one before and one overdue", n)
	}
}

func TestAReminderOfADoneOrReassignedActionIsNotSent(t *testing.T) {
	m := newMailTeam(t)
	now := m.clock()
	id := m.action(t, "Clean the backlog", now.Add(2*time.Hour))
	must(m.app.UpdateActionStatus(m.ctx(), m.as("bea"), m.team, app.UpdateActionStatusInput{ActionID: id, Status: "done"}))(t)
	m.setNow(now.Add(3 * time.Hour))
	if claimed := must(m.app.FireDueReminders(m.ctx()))(t); len(claimed) != 0 {
		t.Errorf("a done action's reminder was claimed: %+v", claimed)
	}
	m.settle(t)
	if n := len(about(m.srv.Messages(), addr("bea"), "Clean the backlog")); n != 0 {
		t.Errorf("bea got %d reminders of a done action", n)
	}
}

func TestUnsubscribingByTheMailsLinkStopsThatKindOnly(t *testing.T) {
	m := newMailTeam(t)
	tok := unsubscribeOK(t, m.mails(t, "bea", "You were added", 1)[0])
	link := must(m.app.OpenUnsubscribeLink(m.ctx(), tok))(t)
	if link.Kind != mailpref.KindInvitation || !link.Subscribed {
		t.Fatalf("the link before: %+v", link)
	}
	if _, err := m.app.OpenUnsubscribeLink(m.ctx(), tok[:len(tok)-2]+"AA"); err == nil {
		t.Error("a forged token opens")
	}
	must(m.app.Unsubscribe(m.ctx(), tok, mailpref.ViaOneClick))(t)
	must(m.app.Unsubscribe(m.ctx(), tok, mailpref.ViaOneClick))(t) // a second click is fine
	if p := must(m.app.MyMailPreferences(m.ctx(), user(m.id["bea"])))(t); p.Kinds[mailpref.KindInvitation] || !p.Kinds[mailpref.KindActionReminder] {
		t.Errorf("bea's preferences after: %v", p.Kinds)
	}

	now := m.clock()
	must(m.app.CreateRetro(m.ctx(), m.as("mod"), app.CreateRetroInput{TeamID: m.team, Title: "Sprint 5"}))(t)
	m.action(t, "Fix the flaky test", now.Add(time.Hour))
	must(m.app.FireDueReminders(m.ctx()))(t)
	m.mails(t, "bea", "Due soon: Fix the flaky test", 1)
	m.mails(t, "cal", "Retro invitation: Sprint 5", 1)
	m.settle(t)
	if n := len(about(m.srv.Messages(), addr("bea"), "Retro invitation")); n != 0 {
		t.Errorf("bea unsubscribed from invitations and got %d", n)
	}
}

func TestAPersonTurnsKindsOffAndOptsInToTheDigestInTheirPreferences(t *testing.T) {
	m := newMailTeam(t)
	p := must(m.app.MyMailPreferences(m.ctx(), user(m.id["cal"])))(t)
	for _, k := range mailpref.Kinds() {
		if p.Kinds[k] != (k != mailpref.KindDigest) {
			t.Errorf("by default %s is %v", k, p.Kinds[k])
		}
	}
	p = must(m.app.SetMyMailPreferences(m.ctx(), m.as("cal"), app.MailPreferences{Kinds: map[mailpref.Kind]bool{
		mailpref.KindSurvey: false, mailpref.KindDigest: true}}))(t)
	if p.Kinds[mailpref.KindSurvey] || !p.Kinds[mailpref.KindDigest] || !p.Kinds[mailpref.KindSummary] {
		t.Errorf("after setting: %v", p.Kinds)
	}
	_, err := m.app.SetMyMailPreferences(m.ctx(), m.as("cal"), app.MailPreferences{Kinds: map[mailpref.Kind]bool{"verification": false}})
	if err == nil {
		t.Error("a security mail was turned off")
	}
	m.survey(t, "Quiet", time.Time{}, m.clock().Add(time.Hour))
	m.mails(t, "bea", "A survey for you: Quiet", 1)
	m.settle(t)
	if n := len(about(m.srv.Messages(), addr("cal"), "Quiet")); n != 0 {
		t.Errorf("cal turned survey mails off and got %d", n)
	}
}

func TestATeamAdminWhoOptedInGetsTheWeeklyDigestWithHealthWithheldBelowTheMinimumGroup(t *testing.T) {
	m := newMailTeam(t)
	must(m.app.AppointTeamAdmin(m.ctx(), m.as("mod"), m.team, app.Person{UserID: m.id["bea"]}))(t)
	must(m.app.SetMyMailPreferences(m.ctx(), m.as("mod"), app.MailPreferences{Kinds: map[mailpref.Kind]bool{mailpref.KindDigest: true}}))(t)
	now := m.clock() // Friday 27 November 2026
	m.action(t, "Rotate the on-call keys", now.Add(24*time.Hour))
	m.action(t, "Write the runbook", now.Add(13*24*time.Hour))
	rid := must(m.app.CreateRetro(m.ctx(), m.as("mod"), app.CreateRetroInput{TeamID: m.team, Title: "Sprint 48"}))(t).ID
	must(m.app.JoinRetro(m.ctx(), m.as("bea"), rid))(t)
	must(m.retro(user(m.id["bea"]), rid, app.AddCard{ColumnID: "stop", Text: "bea-only concealed thought"}))(t)
	must(m.retro(user(m.id["mod"]), rid, app.CloseRetro{}))(t)
	sid := m.survey(t, "Pulse 48", time.Time{}, now.Add(48*time.Hour))
	for _, name := range []string{"bea", "cal"} {
		v := must(m.app.Survey(m.ctx(), user(m.id[name]), sid))(t)
		ratings := map[string]int{}
		for _, q := range v.HealthQuestions {
			ratings[q.ID] = 5
		}
		must(m.app.SubmitSurveyResponse(m.ctx(), m.as(name), sid, app.SurveyResponse{Ratings: ratings}))(t)
	}
	must(m.app.CloseSurvey(m.ctx(), m.as("mod"), sid))(t)

	m.setNow(time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC))
	for _, c := range must(m.app.FireDueReminders(m.ctx()))(t) {
		if c.Kind == reminder.KindDigest {
			t.Fatalf("the digest was claimed before Monday 06:00: %+v", c)
		}
	}
	m.setNow(time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC))
	n := 0
	for _, c := range must(m.app.FireDueReminders(m.ctx()))(t) {
		if c.Kind == reminder.KindDigest {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d digests claimed, want the team's one", n)
	}
	x := m.mails(t, "mod", "Die Woche deines Teams: Platform (2026-W48)", 1)[0]
	for _, want := range []string{"Überfällige Aktionen (1)", "Rotate the on-call keys (2026-11-28)", "Offene Aktionen (1)",
		"Write the runbook", "Sprint 48: 2 Personen", "zurückgehalten"} {
		if !strings.Contains(x.Text, want) {
			t.Errorf("the digest lacks %q:\n%s", want, x.Text)
		}
	}
	words := strings.ReplaceAll(x.Text+x.HTML, strings.Trim(x.Header.Get("List-Unsubscribe"), "<>"), "")
	for _, secret := range []string{"bea-only concealed thought", "5.0", ": 5 ("} {
		if strings.Contains(words, secret) || strings.Contains(string(x.Raw), "bea-only") {
			t.Errorf("the digest shows %q:\n%s", secret, x.Text)
		}
	}
	unsubscribeOK(t, x)
	if again := must(m.app.FireDueReminders(m.ctx()))(t); len(again) != 0 {
		t.Errorf("claimed again: %+v", again)
	}
	m.settle(t)
	for _, name := range []string{"bea", "cal"} {
		if got := about(m.srv.Messages(), addr(name), "week"); len(got) != 0 {
			t.Errorf("%s, who did not opt in, got the digest", name)
		}
	}
}
