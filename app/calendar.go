package app

// Calendars: a team's scheduled retros as iCalendar (documents.Calendar),
// for a member signed in, for one retro's file, and for a calendar app
// polling a feed URL with no session. A feed (domain/calfeed) is opened by
// a token (its ID and a secret derived from a server key); the log holds
// the secret's hash, a revocation closes it on every node at once, and it
// opens only while the member who made it is in the team.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/documents"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/calfeed"
	"github.com/hindsight-retro/hindsight/domain/schedule"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// subjectCalendarFeed names the server secret feed secrets derive from.
const subjectCalendarFeed = "server:calendar-feed"

// Calendar reach: how far back fired retros and how many coming
// occurrences a calendar shows.
const (
	CalendarPast     = 90 * 24 * time.Hour
	CalendarUpcoming = 10
)

// CalendarFeed is a created feed: the token is shown to its creator only.
type CalendarFeed struct {
	FeedID string `json:"feedId"`
	TeamID string `json:"teamId"`
	Token  string `json:"token"`
}

// CalendarFeedInfo is a feed as its list shows it: never its secret.
type CalendarFeedInfo struct {
	FeedID    string     `json:"feedId"`
	CreatedBy string     `json:"createdBy"`
	CreatedAt time.Time  `json:"createdAt"`
	Revoked   bool       `json:"revoked"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
}

// calendarUID is an occurrence's event UID: its retro's ID, which is known
// before the retro exists (scheduledRetroID), so an occurrence and the
// retro made for it are one event to a calendar app.
func calendarUID(retroID string) string { return retroID + "@hindsight" }

// scheduledRetroID is the ID of the retro a team's occurrence makes, the
// same on every node.
func scheduledRetroID(teamID string, occ time.Time) string {
	return uuid.NewSHA1(occurrenceSpace, []byte(teamID+"\x00"+occ.UTC().Format(time.RFC3339))).String()
}

// TeamCalendar is the team's scheduled retros (members only): those of the
// last CalendarPast and the next CalendarUpcoming occurrences.
func (a *App) TeamCalendar(ctx context.Context, p identity.Principal, teamID string) (documents.Calendar, error) {
	if err := canRead(p); err != nil {
		return documents.Calendar{}, err
	}
	if err := notGuest(p); err != nil {
		return documents.Calendar{}, err
	}
	t, err := a.teamMember(ctx, p, teamID)
	if err != nil {
		return documents.Calendar{}, err
	}
	return a.teamCalendar(ctx, t)
}

func (a *App) teamCalendar(ctx context.Context, t team.State) (documents.Calendar, error) {
	st, err := a.loadSchedule(ctx, t.ID)
	if err != nil {
		return documents.Calendar{}, err
	}
	now := a.now()
	cal := documents.Calendar{Name: t.Name + " retros", Stamp: now}
	for _, f := range st.Fired {
		if f.Occurrence.Before(now.Add(-CalendarPast)) {
			continue
		}
		ev, err := a.firedEvent(ctx, f)
		if err != nil {
			return documents.Calendar{}, err
		}
		cal.Events = append(cal.Events, ev)
	}
	if !st.Active {
		return cal, nil
	}
	loc, err := zoneOf(st.Settings.Cadence.TimeZone)
	if err != nil {
		return documents.Calendar{}, err
	}
	for _, o := range schedule.Upcoming(st, loc, now, CalendarUpcoming) {
		cal.Events = append(cal.Events, documents.CalendarEvent{
			UID: calendarUID(scheduledRetroID(t.ID, o)), Title: scheduledTitle(st.Settings, o), Start: o,
			Duration: st.Settings.Cadence.Duration(), Tentative: true,
			Description: fmt.Sprintf("Created %s before it starts.", st.Settings.LeadTime()),
		})
	}
	return cal, nil
}

// firedEvent is a fired occurrence with its retro's title as it is now.
func (a *App) firedEvent(ctx context.Context, f schedule.Fired) (documents.CalendarEvent, error) {
	ev := documents.CalendarEvent{UID: calendarUID(f.RetroID), Start: f.Occurrence,
		Duration: time.Duration(f.Duration) * time.Minute, Title: "Retro"}
	r, _, err := a.loadRetro(ctx, f.RetroID)
	switch {
	case err == nil:
		ev.Title = r.Title
	case domain.KindOf(err) == domain.NotFound:
		// Fired, its retro not made yet: the reactor is on it.
		ev.Tentative = true
	default:
		return ev, err
	}
	return ev, nil
}

// RetroCalendar is one scheduled retro as an iCalendar file, for whoever
// may see the retro. A retro made by hand has no planned time: 404
// retro-not-scheduled.
func (a *App) RetroCalendar(ctx context.Context, p identity.Principal, retroID string) (documents.Calendar, error) {
	if err := canRead(p); err != nil {
		return documents.Calendar{}, err
	}
	r, t, err := a.retroAccess(ctx, p, retroID)
	if err != nil {
		return documents.Calendar{}, err
	}
	st, err := a.loadSchedule(ctx, t.ID)
	if err != nil {
		return documents.Calendar{}, err
	}
	for _, f := range st.Fired {
		if f.RetroID == retroID {
			ev := documents.CalendarEvent{UID: calendarUID(f.RetroID), Title: r.Title, Start: f.Occurrence,
				Duration: time.Duration(f.Duration) * time.Minute}
			return documents.Calendar{Name: r.Title, Stamp: a.now(), Events: []documents.CalendarEvent{ev}}, nil
		}
	}
	return documents.Calendar{}, domain.Errorf(domain.NotFound, "retro-not-scheduled", "retro %s was made by hand and has no planned time", retroID)
}

// calendarFeeds runs the feed aggregate without a cache: every read folds
// the feed's stream from the log, so a revocation on any node closes it on
// every node at once.
func (a *App) calendarFeeds() *aggregate.Runner[calfeed.State, calfeed.Command, calfeed.Event] {
	return &aggregate.Runner[calfeed.State, calfeed.Command, calfeed.Event]{
		Store: a.d.Store, Category: calfeed.Category, Initial: calfeed.Initial, Decide: calfeed.Decide, Evolve: calfeed.Evolve,
		Codec: aggregate.CodecFuncs(calfeed.EncodeEvent, calfeed.DecodeEvent),
	}
}

// CreateCalendarFeed makes a feed of the team's calendar for the caller
// (members only). A retry of the command answers the same token.
func (a *App) CreateCalendarFeed(ctx context.Context, c identity.Caller, teamID string) (CalendarFeed, error) {
	if err := commandGate(c); err != nil {
		return CalendarFeed{}, err
	}
	p := c.Principal
	if err := notGuest(p); err != nil {
		return CalendarFeed{}, err
	}
	t, err := a.teamMember(ctx, p, teamID)
	if err != nil {
		return CalendarFeed{}, err
	}
	if err := a.keptOnlyOnceClaimed(ctx, t.WorkspaceID, "a team's calendar feed"); err != nil {
		return CalendarFeed{}, err
	}
	id, err := a.claimID(ctx, calfeed.Category, p.UserID, c.CommandID)
	if err != nil {
		return CalendarFeed{}, err
	}
	secret, err := a.serverSecret(ctx, subjectCalendarFeed, "hindsight/calendar-feed/v1", id)
	if err != nil {
		return CalendarFeed{}, err
	}
	_, err = a.calendarFeeds().Handle(ctx, id, aggregate.Meta{CommandID: c.CommandID, Actor: p.UserID}, calfeed.CreateFeed{
		Actor: domain.Actor{UserID: p.UserID}, At: a.now(), FeedID: id, TeamID: teamID, SecretHash: calfeed.HashSecret(secret),
	})
	if err != nil {
		return CalendarFeed{}, fmt.Errorf("calendar feed of team %s: %w", teamID, err)
	}
	return CalendarFeed{FeedID: id, TeamID: teamID, Token: id + "." + secret}, nil
}

// CalendarFeeds lists the team's feeds the caller may revoke: their own,
// and every one for a team admin. No secrets.
func (a *App) CalendarFeeds(ctx context.Context, p identity.Principal, teamID string) ([]CalendarFeedInfo, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	if err := notGuest(p); err != nil {
		return nil, err
	}
	t, err := a.teamMember(ctx, p, teamID)
	if err != nil {
		return nil, err
	}
	var ids []string
	if err := a.index.read(ctx, a.d.Store, func(x *logIndex) { ids = append(ids, x.feeds[teamID]...) }); err != nil {
		return nil, err
	}
	out := []CalendarFeedInfo{}
	for _, id := range ids {
		f, err := a.loadCalendarFeed(ctx, id)
		if err != nil {
			return nil, err
		}
		if f.CreatedBy != p.UserID && !t.IsAdmin(p.UserID) {
			continue
		}
		info := CalendarFeedInfo{FeedID: id, CreatedBy: f.CreatedBy, CreatedAt: f.CreatedAt, Revoked: f.Revoked}
		if f.Revoked {
			at := f.RevokedAt
			info.RevokedAt = &at
		}
		out = append(out, info)
	}
	return out, nil
}

// RevokeCalendarFeed closes a feed for good: its creator or a team admin.
func (a *App) RevokeCalendarFeed(ctx context.Context, c identity.Caller, feedID string) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	p := c.Principal
	if err := notGuest(p); err != nil {
		return Result{}, err
	}
	f, err := a.loadCalendarFeed(ctx, feedID)
	if err != nil {
		return Result{}, err
	}
	t, err := a.teamMember(ctx, p, f.TeamID)
	if err != nil {
		return Result{}, hidden("calendar feed %s", feedID)
	}
	res, err := a.calendarFeeds().Handle(ctx, feedID, aggregate.Meta{CommandID: c.CommandID, Actor: p.UserID},
		calfeed.RevokeFeed{Actor: domain.Actor{UserID: p.UserID}, At: a.now(), ActorIsTeamAdmin: t.IsAdmin(p.UserID)})
	if err != nil {
		return Result{}, fmt.Errorf("calendar feed %s: %w", feedID, err)
	}
	return Result{ID: feedID, StreamVersion: res.Version, Position: res.Position, Duplicate: res.Duplicate}, nil
}

// FeedCalendar is the team calendar a feed token opens, with no session:
// the feed must be unrevoked and its creator still in the team.
func (a *App) FeedCalendar(ctx context.Context, token string) (documents.Calendar, error) {
	feedID, secret, ok := strings.Cut(token, ".")
	if !ok || feedID == "" || secret == "" {
		return documents.Calendar{}, notFound("no such calendar feed")
	}
	f, err := a.loadCalendarFeed(ctx, feedID)
	if err != nil {
		return documents.Calendar{}, err
	}
	if err := calfeed.Open(f, secret); err != nil {
		return documents.Calendar{}, err
	}
	t, _, err := a.loadTeam(ctx, f.TeamID)
	if err != nil {
		return documents.Calendar{}, err
	}
	if !t.IsMember(f.CreatedBy) {
		return documents.Calendar{}, domain.Errorf(domain.NotFound, calfeed.CodeRevoked, "the feed's creator left the team")
	}
	return a.teamCalendar(ctx, t)
}

func (a *App) loadCalendarFeed(ctx context.Context, id string) (calfeed.State, error) {
	s, _, err := a.calendarFeeds().Load(ctx, id)
	switch {
	case errors.Is(err, eventstore.ErrInvalidArgument), errors.Is(err, eventstore.ErrStreamNotFound):
		return s, notFound("no such calendar feed")
	case err != nil:
		return s, fmt.Errorf("load calendar feed %s: %w", id, err)
	case !s.Created:
		return s, notFound("no such calendar feed")
	}
	return s, nil
}
