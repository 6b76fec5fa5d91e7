package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// Refusals of the app's own checks. Domain rejections come back as
// *domain.Error too; these are the rest.
var (
	// ErrIncomplete: the command was stored but a consequence of it (a
	// reactor's command on another aggregate, a key destruction) failed.
	// The Result returned with it is valid; a retry with the same command
	// ID completes the consequence and writes nothing twice.
	ErrIncomplete = &domain.Error{Kind: domain.Unavailable, Code: "incomplete",
		Message: "the command was stored but a follow-up failed; retry with the same Idempotency-Key"}
)

func forbidden(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{domain.ErrForbidden}, args...)...)
}

func notFound(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{domain.ErrNotFound}, args...)...)
}

// hidden refuses a principal who may not know that the resource exists: a
// team, retro, survey, workspace or board of others. It is domain.ErrNotFound, so
// the answer is the one a missing ID gets and an ID guessed or copied from
// elsewhere tells an outsider nothing. Those who may know it exists but
// not do this (a workspace admin outside a team, a member who is not the
// moderator) get domain.ErrForbidden or the domain's rejection instead.
func hidden(format string, args ...any) error { return notFound(format, args...) }

// seesWorkspace reports whether the user may know the workspace exists:
// its admins and the members of its teams.
func (a *App) seesWorkspace(ctx context.Context, ws workspace.State, userID string) (bool, error) {
	if workspace.IsAdmin(ws, userID) {
		return true, nil
	}
	for id := range ws.Teams {
		t, _, err := a.teams.Load(ctx, id)
		if err != nil {
			return false, fmt.Errorf("load team %s: %w", id, err)
		}
		if t.IsMember(userID) {
			return true, nil
		}
	}
	return false, nil
}

// visibleWorkspace loads a workspace the principal may know exists.
func (a *App) visibleWorkspace(ctx context.Context, p identity.Principal, id string) (workspace.State, error) {
	ws, _, err := a.loadWorkspace(ctx, id)
	if err != nil {
		return ws, err
	}
	ok, err := a.seesWorkspace(ctx, ws, p.UserID)
	if err != nil {
		return ws, err
	}
	if !ok {
		return ws, hidden("workspace %s is not one the principal is in", id)
	}
	return ws, nil
}

// visibleTeam loads a team the principal may know exists: its members and
// its workspace's admins (workspace.CanSeeTeamMetadata).
func (a *App) visibleTeam(ctx context.Context, p identity.Principal, id string) (team.State, workspace.State, error) {
	t, _, err := a.loadTeam(ctx, id)
	if err != nil {
		return t, workspace.State{}, err
	}
	ws, _, err := a.loadWorkspace(ctx, t.WorkspaceID)
	if err != nil {
		return t, ws, err
	}
	if !workspace.CanSeeTeamMetadata(ws, t, p.UserID) {
		return t, ws, hidden("team %s is not one the principal is in", id)
	}
	return t, ws, nil
}

// canRead: every authenticated principal holding read or write scope.
func canRead(p identity.Principal) error {
	if p.UserID == "" {
		return domain.ErrUnauthenticated
	}
	if !p.Can(identity.ScopeRead) && !p.Can(identity.ScopeWrite) {
		return forbidden("the token may not read")
	}
	return nil
}

// canWrite: commands need write scope; a read-only token gets domain.ErrForbidden.
func canWrite(p identity.Principal) error {
	if p.UserID == "" {
		return domain.ErrUnauthenticated
	}
	if !p.Can(identity.ScopeWrite) {
		return forbidden("the token is read-only")
	}
	return nil
}

// commandGate is what every command needs before anything is loaded: a
// principal allowed to write, and a usable command ID (the idempotency key).
func commandGate(c identity.Caller) error {
	if err := canWrite(c.Principal); err != nil {
		return err
	}
	cmdID := c.CommandID
	if cmdID == "" {
		return domain.Errorf(domain.Invalid, "command-id-required", "a command ID (idempotency key) is required")
	}
	if len(cmdID) > eventstore.MaxIDLength {
		return domain.Errorf(domain.Invalid, "command-id-invalid", "the command ID is longer than %d characters", eventstore.MaxIDLength)
	}
	for i := 0; i < len(cmdID); i++ {
		if cmdID[i] < 0x21 || cmdID[i] > 0x7e {
			return domain.Errorf(domain.Invalid, "command-id-invalid", "the command ID holds a space, control or non-ASCII character")
		}
	}
	return nil
}

// notGuest: guests see one retro and nothing else of the workspace.
func notGuest(p identity.Principal) error {
	if p.Kind == identity.KindGuest {
		return forbidden("guests take part in the retro they were invited to, nothing else")
	}
	return nil
}

func (a *App) loadWorkspace(ctx context.Context, id string) (workspace.State, int64, error) {
	if id == "" {
		return workspace.State{}, 0, notFound("no workspace ID")
	}
	s, v, err := a.workspaces.Load(ctx, id)
	if errors.Is(err, eventstore.ErrInvalidArgument) {
		// An ID no stream can have names nothing that exists.
		return s, v, notFound("workspace %q", id)
	}
	if err != nil {
		return s, v, fmt.Errorf("load workspace %s: %w", id, err)
	}
	if !s.Exists() {
		return s, v, notFound("workspace %s", id)
	}
	return s, v, nil
}

