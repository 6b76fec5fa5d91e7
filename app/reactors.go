package app

// Reactors carry the consequences of retro and survey events to other
// aggregates and keys:
//
//   - ActionCreated → team.RecordAction: the action becomes the team's, and
//     the next retro's action review carries it while it is open.
//   - ActionStatusSet → team.UpdateActionStatus (open, done, discarded).
//   - CarriedActionReviewed → team.UpdateActionStatus (kept, done,
//     discarded) with the retro as the review's place: done and discarded
//     actions are not carried into the next retro.
//   - RetroClosed → the retro's anonymity key is destroyed: from then on
//     nobody can link a pseudonym in its events to a person.
//   - StepChanged into a health-check step → StartHealthCheck with the
//     pack the retro's template suggests, else the team's; into an icebreaker step → an icebreaker drawn at random;
//     each only if not done yet.
//   - TopicWhiteboardOpened → the board's metadata (domain/board) and
//     first content, so members and admitted guests can open it (whiteboards.go).
//   - ActionAssigned → team.ReassignAction, ActionDueDateSet →
//     team.RescheduleAction: the team's action tracker shows who has it and
//     by when. An assignee who is not a member (a guest) leaves the team's
//     action unassigned, as on recording. A done or discarded action's
//     plan is history on the team and is left as it is.
//   - SurveyClosed → the survey's anonymity key is destroyed.
//   - a schedule's OccurrenceFired → the occurrence's retro, with the
//     team's open actions carried in, and its survey if the schedule
//     asks for one (schedules.go).
//   - a board's Created → the board listed on its team (CategoryTeamBoards)
//     and, if the server makes its document, its first content
//     (whiteboards.go, boardCreated).
//
// Reactions follow the log (projections/runner's Reactor, named
// ReactorName): the command is stored first, and the reactor, which
// reads the log from its checkpoint, carries out what its events call for.
// A crash between the two loses nothing: after a restart the reactor finds
// the cause after its checkpoint. A retro command's use case (and closing a
// survey) waits for its own reactions (CatchUp to its position) before it
// answers, so a caller sees the team's side at once; if one fails it answers ErrIncomplete and
// the reactor keeps retrying in the background (a retry of the command with
// the same ID waits for it again).
//
// Every reaction's command ID is derived from the retro event's ID
// ("react-<event ID>"), so a reaction offered twice (the reactor delivers at
// least once) is stored once, and a rejection that means "already so"
// (action exists, status, assignee or due date unchanged, health check
// started) counts as done. A rejection that means "never" (the team has no
// member left to act in the name of) is logged and passed, as it would
// otherwise hold up every later reaction.

import (
	"context"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/board"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/schedule"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
	"github.com/hindsight-retro/hindsight/projections/runner"
)

// ReactorName names the app's reactor: its checkpoint stream in the log.
const ReactorName = "app-reactions"

func (a *App) newReactor() (*runner.Reactor, error) {
	return runner.NewReactor(runner.ReactorConfig{
		Name: ReactorName, Store: a.d.Store, Logger: a.d.Logger, Crashpoint: a.d.Crashpoint,
		Reacts: func(e eventstore.RecordedEvent) bool { return a.reactionTo(e) != nil },
		React: func(ctx context.Context, e eventstore.RecordedEvent) error {
			do := a.reactionTo(e)
			if do == nil {
				return nil
			}
			err := do(ctx)
			if k := domain.KindOf(err); k != 0 && k != domain.Unavailable {
				a.d.Logger.Error("a reaction was refused and is given up", "stream", e.Stream.String(),
					"position", e.Position, "type", e.Type, "err", err)
				return nil
			}
			return err
		},
	})
}

// reactionTo is what an event of the log calls for, nil for nothing: the
// reactions to retro events (reaction), a created board listed and
// seeded, and a closed survey's key destroyed. An event that does not decode calls for nothing (the read
// models report it).
func (a *App) reactionTo(e eventstore.RecordedEvent) func(context.Context) error {
	switch e.Stream.Category {
	case retro.Category:
		ev, err := retro.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
		if err != nil {
			return nil
		}
		do := a.reaction(ev)
		if do == nil {
			return nil
		}
		// On the retro as it is now.
		return func(ctx context.Context) error {
			st, _, err := a.retros.Load(ctx, e.Stream.ID)
			if err != nil {
				return fmt.Errorf("load retro %s: %w", e.Stream.ID, err)
			}
			return do(ctx, st, e.EventID)
		}
	case board.Category:
		if e.Type == board.TypeNotesRevealed {
			return func(ctx context.Context) error { return a.notesRevealed(ctx, e.Stream.ID) }
		}
		if e.Type != board.TypeCreated {
			return nil
		}
		ev, err := board.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
		if err != nil {
			return nil
		}
		return func(ctx context.Context) error { return a.boardCreated(ctx, ev.(board.Created), e.EventID) }
	case schedule.Category:
		if e.Type != schedule.TypeOccurrenceFired {
			return nil
		}
		ev, err := schedule.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
		if err != nil {
			return nil
		}
		return func(ctx context.Context) error {
			return a.occurrenceFired(ctx, e.Stream.ID, ev.(schedule.OccurrenceFired), e.EventID)
		}
	case survey.Category:
		if e.Type != survey.TypeSurveyClosed {
			return nil
		}
		return func(ctx context.Context) error {
			if err := a.d.Keys.Destroy(ctx, surveyKey(e.Stream.ID)); err != nil {
				return fmt.Errorf("destroy the anonymity key: %w", err)
			}
			return nil
		}
	}
	return nil
}

