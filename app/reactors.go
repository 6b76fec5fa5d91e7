package app

// Reactors carry a retro's consequences to other aggregates and keys:
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
//   - TopicWhiteboardOpened → the board's metadata (collab/board) and
//     first content, so members and admitted guests can open it (whiteboards.go).
//   - ActionAssigned → team.ReassignAction, ActionDueDateSet →
//     team.RescheduleAction: the team's action tracker shows who has it and
//     by when. An assignee who is not a member (a guest) leaves the team's
//     action unassigned, as on recording. A done or discarded action's
//     plan is history on the team and is left as it is.
//
// Every reaction's command ID is derived from the retro event's ID
// ("react-<event ID>"), so doing a reaction twice stores it once, and a
// rejection that means "already so" (action exists, status, assignee or
// due date unchanged, health check started) counts as done.
//
// Failure mode: the retro command is stored first and its reactions run
// after it, in the same call. If a reaction fails (the node dies, the store
// is unreachable), the retro's change stands and the team lags behind. The
// caller gets ErrIncomplete with the Result, the failure is logged, and a
// retry of the same command ID — which a client does on any error — is
// answered as a duplicate and runs the reactions again, completing them.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// react runs the reactions to one handled retro command.
func (a *App) react(ctx context.Context, retroID string, r aggregate.Result[retro.State, retro.Event], actor domain.Actor) error {
	if len(r.Events) == 0 || r.Position == 0 {
		return nil
	}
	ids, err := a.eventIDs(ctx, retroID, r)
	if err != nil {
		return a.incomplete(retroID, err)
	}
	var errs []error
	for i, e := range r.Events {
		if err := a.reactTo(ctx, r.State, ids[i], e, actor); err != nil {
			errs = append(errs, fmt.Errorf("react to %s %s: %w", e.EventType(), ids[i], err))
		}
	}
	if len(errs) > 0 {
		return a.incomplete(retroID, errors.Join(errs...))
	}
	return nil
}

func (a *App) incomplete(retroID string, err error) error {
	a.d.Logger.Error("retro command stored, reaction failed; a retry with the same command ID completes it",
		"retro", retroID, "err", err)
	return fmt.Errorf("%w: retro %s: %w", ErrIncomplete, retroID, err)
}

// eventIDs reads back the stored IDs of the command's events, in order.
func (a *App) eventIDs(ctx context.Context, retroID string, r aggregate.Result[retro.State, retro.Event]) ([]string, error) {
	stream := eventstore.StreamID{Category: CategoryRetro, ID: retroID}
	recs, err := a.d.Store.Load(ctx, stream, r.Version-int64(len(r.Events)))
	if err != nil {
		return nil, fmt.Errorf("read back the commit at %d: %w", r.Position, err)
	}
	var ids []string
	for _, re := range recs {
		if re.Position == r.Position {
			ids = append(ids, re.EventID)
		}
	}
	if len(ids) != len(r.Events) {
		return nil, fmt.Errorf("the commit at %d holds %d events, the command made %d", r.Position, len(ids), len(r.Events))
	}
	return ids, nil
}

func reactionID(eventID string) string { return "react-" + eventID }

func (a *App) reactTo(ctx context.Context, st retro.State, eventID string, e retro.Event, actor domain.Actor) error {
	switch e := e.(type) {
	case retro.ActionCreated:
		return a.recordTeamAction(ctx, st, e.ActionID, reactionID(eventID), eventID)
	case retro.ActionStatusSet:
		return a.setTeamActionStatus(ctx, st, e.ActionID, teamStatus(e.Status), eventID, true)
	case retro.ActionAssigned:
		return a.planTeamAction(ctx, st, e.ActionID, eventID, func(by domain.Actor, t team.State) team.Command {
			c := team.ReassignAction{Actor: by, At: a.now(), ActionID: e.ActionID, RetroID: st.RetroID}
			if t.IsMember(e.Assignee) {
				c.Assignee = e.Assignee
			}
			return c
		})
	case retro.ActionDueDateSet:
		return a.planTeamAction(ctx, st, e.ActionID, eventID, func(by domain.Actor, _ team.State) team.Command {
			return team.RescheduleAction{Actor: by, At: a.now(), ActionID: e.ActionID, Due: e.Due, RetroID: st.RetroID}
		})
	case retro.CarriedActionReviewed:
		return a.setTeamActionStatus(ctx, st, e.ActionID, outcomeStatus(e.Outcome), eventID, false)
	case retro.RetroClosed:
		if err := a.d.Keys.Destroy(ctx, retroKey(st.RetroID)); err != nil {
			return fmt.Errorf("destroy the anonymity key: %w", err)
		}
	case retro.StepChanged:
		return a.stepEntered(ctx, st, e.To, eventID, actor)
	case retro.TopicWhiteboardOpened:
		return a.openRetroBoard(ctx, st, e, eventID)
	}
	return nil
}

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
func (a *App) stepEntered(ctx context.Context, st retro.State, stepID, eventID string, moderator domain.Actor) error {
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
	var cmd retro.Command
	switch {
	case kind == retro.KindHealthCheck && !now.Health.Started:
		t, _, err := a.loadTeam(ctx, st.TeamID)
		if err != nil {
			return err
		}
		pack, ok := a.d.Catalog.HealthPack(a.defaultHealthPack(now, t))
		if !ok || len(pack.Questions) == 0 {
			return nil
		}
		cmd = retro.StartHealthCheck{Actor: moderator, At: a.now(), Questions: pack.Questions}
	case kind == retro.KindIcebreaker && now.Icebreaker == nil:
		c, err := a.icebreaker(moderator, a.now(), "")
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
	case "health-check-started", "icebreaker-answered", "not-moderator":
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
