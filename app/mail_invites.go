package app

// Invitations: a person added to a team is told so; when a retro is made
// (by hand or by the team's schedule) every member is invited with its
// link and, for a scheduled one, its time; when a survey opens every
// member of each team it asks is invited to answer.

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hindsight-retro/hindsight/app/mail"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// mailTeamInvitation tells a person added to a team (not one who added
// themselves) that they are in it, while they still are.
func (a *App) mailTeamInvitation(ctx context.Context, e eventstore.RecordedEvent) error {
	if a.stale(e) {
		return nil
	}
	ev, err := team.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
	if err != nil {
		return fmt.Errorf("mail: decode %s: %w", e.Type, err)
	}
	added, ok := ev.(team.MemberAdded)
	if !ok || added.AddedBy == added.UserID {
		return nil
	}
	t, _, err := a.loadTeam(ctx, e.Stream.ID)
	if err != nil {
		return fmt.Errorf("mail: team %s: %w", e.Stream.ID, err)
	}
	if !t.IsMember(added.UserID) {
		return nil // left again before the mail went
	}
	link := a.appLink("teams", t.ID)
	return a.sendTo(ctx, e, added.UserID, mail.KindInvitation, func(lang mail.Lang, unsub string) (string, string, string, error) {
		return a.mail.tmpl.Compose(lang, mail.TeamInvitation(lang, t.Name, link), unsub)
	})
}

// mailRetroInvitations invites the team's members to a new retro: all of
// them to a scheduled one, all but its moderator to one made by hand.
func (a *App) mailRetroInvitations(ctx context.Context, e eventstore.RecordedEvent) error {
	if a.stale(e) {
		return nil
	}
	r, _, err := a.loadRetro(ctx, e.Stream.ID)
	if domain.KindOf(err) == domain.NotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mail: retro %s: %w", e.Stream.ID, err)
	}
	if r.Closed {
		return nil
	}
	t, _, err := a.loadTeam(ctx, r.TeamID)
	if err != nil {
		return fmt.Errorf("mail: team of retro %s: %w", r.RetroID, err)
	}
	st, err := a.loadSchedule(ctx, t.ID)
	if err != nil {
		return fmt.Errorf("mail: schedule of team %s: %w", t.ID, err)
	}
	var start time.Time
	for _, f := range st.Fired {
		if f.RetroID == r.RetroID {
			start = f.Occurrence
		}
	}
	loc := a.teamZone(ctx, t.ID)
	link := a.appLink("retros", r.RetroID)
	for _, userID := range sortedMembers(t) {
		if start.IsZero() && userID == r.Moderator {
			continue // made it by hand: knows
		}
		if err := a.sendTo(ctx, e, userID, mail.KindInvitation, func(lang mail.Lang, unsub string) (string, string, string, error) {
			return a.mail.tmpl.Compose(lang, mail.RetroInvitation(lang, t.Name, r.Title, start, loc, link), unsub)
		}); err != nil {
			return err
		}
	}
	return nil
}

// mailSurveyCreated invites the members of a survey's teams to answer it
// when it opens at once; one planned for later is the mail timers' to
// announce when it opens (reminder.KindSurveyOpened).
func (a *App) mailSurveyCreated(ctx context.Context, e eventstore.RecordedEvent) error {
	ev, err := survey.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
	if err != nil {
		return fmt.Errorf("mail: decode %s: %w", e.Type, err)
	}
	created, ok := ev.(survey.SurveyCreated)
	if !ok || opensLater(created.OpensAt, created.At) || a.stale(e) {
		return nil
	}
	s, err := a.loadSurveyForMail(ctx, e.Stream.ID)
	if err != nil || !s.Exists() {
		return err
	}
	return a.mailSurveyInvitations(ctx, e, s)
}

// opensLater reports whether a survey was made to open later than it was
// made (so its invitation waits for the opening).
func opensLater(opens, created time.Time) bool { return opens.After(created.Add(time.Minute)) }

func (a *App) loadSurveyForMail(ctx context.Context, id string) (survey.State, error) {
	s, _, err := a.surveys.Load(ctx, id)
	if err != nil {
		return survey.State{}, fmt.Errorf("mail: survey %s: %w", id, err)
	}
	return s, nil
}

// mailSurveyInvitations asks every member of the survey's teams, once
// each, to answer it, while it is open.
func (a *App) mailSurveyInvitations(ctx context.Context, e eventstore.RecordedEvent, s survey.State) error {
	if s.IsClosedAt(a.now()) {
		return nil
	}
	people, loc, err := a.surveyPeople(ctx, s)
	if err != nil {
		return err
	}
	link := a.appLink("surveys", s.ID)
	for _, userID := range people {
		if err := a.sendTo(ctx, e, userID, mail.KindSurvey, func(lang mail.Lang, unsub string) (string, string, string, error) {
			return a.mail.tmpl.Compose(lang, mail.SurveyInvitation(lang, s.Title, s.ClosesAt, loc, link), unsub)
		}); err != nil {
			return err
		}
	}
	return nil
}

// surveyPeople are the members of the survey's teams, each once, sorted,
// and the time zone its mails name (its first team's).
func (a *App) surveyPeople(ctx context.Context, s survey.State) ([]string, *time.Location, error) {
	var people []string
	for _, id := range s.TeamIDs {
		t, _, err := a.loadTeam(ctx, id)
		if err != nil {
			return nil, nil, fmt.Errorf("mail: team %s of survey %s: %w", id, s.ID, err)
		}
		for _, u := range sortedMembers(t) {
			if !slices.Contains(people, u) {
				people = append(people, u)
			}
		}
	}
	slices.Sort(people)
	loc := time.UTC
	if len(s.TeamIDs) > 0 {
		loc = a.teamZone(ctx, s.TeamIDs[0])
	}
	return people, loc, nil
}

func sortedMembers(t team.State) []string {
	out := make([]string, 0, len(t.Members))
	for id, in := range t.Members {
		if in {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