// reactive reports whether any of a retro command's events calls for a
// reaction.
func (a *App) reactive(evs []retro.Event) bool {
	return slices.ContainsFunc(evs, func(e retro.Event) bool { return a.reaction(e) != nil })
}

// reactionFunc does a reaction to a retro event, given the retro's state
// and the event's ID in the log.
type reactionFunc func(ctx context.Context, st retro.State, eventID string) error

// reaction is what a retro event calls for; nil for nothing. It is the one
// list of retro events the app reacts to.
func (a *App) reaction(ev retro.Event) reactionFunc {
	switch e := ev.(type) {
	case retro.ActionCreated:
		return func(ctx context.Context, st retro.State, eventID string) error {
			return a.recordTeamAction(ctx, st, e.ActionID, reactionID(eventID), eventID)
		}
	case retro.ActionStatusSet:
		return func(ctx context.Context, st retro.State, eventID string) error {
			return a.setTeamActionStatus(ctx, st, e.ActionID, teamStatus(e.Status), eventID, true)
		}
	case retro.ActionAssigned:
		return func(ctx context.Context, st retro.State, eventID string) error {
			return a.planTeamAction(ctx, st, e.ActionID, eventID, func(by domain.Actor, t team.State) team.Command {
				c := team.ReassignAction{Actor: by, At: a.now(), ActionID: e.ActionID, RetroID: st.RetroID}
				if t.IsMember(e.Assignee) {
					c.Assignee = e.Assignee
				}
				return c
			})
		}
	case retro.ActionDueDateSet:
		return func(ctx context.Context, st retro.State, eventID string) error {
			return a.planTeamAction(ctx, st, e.ActionID, eventID, func(by domain.Actor, _ team.State) team.Command {
				return team.RescheduleAction{Actor: by, At: a.now(), ActionID: e.ActionID, Due: e.Due, RetroID: st.RetroID}
			})
		}
	case retro.CarriedActionReviewed:
		return func(ctx context.Context, st retro.State, eventID string) error {
			return a.setTeamActionStatus(ctx, st, e.ActionID, outcomeStatus(e.Outcome), eventID, false)
		}
	case retro.RetroClosed:
		return func(ctx context.Context, st retro.State, _ string) error {
			if err := a.d.Keys.Destroy(ctx, retroKey(st.RetroID)); err != nil {
				return fmt.Errorf("destroy the anonymity key: %w", err)
			}
			return nil
		}
	case retro.StepChanged:
		return func(ctx context.Context, st retro.State, eventID string) error {
			return a.stepEntered(ctx, st, e.To, eventID)
		}
	case retro.TopicWhiteboardOpened:
		return func(ctx context.Context, st retro.State, eventID string) error {
			return a.openRetroBoard(ctx, st, e, eventID)
		}
	}
	return nil
}

func reactionID(eventID string) string { return "react-" + eventID }

// teamActorFor is who the team's records name for a change that came from
// a retro: its moderator if they are a member of the team, else its
// creator (the first participant), else a team admin. Never the person who
// made the change in the retro: in an anonymous retro that would tie them
// to it.
func teamActorFor(r retro.State, t team.State) (domain.Actor, bool) {
	if t.IsMember(r.Moderator) {
		return domain.Actor{UserID: r.Moderator}, true
	}
	for _, u := range r.ParticipantOrder {
		if t.IsMember(u) {
			return domain.Actor{UserID: u}, true
		}
	}
	admins := make([]string, 0, len(t.Admins))
	for u := range t.Admins {
		admins = append(admins, u)
	}
	slices.Sort(admins)
	if len(admins) > 0 {
		return domain.Actor{UserID: admins[0]}, true
	}
	return domain.Actor{}, false
}

