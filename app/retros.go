package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// CreateRetroInput is what a new retro is made of.
type CreateRetroInput struct {
	TeamID string `json:"teamId"`
	Title  string `json:"title"`
	// TemplateID names a retro template of the catalogue or of the team's
	// workspace (library); empty means the team's default (from its team
	// template).
	TemplateID string `json:"templateId,omitempty"`
	Anonymous  bool   `json:"anonymous"`
	// Agenda nil means retro.DefaultAgenda().
	Agenda []retro.Step `json:"agenda,omitempty"`
	// Voting is the budget and cap its voting rounds start with; nil for none.
	Voting *retro.VotingDefaults `json:"voting,omitempty"`
}

// CreateRetro creates a retro for a team (members only); the principal
// moderates it. The team's open actions are carried into its action review
// and the template's columns make its board. Result.ID is the retro's ID.
func (a *App) CreateRetro(ctx context.Context, c identity.Caller, in CreateRetroInput) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	p := c.Principal
	t, err := a.teamMember(ctx, p, in.TeamID)
	if err != nil {
		return Result{}, err
	}
	// The template is checked before an ID is claimed for the retro.
	if _, _, err := a.teamRetroTemplate(ctx, t, in.TemplateID); err != nil {
		return Result{}, err
	}
	id, err := a.claimID(ctx, retro.Category, p.UserID, c.CommandID)
	if err != nil {
		return Result{}, err
	}
	return a.createRetro(ctx, t, p.UserID, id, c.CommandID, in)
}

// createRetro creates retro id of team t, moderated by moderator, under
// command ID cmdID, and waits for its reactions: a person's CreateRetro.
func (a *App) createRetro(ctx context.Context, t team.State, moderator, id, cmdID string, in CreateRetroInput) (Result, error) {
	// A quick retro's workspace seals what is made in it (quickcontent.go).
	if err := a.sealInWorkspace(ctx, t.WorkspaceID, eventstore.StreamID{Category: retro.Category, ID: id}); err != nil {
		return Result{}, err
	}
	cmd, err := a.createRetroCommand(ctx, t, moderator, id, in)
	if err != nil {
		return Result{}, err
	}
	res, err := a.runRetro(ctx, id, cmdID, cmd.Actor, cmd, in.Anonymous)
	if err != nil {
		return Result{}, err
	}
	res.ID = id
	return res, nil
}

// createRetroCommand is the command that creates retro id of team t,
// moderated by moderator, with the team's open actions carried into its
// action review: what a person's CreateRetro and a schedule's fired
// occurrence share. The retro's anonymity key is made first.
func (a *App) createRetroCommand(ctx context.Context, t team.State, moderator, id string, in CreateRetroInput) (retro.CreateRetro, error) {
	tmpl, agenda, err := a.teamRetroTemplate(ctx, t, in.TemplateID)
	if err != nil {
		return retro.CreateRetro{}, err
	}
	if len(in.Agenda) > 0 {
		agenda = in.Agenda
	}
	// The anonymity key exists from the start, so every later command,
	// on any node, only reads it.
	if _, err := a.d.Keys.GetOrCreate(ctx, retroKey(id)); err != nil && !errors.Is(err, keys.ErrNotFound) {
		return retro.CreateRetro{}, fmt.Errorf("retro %s: anonymity key: %w", id, err)
	}
	var open []retro.OpenAction
	for _, oa := range team.OpenActions(t) {
		open = append(open, retro.OpenAction{ID: oa.ID, Title: oa.Title, Assignee: oa.Assignee, OriginRetroID: oa.OriginRetroID})
	}
	checkIn, err := a.drawCheckIn()
	if err != nil {
		return retro.CreateRetro{}, err
	}
	return retro.CreateRetro{
		Actor: domain.Actor{UserID: moderator}, At: a.now(), RetroID: id, TeamID: t.ID, Title: in.Title, TemplateID: tmpl.ID,
		Columns: tmpl.Columns, Agenda: agenda, Anonymous: in.Anonymous, OpenActions: open, CheckIn: checkIn,
		Voting: in.Voting,
	}, nil
}

