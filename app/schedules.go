package app

// Recurring retros. A team's schedule (domain/schedule, one stream per
// team) holds its cadence; a timer on every node (FireDueOccurrences, run by
// RunTimers) reads from the log which occurrence is due and claims it with
// FireOccurrence on the schedule's stream: an append with the expected
// version and a command ID per occurrence, so when two nodes race only one
// OccurrenceFired is stored, and the other's retry is refused as fired.
// The retro itself (and the survey before it) is the reaction to
// OccurrenceFired (reactors.go), under a command ID derived from that
// event, so it is made once however often the reactor is offered it. Nothing
// is held in a node's memory that the log does not hold: a node that was
// down learns on start which teams have schedules (logIndex, read from
// the log) and what fired.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/schedule"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// ScheduleInput is a team's cadence and what each of its retros is made of.
type ScheduleInput struct {
	schedule.Settings
}

// ScheduleView is a team's schedule as its members see it.
type ScheduleView struct {
	TeamID string `json:"teamId"`
	// Active is false when the team has no cadence (never set or removed).
	Active   bool               `json:"active"`
	Settings *schedule.Settings `json:"settings,omitempty"`
	// Next are the coming occurrences not fired yet, in UTC.
	Next []time.Time `json:"next"`
	// Fired are the occurrences that made a retro, oldest first.
	Fired []schedule.Fired `json:"fired"`
}

// UpcomingShown is how many coming occurrences a schedule's view lists.
const UpcomingShown = 5

// SetSchedule sets or changes a team's cadence (team admins only).
func (a *App) SetSchedule(ctx context.Context, c identity.Caller, teamID string, in ScheduleInput) (Result, error) {
	t, err := a.scheduleAdmin(ctx, c, teamID)
	if err != nil {
		return Result{}, err
	}
	if err := a.keptOnlyOnceClaimed(ctx, t.WorkspaceID, "a recurring schedule"); err != nil {
		return Result{}, err
	}
	if _, err := zoneOf(in.Cadence.TimeZone); err != nil {
		return Result{}, err
	}
	if _, _, err := a.teamRetroTemplate(ctx, t, in.TemplateID); err != nil {
		return Result{}, err
	}
	if in.SurveyPackID != "" {
		if _, err := a.healthPack(ctx, t.WorkspaceID, in.SurveyPackID); err != nil {
			return Result{}, err
		}
	}
	by := domain.Actor{UserID: c.Principal.UserID}
	return a.scheduleCommand(ctx, teamID, aggregate.Meta{CommandID: c.CommandID, Actor: by.UserID},
		schedule.SetCadence{Actor: by, At: a.now(), TeamID: teamID, Settings: in.Settings})
}

// RemoveSchedule stops a team's retros recurring (team admins only).
func (a *App) RemoveSchedule(ctx context.Context, c identity.Caller, teamID string) (Result, error) {
	if _, err := a.scheduleAdmin(ctx, c, teamID); err != nil {
		return Result{}, err
	}
	by := domain.Actor{UserID: c.Principal.UserID}
	return a.scheduleCommand(ctx, teamID, aggregate.Meta{CommandID: c.CommandID, Actor: by.UserID},
		schedule.RemoveCadence{Actor: by, At: a.now()})
}

// Schedule is the team's schedule and its next occurrences (members only).
func (a *App) Schedule(ctx context.Context, p identity.Principal, teamID string) (ScheduleView, error) {
	if err := canRead(p); err != nil {
		return ScheduleView{}, err
	}
	if err := notGuest(p); err != nil {
		return ScheduleView{}, err
	}
	if _, err := a.teamMember(ctx, p, teamID); err != nil {
		return ScheduleView{}, err
	}
	st, err := a.loadSchedule(ctx, teamID)
	if err != nil {
		return ScheduleView{}, err
	}
	return a.scheduleView(teamID, st), nil
}

func (a *App) scheduleView(teamID string, st schedule.State) ScheduleView {
	v := ScheduleView{TeamID: teamID, Active: st.Active, Next: []time.Time{}, Fired: slices.Clone(st.Fired)}
	if v.Fired == nil {
		v.Fired = []schedule.Fired{}
	}
	if st.Active {
		settings := st.Settings
		v.Settings = &settings
		if loc, err := zoneOf(st.Settings.Cadence.TimeZone); err == nil {
			for _, o := range schedule.Upcoming(st, loc, a.now(), UpcomingShown) {
				v.Next = append(v.Next, o.UTC())
			}
		}
	}
	return v
}

