package app

// Mail timers: reminders before an action's due date and when it is
// overdue (to its assignee), a survey's opening when it was planned for
// later, the reminder before a survey closes (to those who have not
// answered), and each team's weekly digest. Like the schedules' timer
// (schedules.go) nothing is held in a node's memory that the log does not
// hold: every node folds from the log what is due (mailTimers, rebuilt
// from the start of the log by a node that starts) and claims it with
// reminder.Claim on the subject's stream, appended at the expected
// version under a command ID per reminder, so one node wins and a node
// that restarts finds it claimed. The mails are the mail reactor's
// reaction to reminder.Claimed, so they go once however often a reminder
// is found due.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hindsight-retro/hindsight/app/mail"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/reminder"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// When reminders come due.
const (
	// ActionReminderLead: an open action's assignee is reminded this long
	// before its due date, and again once it is overdue.
	ActionReminderLead = 24 * time.Hour
	// SurveyReminderLead: those who have not answered a survey are
	// reminded this long before it closes, if it was open at least half
	// as long before (a shorter survey gets its invitation only).
	SurveyReminderLead = 24 * time.Hour
	// DigestHour is the hour (UTC) of Monday when the week before's
	// digest is due.
	DigestHour = 6
)

// mailTimers is what the timers need from the log, folded on first use
// and brought up to the log's end on every pass (so a node that was down
// computes what came due meanwhile).
type mailTimers struct {
	mu      sync.Mutex
	after   uint64
	teams   map[string]time.Time // created at
	actions map[string]*actionTimer
	surveys map[string]*surveyTimer
	claimed map[string]bool
}

type actionTimer struct {
	TeamID, Assignee string
	Due              time.Time
	Open             bool
}

type surveyTimer struct {
	Created, Opens, Closes time.Time
	Closed                 bool
}