// teamRetroTemplate is the retro template named (the catalogue's or the
// team's workspace's), else the team's default, with the agenda its steps
// make (nil for the default agenda).
func (a *App) teamRetroTemplate(ctx context.Context, t team.State, id string) (catalog.RetroTemplate, []retro.Step, error) {
	if id == "" {
		id = t.RetroTemplateID
	}
	if id == "" {
		return catalog.RetroTemplate{}, nil, domain.Errorf(domain.Invalid, "retro-template-required", "the team has no default retro template; name one")
	}
	return a.retroTemplate(ctx, t.WorkspaceID, id)
}

// JoinRetro makes the principal a participant: a member of the retro's
// team as a member, or a guest invited to this retro as a guest (admitting
// them to the team's guest list first). Joining again changes nothing.
func (a *App) JoinRetro(ctx context.Context, c identity.Caller, retroID string) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	p := c.Principal
	r, _, err := a.loadRetro(ctx, retroID)
	if err != nil {
		return Result{}, err
	}
	t, _, err := a.loadTeam(ctx, r.TeamID)
	if err != nil {
		return Result{}, err
	}
	role := retro.RoleMember
	if p.Kind == identity.KindGuest {
		if p.RetroID != retroID {
			return Result{}, hidden("the guest was invited to another retro")
		}
		role = retro.RoleGuest
		if !admitted(t, p.UserID, retroID) {
			if err := a.admitGuest(ctx, r, t, p.UserID, c.CommandID); err != nil {
				return Result{}, err
			}
		}
	} else if !t.IsMember(p.UserID) {
		return Result{}, hidden("retro %s: not a member of its team", retroID)
	}
	actor, err := a.retroActor(ctx, retroID, p.UserID)
	if err != nil {
		return Result{}, err
	}
	return a.runRetro(ctx, retroID, c.CommandID, actor, retro.JoinRetro{Actor: actor, At: a.now(), Role: role}, r.Anonymous)
}

// admitGuest records on the team that the guest joined the retro, on
// behalf of the retro's moderator who invited them (the identity service
// issued the guest's token only for a valid invite to this retro).
func (a *App) admitGuest(ctx context.Context, r retro.State, t team.State, guestID, cmdID string) error {
	by, ok := teamActorFor(r, t)
	if !ok {
		return fmt.Errorf("retro %s: no member of team %s to admit a guest on behalf of", r.RetroID, t.ID)
	}
	_, err := a.teamCommand(ctx, t.ID, aggregate.Meta{CommandID: derivedID("admit", cmdID), Actor: by.UserID},
		team.AdmitGuest{Actor: by, At: a.now(), GuestUserID: guestID, RetroID: r.RetroID})
	if err != nil && domain.CodeOf(err) != team.CodeAlreadyAdmitted {
		return err
	}
	return nil
}

// CreateInvite creates an invite code for a guest to join the retro; only
// its moderator may.
func (a *App) CreateInvite(ctx context.Context, c identity.Caller, retroID string, expires time.Time) (identity.Invite, error) {
	if err := commandGate(c); err != nil {
		return identity.Invite{}, err
	}
	p := c.Principal
	r, _, err := a.retroAccess(ctx, p, retroID)
	if err != nil {
		return identity.Invite{}, err
	}
	if r.Moderator != p.UserID {
		return identity.Invite{}, forbidden("only the retro's moderator invites guests")
	}
	if r.Closed {
		return identity.Invite{}, domain.Errorf(domain.Conflict, retro.CodeRetroClosed, "the retro is closed")
	}
	if a.d.Identity == nil {
		return identity.Invite{}, errors.New("app: no identity service to issue invites")
	}
	inv, err := a.d.Identity.CreateInvite(ctx, c, retroID, identity.InviteInput{TeamID: r.TeamID, Expires: expires})
	if err != nil {
		return identity.Invite{}, fmt.Errorf("retro %s: create invite: %w", retroID, err)
	}
	return inv, nil
}

// RetroCommand runs one retro command for the caller: the app makes it from
// in, with the actor (the user and their pseudonym from the retro's key),
// the time and the IDs it establishes. CreateRetro and JoinRetro have their
// own methods (what they need comes before any retro access). Result.ID is
// what the command created, if anything (a card, an action, a group, a
// voting round, a comment, a whiteboard).
func (a *App) RetroCommand(ctx context.Context, c identity.Caller, retroID string, in RetroInput) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	r, t, err := a.retroAccessToWrite(ctx, c.Principal, retroID)
	if err != nil {
		return Result{}, err
	}
	actor, err := a.retroActor(ctx, retroID, c.Principal.UserID)
	if err != nil {
		return Result{}, err
	}
	cmd, err := in.retroCommand(ctx, retroScope{app: a, retro: r, team: t, actor: actor, at: a.now()})
	if err != nil {
		return Result{}, err
	}
	return a.runRetro(ctx, retroID, c.CommandID, actor, cmd, r.Anonymous)
}