func (a *App) scheduleAdmin(ctx context.Context, c identity.Caller, teamID string) (team.State, error) {
	if err := commandGate(c); err != nil {
		return team.State{}, err
	}
	if err := notGuest(c.Principal); err != nil {
		return team.State{}, err
	}
	t, err := a.teamMember(ctx, c.Principal, teamID)
	if err != nil {
		return team.State{}, err
	}
	if !t.IsAdmin(c.Principal.UserID) {
		return team.State{}, forbidden("only the team's admins set its cadence")
	}
	return t, nil
}

// zoneOf loads an IANA time zone; the binary embeds the zone database
// (time/tzdata), so this works on hosts without one.
func zoneOf(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, domain.Errorf(domain.Invalid, "time-zone-unknown", "name the team's IANA time zone, such as Europe/Berlin")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, domain.Errorf(domain.Invalid, "time-zone-unknown", "%q is not an IANA time zone", name)
	}
	return loc, nil
}

func (a *App) loadSchedule(ctx context.Context, teamID string) (schedule.State, error) {
	st, _, err := a.schedules.Load(ctx, teamID)
	if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
		return schedule.State{}, fmt.Errorf("schedule %s: %w", teamID, err)
	}
	return st, nil
}

func (a *App) scheduleCommand(ctx context.Context, teamID string, meta aggregate.Meta, c schedule.Command) (Result, error) {
	r, err := a.schedules.Handle(ctx, teamID, meta, c)
	if err != nil {
		return Result{}, fmt.Errorf("schedule %s: %w", teamID, err)
	}
	return Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, nil
}

// Firing is one occurrence a node claimed.
type Firing struct {
	TeamID     string
	Occurrence time.Time
	RetroID    string
	Position   uint64
}