// recordTeamAction records a retro's action on the team unless it is there.
func (a *App) recordTeamAction(ctx context.Context, st retro.State, actionID, cmdID, causeID string) error {
	t, _, err := a.loadTeam(ctx, st.TeamID)
	if err != nil {
		return err
	}
	if _, ok := t.Actions[actionID]; ok {
		return nil
	}
	ra, ok := st.Actions[actionID]
	if !ok {
		return fmt.Errorf("action %s is not in retro %s", actionID, st.RetroID)
	}
	by, ok := teamActorFor(st, t)
	if !ok {
		return fmt.Errorf("team %s has no member to record the action", t.ID)
	}
	c := team.RecordAction{Actor: by, At: a.now(), ActionID: ra.ID, Title: clip(ra.Title, team.MaxTitleLength), OriginRetroID: st.RetroID}
	// The team holds members' actions: an assignee who is not a member (a
	// guest) stays on the retro's action only.
	if t.IsMember(ra.Assignee) {
		c.Assignee = ra.Assignee
	}
	if ra.Due != nil {
		c.Due = *ra.Due
	}
	_, err = a.teamCommand(ctx, t.ID, aggregate.Meta{CommandID: cmdID, CausationID: causeID, Actor: by.UserID}, c)
	if domain.CodeOf(err) == team.CodeActionExists {
		return nil
	}
	return err
}

// setTeamActionStatus carries a status decided in a retro to the team.
// fromThisRetro says the action was created in this retro (and so may
// still be missing on the team if its recording failed); carried actions
// are the team's already.
func (a *App) setTeamActionStatus(ctx context.Context, st retro.State, actionID string, status team.ActionStatus, eventID string, fromThisRetro bool) error {
	if status == "" {
		return nil
	}
	t, _, err := a.loadTeam(ctx, st.TeamID)
	if err != nil {
		return err
	}
	cur, ok := t.Actions[actionID]
	if !ok && fromThisRetro {
		if err := a.recordTeamAction(ctx, st, actionID, derivedID("react-record", st.RetroID+"\x00"+actionID), eventID); err != nil {
			return err
		}
		if t, _, err = a.loadTeam(ctx, st.TeamID); err != nil {
			return err
		}
		cur, ok = t.Actions[actionID]
	}
	if !ok {
		a.d.Logger.Warn("a retro reviewed an action the team does not have", "retro", st.RetroID, "action", actionID)
		return nil
	}
	if cur.Status == status && status != team.StatusKept {
		return nil
	}
	by, found := teamActorFor(st, t)
	if !found {
		return fmt.Errorf("team %s has no member to update the action", t.ID)
	}
	_, err = a.teamCommand(ctx, t.ID, aggregate.Meta{CommandID: reactionID(eventID), CausationID: eventID, Actor: by.UserID},
		team.UpdateActionStatus{Actor: by, At: a.now(), ActionID: actionID, Status: status, RetroID: st.RetroID})
	if domain.CodeOf(err) == team.CodeStatusUnchanged {
		return nil
	}
	return err
}

// planTeamAction carries a change of a retro action's assignee or due date
// to the team. If the team does not have the action yet (its recording
// failed), recording it now takes the retro's current assignee and due
// date, and the change is then already so.
func (a *App) planTeamAction(ctx context.Context, st retro.State, actionID, eventID string, build func(domain.Actor, team.State) team.Command) error {
	t, _, err := a.loadTeam(ctx, st.TeamID)
	if err != nil {
		return err
	}
	cur, ok := t.Actions[actionID]
	if !ok {
		if err := a.recordTeamAction(ctx, st, actionID, derivedID("react-record", st.RetroID+"\x00"+actionID), eventID); err != nil {
			return err
		}
		if t, _, err = a.loadTeam(ctx, st.TeamID); err != nil {
			return err
		}
		if cur, ok = t.Actions[actionID]; !ok {
			return fmt.Errorf("action %s is missing on team %s after recording it", actionID, t.ID)
		}
	}
	if !cur.Status.IsOpen() {
		return nil
	}
	by, found := teamActorFor(st, t)
	if !found {
		return fmt.Errorf("team %s has no member to change the action", t.ID)
	}
	_, err = a.teamCommand(ctx, t.ID, aggregate.Meta{CommandID: reactionID(eventID), CausationID: eventID, Actor: by.UserID}, build(by, t))
	switch domain.CodeOf(err) {
	case team.CodeAssigneeUnchanged, team.CodeDueUnchanged, team.CodeActionClosed:
		// Already so, or closed on the team meanwhile.
		return nil
	}
	return err
}

func teamStatus(s retro.ActionStatus) team.ActionStatus {
	switch s {
	case retro.ActionOpen:
		return team.StatusOpen
	case retro.ActionDone:
		return team.StatusDone
	case retro.ActionDiscarded:
		return team.StatusDiscarded
	}
	return ""
}