func (x *mailTimers) read(ctx context.Context, store eventstore.Store, fn func(x *mailTimers)) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.teams == nil {
		x.teams, x.actions, x.surveys, x.claimed = map[string]time.Time{}, map[string]*actionTimer{}, map[string]*surveyTimer{}, map[string]bool{}
	}
	err := store.ReadAll(ctx, x.after, func(_ context.Context, e eventstore.RecordedEvent) error {
		x.fold(e)
		if e.LastInCommit() {
			x.after = e.Position
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mail timers: read the log: %w", err)
	}
	fn(x)
	return nil
}

func (x *mailTimers) fold(e eventstore.RecordedEvent) {
	switch e.Stream.Category {
	case team.Category:
		ev, err := team.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
		if err != nil {
			return
		}
		switch ev := ev.(type) {
		case team.TeamCreated:
			x.teams[e.Stream.ID] = ev.At
		case team.ActionRecorded:
			x.actions[ev.ActionID] = &actionTimer{TeamID: e.Stream.ID, Assignee: ev.Assignee, Due: ev.Due, Open: true}
		case team.ActionStatusChanged:
			if a := x.actions[ev.ActionID]; a != nil {
				a.Open = ev.To.IsOpen()
			}
		case team.ActionReassigned:
			if a := x.actions[ev.ActionID]; a != nil {
				a.Assignee = ev.To
			}
		case team.ActionRescheduled:
			if a := x.actions[ev.ActionID]; a != nil {
				a.Due = time.Time{}
				if ev.Due != nil {
					a.Due = *ev.Due
				}
			}
		}
	case survey.Category:
		switch e.Type {
		case survey.TypeSurveyCreated:
			ev, err := survey.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
			if c, ok := ev.(survey.SurveyCreated); err == nil && ok {
				x.surveys[e.Stream.ID] = &surveyTimer{Created: c.At, Opens: c.OpensAt, Closes: c.ClosesAt}
			}
		case survey.TypeSurveyClosed:
			if s := x.surveys[e.Stream.ID]; s != nil {
				s.Closed = true
			}
		}
	case reminder.Category:
		ev, err := reminder.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
		if c, ok := ev.(reminder.Claimed); err == nil && ok {
			x.claimed[c.Key] = true
		}
	}
}

// dueClaim is a reminder due now and the stream it is claimed on.
type dueClaim struct {
	subject string
	claim   reminder.Claim
}

// due lists the reminders due at now and not claimed yet, in a stable order.
func (x *mailTimers) due(now time.Time) []dueClaim {
	var out []dueClaim
	add := func(subject string, c reminder.Claim) {
		if !x.claimed[c.Key] {
			c.At = now
			out = append(out, dueClaim{subject: subject, claim: c})
		}
	}
	for id, a := range x.actions {
		if !a.Open || a.Assignee == "" || a.Due.IsZero() {
			continue
		}
		due := a.Due.UTC().Format(time.RFC3339)
		switch {
		case !now.Before(a.Due):
			add(id, reminder.Claim{Key: "action/" + id + "/overdue/" + due, Kind: reminder.KindActionOverdue,
				TeamID: a.TeamID, ActionID: id, Due: a.Due})
		case !now.Before(a.Due.Add(-ActionReminderLead)):
			add(id, reminder.Claim{Key: "action/" + id + "/soon/" + due, Kind: reminder.KindActionDueSoon,
				TeamID: a.TeamID, ActionID: id, Due: a.Due})
		}
	}
	for id, s := range x.surveys {
		if s.Closed || !now.Before(s.Closes) || now.Before(s.Opens) {
			continue
		}
		if opensLater(s.Opens, s.Created) {
			add(id, reminder.Claim{Key: "survey/" + id + "/opened", Kind: reminder.KindSurveyOpened, SurveyID: id, Due: s.Opens})
		}
		remind := s.Closes.Add(-SurveyReminderLead)
		if !now.Before(remind) && !remind.Before(s.Opens.Add(SurveyReminderLead/2)) {
			add(id, reminder.Claim{Key: "survey/" + id + "/closing", Kind: reminder.KindSurveyClosing, SurveyID: id, Due: s.Closes})
		}
	}
	weekStart, due := lastDigestWeek(now)
	year, week := weekStart.ISOWeek()
	for id, created := range x.teams {
		if created.Before(weekStart.AddDate(0, 0, 7)) {
			add(id, reminder.Claim{Key: fmt.Sprintf("digest/%s/%04d-W%02d", id, year, week), Kind: reminder.KindDigest,
				TeamID: id, Due: due})
		}
	}
	slices.SortFunc(out, func(a, b dueClaim) int {
		if c := a.claim.Due.Compare(b.claim.Due); c != 0 {
			return c
		}
		return compareStrings(a.claim.Key, b.claim.Key)
	})
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// lastDigestWeek is the Monday (00:00 UTC) of the last week whose digest
// is due at now, and when it came due (the Monday after, DigestHour).
func lastDigestWeek(now time.Time) (weekStart, due time.Time) {
	now = now.UTC()
	monday := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	monday = monday.AddDate(0, 0, -((int(monday.Weekday()) + 6) % 7))
	due = monday.Add(DigestHour * time.Hour)
	if now.Before(due) {
		monday, due = monday.AddDate(0, 0, -7), due.AddDate(0, 0, -7)
	}
	return monday.AddDate(0, 0, -7), due
}

// reminders runs the reminder streams without a cache: a claim another
// node made is read from the log, never from a stale copy.
func (a *App) reminders() *aggregate.Runner[reminder.State, reminder.Command, reminder.Event] {
	return &aggregate.Runner[reminder.State, reminder.Command, reminder.Event]{
		Store: a.d.Store, Category: reminder.Category, Initial: reminder.Initial, Decide: reminder.Decide, Evolve: reminder.Evolve,
		Codec: aggregate.CodecFuncs(reminder.EncodeEvent, reminder.DecodeEvent),
	}
}

// FireDueReminders claims every mail reminder due now (by the app's clock)
// that no node claimed yet, and answers the ones this node claimed. The
// mails follow from the log (the mail reactor). Errors of single
// reminders are joined; the others are still claimed.
func (a *App) FireDueReminders(ctx context.Context) ([]reminder.Claim, error) {
	var due []dueClaim
	now := a.now()
	if err := a.mail.timers.read(ctx, a.d.Store, func(x *mailTimers) { due = x.due(now) }); err != nil {
		return nil, err
	}
	var claimed []reminder.Claim
	var errs []error
	for _, d := range due {
		if a.remindsOfErased(d.claim) {
			continue // an expired quick retro's: nothing left to remind of
		}
		res, err := a.reminders().Handle(ctx, d.subject, aggregate.Meta{CommandID: derivedID("remind", d.claim.Key)}, d.claim)
		if domain.CodeOf(err) == reminder.CodeAlreadyClaimed {
			continue // another node, or this one before a restart
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("reminder %s: %w", d.claim.Key, err))
			continue
		}
		if !res.Duplicate {
			claimed = append(claimed, d.claim)
		}
	}
	return claimed, errors.Join(errs...)
}

// remindsOfErased reports whether c is about a team or survey of a quick
// retro that expired.
func (a *App) remindsOfErased(c reminder.Claim) bool {
	if a.sealer == nil {
		return false
	}
	return (c.TeamID != "" && a.sealer.Erased(eventstore.StreamID{Category: team.Category, ID: c.TeamID})) ||
		(c.SurveyID != "" && a.sealer.Erased(eventstore.StreamID{Category: survey.Category, ID: c.SurveyID}))
}

// RunMailTimers claims due reminders at once (what came due while this
// node was down) and then at every tick, until ctx ends. A pass's failure
// is logged; the next tick tries again.
func (a *App) RunMailTimers(ctx context.Context, tick <-chan time.Time) {
	for {
		claimed, err := a.FireDueReminders(ctx)
		for _, c := range claimed {
			a.d.Logger.Info("mail reminder due", "kind", c.Kind, "key", c.Key)
		}
		if err != nil && ctx.Err() == nil {
			a.d.Logger.Error("mail timers: claiming due reminders", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}

// mailReminder sends the mails of a claimed reminder, to whom it still
// concerns when the reactor gets to it.
func (a *App) mailReminder(ctx context.Context, e eventstore.RecordedEvent) error {
	ev, err := reminder.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
	if err != nil {
		return fmt.Errorf("mail: decode %s: %w", e.Type, err)
	}
	c, ok := ev.(reminder.Claimed)
	if !ok {
		return nil
	}
	switch c.Kind {
	case reminder.KindActionDueSoon, reminder.KindActionOverdue:
		return a.mailActionReminder(ctx, e, c)
	case reminder.KindSurveyOpened:
		s, err := a.loadSurveyForMail(ctx, c.SurveyID)
		if err != nil || !s.Exists() {
			return err
		}
		return a.mailSurveyInvitations(ctx, e, s)
	case reminder.KindSurveyClosing:
		return a.mailSurveyReminders(ctx, e, c)
	case reminder.KindDigest:
		return a.mailDigest(ctx, e, c)
	}
	return nil
}

// mailActionReminder reminds the action's assignee, while the action is
// open, theirs, due when the reminder said, and they are in the team.
func (a *App) mailActionReminder(ctx context.Context, e eventstore.RecordedEvent, c reminder.Claimed) error {
	t, _, err := a.loadTeam(ctx, c.TeamID)
	if err != nil {
		return fmt.Errorf("mail: team %s: %w", c.TeamID, err)
	}
	act, ok := t.Actions[c.ActionID]
	if !ok || !act.Status.IsOpen() || act.Assignee == "" || !act.Due.Equal(c.Due) || !t.IsMember(act.Assignee) {
		return nil
	}
	loc := a.teamZone(ctx, t.ID)
	link := a.appLink("teams", t.ID)
	return a.sendTo(ctx, e, act.Assignee, mail.KindActionReminder, func(lang mail.Lang, unsub string) (string, string, string, error) {
		n := mail.ActionDueSoon(lang, act.Title, t.Name, act.Due, loc, link)
		if c.Kind == reminder.KindActionOverdue {
			n = mail.ActionOverdue(lang, act.Title, t.Name, act.Due, loc, link)
		}
		return a.mail.tmpl.Compose(lang, n, unsub)
	})
}

// mailSurveyReminders reminds each member of the survey's teams who has
// not answered it; each mail goes to one person and names nobody else.
func (a *App) mailSurveyReminders(ctx context.Context, e eventstore.RecordedEvent, c reminder.Claimed) error {
	s, err := a.loadSurveyForMail(ctx, c.SurveyID)
	if err != nil || !s.Exists() || s.IsClosedAt(a.now()) {
		return err
	}
	people, loc, err := a.surveyPeople(ctx, s)
	if err != nil {
		return err
	}
	link := a.appLink("surveys", s.ID)
	for _, userID := range people {
		answered, err := a.answered(ctx, s, userID)
		if err != nil {
			return err
		}
		if answered {
			continue
		}
		if err := a.sendTo(ctx, e, userID, mail.KindSurvey, func(lang mail.Lang, unsub string) (string, string, string, error) {
			return a.mail.tmpl.Compose(lang, mail.SurveyReminder(lang, s.Title, s.ClosesAt, loc, link), unsub)
		}); err != nil {
			return err
		}
	}
	return nil
}

// answered reports whether userID answered the survey: a response under
// their pseudonym, or named open answers.
func (a *App) answered(ctx context.Context, s survey.State, userID string) (bool, error) {
	if _, ok := s.NamedAnswers[userID]; ok {
		return true, nil
	}
	ps, err := a.pseudonym(ctx, surveyKey(s.ID), userID)
	if err != nil || ps == "" {
		return false, err
	}
	_, ok := s.Responses[ps]
	return ok, nil
}