// FireDueOccurrences claims every occurrence due now (by the app's clock)
// and waits for the reactions that create their retros. An occurrence
// another node claimed first is not fired again. It answers what this
// node claimed; errors of single teams are joined, the others still fire.
func (a *App) FireDueOccurrences(ctx context.Context) ([]Firing, error) {
	var teams []string
	err := a.index.read(ctx, a.d.Store, func(x *logIndex) {
		for id := range x.scheduled {
			teams = append(teams, id)
		}
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(teams)
	var fired []Firing
	var errs []error
	for _, teamID := range teams {
		f, ok, err := a.fireDue(ctx, teamID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			fired = append(fired, f)
		}
	}
	return fired, errors.Join(errs...)
}

func (a *App) fireDue(ctx context.Context, teamID string) (Firing, bool, error) {
	st, err := a.loadSchedule(ctx, teamID)
	if err != nil || !st.Active {
		return Firing{}, false, err
	}
	loc, err := zoneOf(st.Settings.Cadence.TimeZone)
	if err != nil {
		return Firing{}, false, fmt.Errorf("schedule %s: %w", teamID, err)
	}
	now := a.now()
	occ, due := schedule.Due(st, loc, now)
	if !due {
		return Firing{}, false, nil
	}
	t, _, err := a.loadTeam(ctx, teamID)
	if err != nil {
		return Firing{}, false, err
	}
	mod, ok := scheduledModerator(t, st.SetBy)
	if !ok {
		a.d.Logger.Warn("a due retro has nobody in its team to moderate it; skipped", "team", teamID, "occurrence", occ)
		return Firing{}, false, nil
	}
	retroID := scheduledRetroID(teamID, occ)
	res, err := a.scheduleCommand(ctx, teamID, aggregate.Meta{CommandID: derivedID("fire", teamID+"\x00"+occ.UTC().Format(time.RFC3339)), Actor: mod},
		schedule.FireOccurrence{At: now, Occurrence: occ, CadenceVersion: st.Version, RetroID: retroID, Moderator: mod})
	switch domain.CodeOf(err) {
	case schedule.CodeAlreadyFired, schedule.CodeCadenceChanged, schedule.CodeNoCadence:
		// Another node claimed it, or the admins changed the cadence
		// meanwhile: the next tick decides on what is now.
		return Firing{}, false, nil
	}
	if err != nil {
		return Firing{}, false, err
	}
	if res.Duplicate {
		return Firing{}, false, nil
	}
	if err := a.catchUpReactions(ctx, res.Position); err != nil {
		return Firing{}, false, fmt.Errorf("%w: schedule %s: %w", ErrIncomplete, teamID, err)
	}
	return Firing{TeamID: teamID, Occurrence: occ, RetroID: retroID, Position: res.Position}, true, nil
}

// occurrenceSpace names the UUIDs of scheduled retros: one per team and
// occurrence, the same on every node.
var occurrenceSpace = uuid.MustParse("0b7d3f4e-6f25-5c1a-9a43-3f0d2c6c1e55")

// scheduledModerator is who moderates a scheduled retro: the admin who set
// the cadence while they are in the team, else the first admin by ID.
func scheduledModerator(t team.State, setBy string) (string, bool) {
	if t.IsMember(setBy) {
		return setBy, true
	}
	admins := make([]string, 0, len(t.Admins))
	for u := range t.Admins {
		admins = append(admins, u)
	}
	slices.Sort(admins)
	if len(admins) == 0 {
		return "", false
	}
	return admins[0], true
}

// TimerInterval is how often serve's timer looks for due occurrences: an
// occurrence fires at most this late after its lead time starts.
const TimerInterval = 30 * time.Second

// RunTimers fires due occurrences at once (what came due while this node
// was down) and then at every tick, until ctx ends. A pass's failure is
// logged; the next tick tries again.
func (a *App) RunTimers(ctx context.Context, tick <-chan time.Time) {
	for {
		fired, err := a.FireDueOccurrences(ctx)
		for _, f := range fired {
			a.d.Logger.Info("scheduled retro created", "team", f.TeamID, "retro", f.RetroID, "occurrence", f.Occurrence)
		}
		if err != nil && ctx.Err() == nil {
			a.d.Logger.Error("schedules: firing due occurrences", "err", err)
		}
		a.d.Logger.Debug("schedules: timer pass done", "fired", len(fired))
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}

// occurrenceFired creates the retro of a fired occurrence and, if the
// schedule asks for one, sends its survey, closing when the retro starts.
// Both take command IDs derived from the event, so doing it again stores
// nothing new.
func (a *App) occurrenceFired(ctx context.Context, teamID string, ev schedule.OccurrenceFired, eventID string) error {
	t, _, err := a.loadTeam(ctx, teamID)
	if err != nil {
		return err
	}
	mod := ev.Moderator
	if !t.IsMember(mod) {
		var ok bool
		if mod, ok = scheduledModerator(t, ""); !ok {
			return domain.Errorf(domain.Conflict, "no-moderator", "team %s has no admin to moderate its scheduled retro", teamID)
		}
	}
	st := ev.Settings
	title := scheduledTitle(st, ev.Occurrence)
	cmd, err := a.createRetroCommand(ctx, t, mod, ev.RetroID,
		CreateRetroInput{TeamID: teamID, Title: title, TemplateID: st.TemplateID, Anonymous: st.Anonymous})
	if err != nil {
		return err
	}
	// Straight to the runner, not runRetro: a reaction runs inside the
	// reactor, which must not wait for itself (runRetro's catch-up). The
	// retro's own reactions, if any, follow from the log.
	meta := aggregate.Meta{CommandID: reactionID(eventID), CausationID: eventID, Actor: actorMeta(st.Anonymous, cmd, cmd.Actor)}
	_, err = a.retros.Handle(ctx, ev.RetroID, meta, retroCmd{cmd: cmd, anonymous: st.Anonymous})
	if err != nil && domain.CodeOf(err) != retro.CodeRetroExists {
		return fmt.Errorf("retro %s: %w", ev.RetroID, err)
	}
	if st.SurveyPackID == "" {
		return nil
	}
	caller := identity.Caller{
		Principal: identity.Principal{UserID: mod, Kind: identity.KindUser, Scopes: []identity.Scope{identity.ScopeRead, identity.ScopeWrite}},
		CommandID: derivedID("schedule-survey", eventID),
	}
	_, err = a.CreateSurvey(ctx, caller, CreateSurveyInput{TeamIDs: []string{teamID}, Title: title, RetroID: ev.RetroID,
		PackID: st.SurveyPackID, ClosesAt: ev.Occurrence})
	return err
}

// scheduledTitle is the schedule's title and the occurrence's local date.
func scheduledTitle(st schedule.Settings, occ time.Time) string {
	title := st.Title
	if title == "" {
		title = "Retro"
	}
	if loc, err := time.LoadLocation(st.Cadence.TimeZone); err == nil {
		occ = occ.In(loc)
	}
	return clip(title+" "+occ.Format(time.DateOnly), retro.MaxTitleLen)
}