// defaultHealthPack is the pack a health check starts with when the
// moderator names none: the one the retro's template suggests, else the
// team's.
func (a *App) defaultHealthPack(ctx context.Context, r retro.State, t team.State) string {
	if tmpl, _, err := a.retroTemplate(ctx, t.WorkspaceID, r.TemplateID); err == nil && tmpl.HealthPack != "" {
		return tmpl.HealthPack
	}
	return t.HealthPackID
}

// icebreaker is the icebreaker id (the catalogue's or the workspace's), or
// one of the catalogue's drawn at random when id is empty.
func (a *App) icebreaker(ctx context.Context, workspaceID string, actor domain.Actor, at time.Time, id string) (retro.ChooseIcebreaker, error) {
	if id != "" {
		ib, err := a.icebreakerByID(ctx, workspaceID, id)
		if err != nil {
			return retro.ChooseIcebreaker{}, err
		}
		return retro.ChooseIcebreaker{Actor: actor, At: at, QuestionID: ib.ID, Text: ib.Text}, nil
	}
	n, err := rand.Int(rand.Reader, big.NewInt(math.MaxInt32))
	if err != nil {
		return retro.ChooseIcebreaker{}, fmt.Errorf("draw an icebreaker: %w", err)
	}
	ib := a.d.Catalog.IcebreakerAt(int(n.Int64()))
	return retro.ChooseIcebreaker{Actor: actor, At: at, QuestionID: ib.ID, Text: ib.Text}, nil
}

// drawCheckIn is the lobby's poll of a new retro: a catalogue check-in
// drawn at random (the decider has none of its own); nil if the catalogue
// has none.
func (a *App) drawCheckIn() (*catalog.CheckIn, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(math.MaxInt32))
	if err != nil {
		return nil, fmt.Errorf("draw a check-in: %w", err)
	}
	ci, ok := a.d.Catalog.CheckInAt(int(n.Int64()))
	if !ok {
		return nil, nil
	}
	return &ci, nil
}

// retroCmd is a retro command with the anonymity the app assumed when it
// chose what the commit envelope records (see actorMeta).
type retroCmd struct {
	cmd       retro.Command
	anonymous bool
}

// errAnonymityMoved: the retro's anonymity changed between the app reading
// it and the command being decided (the runner decides again on a conflict).
// The envelope chosen for the old setting could then name a person next to
// an anonymous record, so the command is prepared again instead.
var errAnonymityMoved = errors.New("app: the retro's anonymity changed while the command was prepared")

func decideRetro(s retro.State, c retroCmd) ([]retro.Event, error) {
	if s.Created && s.Anonymous != c.anonymous {
		return nil, errAnonymityMoved
	}
	evs, err := retro.Decide(s, c.cmd)
	if err != nil || !retro.AnonymityOf(c.cmd).Record(c.anonymous) {
		return evs, err
	}
	for i, e := range evs {
		evs[i] = coarsened(e)
	}
	return evs, nil
}

// AnonymousTimeGrain is how precisely the log dates an anonymous record
// (a card, a vote, an answer, a rating in an anonymous retro; a health
// answer or ROTI rating in any; an anonymous survey response). A
// millisecond would match the record to the request that wrote it, and a
// request to a person; the minute matches it to everyone writing then.
const AnonymousTimeGrain = time.Minute