func (a *App) loadTeam(ctx context.Context, id string) (team.State, int64, error) {
	return loadTeamWith(a.teams.Load, ctx, id)
}

func loadTeamWith(load loader[team.State], ctx context.Context, id string) (team.State, int64, error) {
	if id == "" {
		return team.State{}, 0, notFound("no team ID")
	}
	s, v, err := load(ctx, id)
	if errors.Is(err, eventstore.ErrInvalidArgument) {
		// An ID no stream can have names nothing that exists.
		return s, v, notFound("team %q", id)
	}
	if err != nil {
		return s, v, fmt.Errorf("load team %s: %w", id, err)
	}
	if !s.Exists() {
		return s, v, notFound("team %s", id)
	}
	return s, v, nil
}

func (a *App) loadRetro(ctx context.Context, id string) (retro.State, int64, error) {
	return loadRetroWith(a.retros.Load, ctx, id)
}

func loadRetroWith(load loader[retro.State], ctx context.Context, id string) (retro.State, int64, error) {
	if id == "" {
		return retro.State{}, 0, notFound("no retro ID")
	}
	s, v, err := load(ctx, id)
	if errors.Is(err, eventstore.ErrInvalidArgument) {
		// An ID no stream can have names nothing that exists.
		return s, v, notFound("retro %q", id)
	}
	if err != nil {
		return s, v, fmt.Errorf("load retro %s: %w", id, err)
	}
	if !s.Created {
		return s, v, notFound("retro %s", id)
	}
	return s, v, nil
}

func (a *App) loadSurvey(ctx context.Context, id string) (survey.State, error) {
	if id == "" {
		return survey.State{}, notFound("no survey ID")
	}
	s, _, err := a.surveys.Load(ctx, id)
	if errors.Is(err, eventstore.ErrInvalidArgument) {
		return s, notFound("survey %q", id)
	}
	if err != nil {
		return s, fmt.Errorf("load survey %s: %w", id, err)
	}
	if !s.Exists() {
		return s, notFound("survey %s", id)
	}
	return s, nil
}

// teamMember loads a team the principal must be a member of. Workspace
// admins who are not members are refused: they run the workspace, not the
// team's conversations (workspace.CanSeeTeamContent).
func (a *App) teamMember(ctx context.Context, p identity.Principal, teamID string) (team.State, error) {
	if err := notGuest(p); err != nil {
		return team.State{}, err
	}
	t, ws, err := a.visibleTeam(ctx, p, teamID)
	if err != nil {
		return t, err
	}
	if !workspace.CanSeeTeamContent(ws, t, p.UserID) {
		// A workspace admin outside the team: they know it exists.
		return t, forbidden("not a member of team %s", teamID)
	}
	return t, nil
}

// retroAccess decides whether the principal may act on or look at a retro
// at all: a member of its team, or a guest invited to exactly this retro
// and admitted to it. What they may do inside is the domain's to decide
// (moderator-only commands, locked retros).
func (a *App) retroAccess(ctx context.Context, p identity.Principal, retroID string) (retro.State, team.State, error) {
	return a.retroAccessWith(ctx, p, retroID, a.retros.Load, a.teams.Load)
}

// retroAccessToWrite is retroAccess for a command: it reads the retro and
// its team as this node's writers hold them, kept current from the log
// (aggregate.Follow), instead of reading the store. The command is decided
// on the retro's writer, whose append checks the version; a refusal is
// made only on what the store holds now, so someone added or admitted on
// another node a moment ago is not turned away.
func (a *App) retroAccessToWrite(ctx context.Context, p identity.Principal, retroID string) (retro.State, team.State, error) {
	r, t, err := a.retroAccessWith(ctx, p, retroID, a.retros.Current, a.teams.Current)
	if err == nil {
		return r, t, nil
	}
	return a.retroAccess(ctx, p, retroID)
}

type loader[S any] func(ctx context.Context, id string) (S, int64, error)

func (a *App) retroAccessWith(ctx context.Context, p identity.Principal, retroID string, retros loader[retro.State], teams loader[team.State]) (retro.State, team.State, error) {
	r, _, err := loadRetroWith(retros, ctx, retroID)
	if err != nil {
		return r, team.State{}, err
	}
	if err := a.erasedContent(eventstore.StreamID{Category: retro.Category, ID: retroID}); err != nil {
		return retro.State{}, team.State{}, err
	}
	t, _, err := loadTeamWith(teams, ctx, r.TeamID)
	if err != nil {
		return r, t, err
	}
	if p.Kind == identity.KindGuest {
		if p.RetroID != retroID || !admitted(t, p.UserID, retroID) {
			return r, t, hidden("the guest was not invited to retro %s", retroID)
		}
		return r, t, nil
	}
	if !t.IsMember(p.UserID) {
		return r, t, hidden("retro %s: not a member of its team", retroID)
	}
	return r, t, nil
}

// admitted reports whether a guest was admitted to the retro by the team.
func admitted(t team.State, userID, retroID string) bool {
	g, ok := t.Guests[userID]
	return ok && slices.Contains(g.RetroIDs, retroID)
}