func outcomeStatus(o retro.Outcome) team.ActionStatus {
	switch o {
	case retro.OutcomeKept:
		return team.StatusKept
	case retro.OutcomeDone:
		return team.StatusDone
	case retro.OutcomeDiscarded:
		return team.StatusDiscarded
	}
	return ""
}

// stepEntered prepares a step the moderator moved to: the health check gets
// the default pack's questions (see defaultHealthPack), the icebreaker a question drawn at random,
// each only if the moderator has not set one up already.
func (a *App) stepEntered(ctx context.Context, st retro.State, stepID, eventID string) error {
	var kind retro.StepKind
	for _, s := range st.Agenda {
		if s.ID == stepID {
			kind = s.Kind
		}
	}
	if kind != retro.KindHealthCheck && kind != retro.KindIcebreaker {
		return nil
	}
	now, _, err := a.retros.Load(ctx, st.RetroID)
	if err != nil {
		return err
	}
	if now.Closed {
		return nil
	}
	// The moderator sets a step up; the reaction does it in their name.
	moderator := domain.Actor{UserID: now.Moderator}
	var cmd retro.Command
	switch {
	case kind == retro.KindHealthCheck && !now.Health.Started:
		t, _, err := a.loadTeam(ctx, st.TeamID)
		if err != nil {
			return err
		}
		pack, err := a.healthPack(ctx, t.WorkspaceID, a.defaultHealthPack(ctx, now, t))
		if err != nil || len(pack.Questions) == 0 {
			return nil
		}
		cmd = retro.StartHealthCheck{Actor: moderator, At: a.now(), Questions: pack.Questions}
	case kind == retro.KindIcebreaker && now.Icebreaker == nil:
		c, err := a.icebreaker(ctx, "", moderator, a.now(), "")
		if err != nil {
			return err
		}
		if c.Text == "" {
			return nil
		}
		cmd = c
	default:
		return nil
	}
	meta := aggregate.Meta{CommandID: reactionID(eventID), CausationID: eventID, Actor: actorMeta(now.Anonymous, cmd, moderator)}
	_, err = a.retros.Handle(ctx, st.RetroID, meta, retroCmd{cmd: cmd, anonymous: now.Anonymous})
	switch domain.CodeOf(err) {
	case retro.CodeHealthCheckStarted, retro.CodeIcebreakerAnswered, retro.CodeNotModerator:
		// Set up meanwhile, or the moderator changed: theirs to do.
		return nil
	}
	return err
}

func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max])
}

// catchUpReactions waits until the reactor has done the reactions of the
// log up to position.
func (a *App) catchUpReactions(ctx context.Context, position uint64) error {
	if a.reactorErr != nil {
		return fmt.Errorf("app: reactions: %w", a.reactorErr)
	}
	return a.reactor.CatchUp(ctx, position)
}

// CatchUpReactions returns once this node's reactor has done the reactions
// of the log up to position (a Result's or Firing's Position).
func (a *App) CatchUpReactions(ctx context.Context, position uint64) error {
	return a.catchUpReactions(ctx, position)
}

// StartReactions sets the reactor following the log from its checkpoint,
// so the reactions of commands whose node stopped before doing them (a
// crash, a kill) are done, and those of commands on other nodes too. It
// runs until ctx ends or CloseReactions.
func (a *App) StartReactions(ctx context.Context) error {
	if a.reactorErr != nil {
		return fmt.Errorf("app: reactions: %w", a.reactorErr)
	}
	if err := a.reactor.Start(ctx); err != nil {
		return fmt.Errorf("app: start the reactions: %w", err)
	}
	return nil
}

// FollowWriters keeps the retro and team states this node's writers hold
// current from the log, so a retro command neither reads the retro nor its
// team from the store (aggregate.Follow). It returns when ctx is done.
// Without it every command reads them from the store, as Load does.
func (a *App) FollowWriters(ctx context.Context) error {
	if err := aggregate.Follow(ctx, a.d.Store, a.retros, a.teams); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	return nil
}

// CloseReactions stops following the log and saves the reactor's checkpoint.
func (a *App) CloseReactions() error {
	if a.reactor == nil {
		return nil
	}
	if err := a.reactor.Close(); err != nil {
		return fmt.Errorf("app: close the reactions: %w", err)
	}
	return nil
}

// ReactionsCollector exports the reactor's checkpoint, lag and failed
// attempts; nil when the reactor could not be built.
func (a *App) ReactionsCollector() prometheus.Collector {
	if a.reactor == nil {
		return nil
	}
	return a.reactor.Collector()
}
