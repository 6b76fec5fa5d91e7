package app

// The notice mails beside the retro summary: invitations (mail_invites.go),
// reminders and survey mails (mail_reminders.go) and the weekly digest
// (mail_digest.go). Each is a reaction of the mail reactor (mailer.go) to
// an event in the log, sent per recipient in their language with a
// Message-ID per cause, and only to people who did not turn its kind off.

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/hindsight-retro/hindsight/domain/reminder"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// InvitationMaxAge is how old an invitation's cause may be when the mail
// reactor reaches it: mail turned on for a server with a long history
// does not invite everyone to every team and retro of the past.
const InvitationMaxAge = 24 * time.Hour

// noticeReacts reports whether e calls for a notice mail.
func noticeReacts(e eventstore.RecordedEvent) bool {
	switch e.Stream.Category {
	case team.Category:
		return e.Type == team.TypeMemberAdded
	case retro.Category:
		return e.Type == retro.TypeRetroCreated
	case survey.Category:
		return e.Type == survey.TypeSurveyCreated
	case reminder.Category:
		return e.Type == reminder.TypeClaimed
	}
	return false
}

// mailNotices sends the notice mails e calls for.
func (a *App) mailNotices(ctx context.Context, e eventstore.RecordedEvent) error {
	switch {
	case e.Stream.Category == team.Category && e.Type == team.TypeMemberAdded:
		return a.mailTeamInvitation(ctx, e)
	case e.Stream.Category == retro.Category && e.Type == retro.TypeRetroCreated:
		return a.mailRetroInvitations(ctx, e)
	case e.Stream.Category == survey.Category && e.Type == survey.TypeSurveyCreated:
		return a.mailSurveyCreated(ctx, e)
	case e.Stream.Category == reminder.Category && e.Type == reminder.TypeClaimed:
		return a.mailReminder(ctx, e)
	}
	return nil
}

// stale reports whether e happened too long ago to invite anyone.
func (a *App) stale(e eventstore.RecordedEvent) bool {
	return !e.RecordedAt.IsZero() && a.now().Sub(e.RecordedAt) > InvitationMaxAge
}

// appLink is a page of the browser app on the public URL; empty without one.
func (a *App) appLink(kind, id string) string {
	if a.mail.cfg.BaseURL == "" {
		return ""
	}
	return a.mail.cfg.BaseURL + "/" + kind + "/" + url.PathEscape(id)
}

// teamZone is the team's time zone (its schedule's), UTC without one.
func (a *App) teamZone(ctx context.Context, teamID string) *time.Location {
	st, err := a.loadSchedule(ctx, teamID)
	if err != nil || st.Settings.Cadence.TimeZone == "" {
		return time.UTC
	}
	loc, err := zoneOf(st.Settings.Cadence.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// CatchUpMail returns once the mail reactor has handled the log up to
// position (its mails sent or given up); without mail at once.
func (a *App) CatchUpMail(ctx context.Context, position uint64) error {
	if a.mail.reactor == nil {
		return nil
	}
	if err := a.mail.reactor.CatchUp(ctx, position); err != nil {
		return fmt.Errorf("app: mail: %w", err)
	}
	return nil
}