// coarsened is e with its time cut to AnonymousTimeGrain. Every retro
// event has an At field, the time the app stamped on its command.
func coarsened[E any](e E) E {
	v := reflect.ValueOf(e)
	if v.Kind() != reflect.Struct {
		return e
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	at := c.FieldByName("At")
	if !at.IsValid() || !at.CanSet() {
		return e
	}
	t, ok := at.Interface().(time.Time)
	if !ok {
		return e
	}
	at.Set(reflect.ValueOf(t.Truncate(AnonymousTimeGrain)))
	out, ok := c.Interface().(E)
	if !ok {
		return e
	}
	return out
}

// actorMeta is who the commit envelope names for a retro command. For an
// anonymous record (retro.AnonymityOf) the envelope holds the pseudonym the
// event holds, never the user ID beside it. Every other command in an
// anonymous retro names nobody: who grouped cards, created or assigned an
// action next to an anonymous card can hint at its author, and a pseudonym
// next to a command that names its user (joining, moderating) would unmask
// every record under it. In other retros the envelope names the user.
func actorMeta(anonymous bool, cmd retro.Command, actor domain.Actor) string {
	switch {
	case retro.AnonymityOf(cmd).Record(anonymous):
		return actor.Pseudonym
	case anonymous:
		return ""
	}
	return actor.UserID
}

// runRetro handles a retro command and waits for its reactions. anonymous is
// the retro's setting as the caller last read it; should it have changed
// by the time the command is decided, the command is prepared again for
// the other setting (there are only two), so no reload is needed.
func (a *App) runRetro(ctx context.Context, retroID, cmdID string, actor domain.Actor, cmd retro.Command, anonymous bool) (Result, error) {
	for attempt := 0; ; attempt++ {
		meta := aggregate.Meta{CommandID: cmdID, Actor: actorMeta(anonymous, cmd, actor)}
		r, err := a.retros.Handle(ctx, retroID, meta, retroCmd{cmd: cmd, anonymous: anonymous})
		if errors.Is(err, errAnonymityMoved) && attempt < 3 {
			anonymous = !anonymous
			continue
		}
		if err != nil {
			return Result{}, fmt.Errorf("retro %s: %w", retroID, err)
		}
		res := Result{ID: createdID(r.Events), StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}
		// The reactor does the command's reactions from the log; the caller
		// waits for them (a duplicate too: its first attempt may have
		// answered before they were done).
		if r.Position > 0 && a.reactive(r.Events) {
			if err := a.catchUpReactions(ctx, r.Position); err != nil {
				a.d.Logger.Error("retro command stored, its reactions not done yet; the reactor retries them",
					"retro", retroID, "err", err)
				return res, fmt.Errorf("%w: retro %s: %w", ErrIncomplete, retroID, err)
			}
		}
		return res, nil
	}
}

// createdID is the ID of what a retro command created, read from its
// events (a retry's are the first attempt's).
func createdID(evs []retro.Event) string {
	for _, e := range evs {
		switch e := e.(type) {
		case retro.CardAdded:
			return e.CardID
		case retro.IcebreakerAnswered:
			return e.CardID
		case retro.CarriedActionCommented:
			return e.CommentID
		case retro.ActionCreated:
			return e.ActionID
		case retro.GroupCreated:
			return e.GroupID
		case retro.VotingStarted:
			return e.RoundID
		case retro.TopicWhiteboardOpened:
			return e.WhiteboardID
		}
	}
	return ""
}

// retroActor is the actor of a retro command: the user and their pseudonym
// in this retro. Once the retro's key is destroyed the pseudonym is empty
// and the domain refuses anything that must be anonymous.
func (a *App) retroActor(ctx context.Context, retroID, userID string) (domain.Actor, error) {
	ps, err := a.pseudonym(ctx, retroKey(retroID), userID)
	if err != nil {
		return domain.Actor{}, err
	}
	return domain.Actor{UserID: userID, Pseudonym: ps}, nil
}

// pseudonym is the user's pseudonym under the subject's key, "" when the
// key is gone (destroyed) or was never made.
func (a *App) pseudonym(ctx context.Context, subject, userID string) (string, error) {
	key, err := a.d.Keys.Get(ctx, subject)
	if errors.Is(err, keys.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("anonymity key %s: %w", subject, err)
	}
	return domain.Pseudonym(key, userID), nil
}

func retroKey(retroID string) string { return "retro:" + retroID }

// derivedID makes a deterministic command ID for a command the app issues
// as a consequence of another, so a retry of the cause repeats it under the
// same ID and the log stores it once. It stays within the log's ID limit
// whatever the length of the cause's ID.
func derivedID(kind, cause string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + cause))
	return kind + "-" + hex.EncodeToString(sum[:16])
}
