package app

// Whiteboards: the metadata of Automerge boards (domain/board) and who may
// open them. A board is named by its Automerge document ID, so the ID a
// client opens (automerge:<id>) is the ID of its metadata stream
// (whiteboard-<id>). Boards come to exist three ways:
//
//   - a retro opens one for a topic (TopicWhiteboardOpened): a reactor
//     creates its metadata and first content;
//   - a team member creates one through the API: the server picks the
//     document ID and stores the first content (from a template);
//   - a team member registers a document a client made itself
//     (repo.create()) by its ID: only the metadata is stored, the content
//     arrives when the client syncs.
//
// A document nobody registered is refused by the sync server exactly like
// an unknown one (doc-unavailable). Archived boards are unavailable to sync
// (their metadata stays readable): the sync server has no read-only mode,
// and an archived board should not keep changing.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/board"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// CategoryTeamBoards holds one stream per team listing its boards' IDs, so
// listing a team's boards reads one short stream, not the whole log.
const CategoryTeamBoards = "teamboards"

const typeBoardListed = "app.WhiteboardListed"

// WhiteboardView is a board's metadata as the API shows it.
type WhiteboardView struct {
	ID         string       `json:"id"`
	URL        string       `json:"url"` // what a stock automerge-repo client opens
	TeamID     string       `json:"teamId"`
	RetroID    string       `json:"retroId,omitempty"`
	Topic      *board.Topic `json:"topic,omitempty"`
	TemplateID string       `json:"templateId,omitempty"`
	Title      string       `json:"title"`
	Archived   bool         `json:"archived"`
	// Phase of concealed writing: "" (none), "writing" (each person's notes
	// are in their private document) or "revealed". Writers is how many
	// people opened private notes: that someone writes is not concealed.
	Phase   board.Phase `json:"phase,omitempty"`
	Writers int         `json:"writers,omitempty"`
	// Moderator: the viewer starts and ends the writing phase.
	Moderator bool `json:"moderator,omitempty"`
}

func whiteboardView(s board.State) WhiteboardView {
	v := WhiteboardView{ID: s.BoardID, URL: wire.URLPrefix + s.BoardID, TeamID: s.TeamID, RetroID: s.RetroID,
		TemplateID: s.TemplateID, Title: s.Title, Archived: s.Archived, Phase: s.Phase, Writers: len(s.Notes)}
	if s.Topic != (board.Topic{}) {
		t := s.Topic
		v.Topic = &t
	}
	return v
}

// CreateWhiteboardInput is a team's standalone board. DocumentID set
// registers a document a client created; empty lets the server create one.
type CreateWhiteboardInput struct {
	TeamID     string
	DocumentID string
	TemplateID string
	Title      string
}

// WhiteboardTemplates lists the stock whiteboard templates.
func (a *App) WhiteboardTemplates() []board.Template { return board.Templates() }

// CreateWhiteboard creates (or registers) a board for a team the principal
// is a member of. Result.ID is the document ID.
func (a *App) CreateWhiteboard(ctx context.Context, c identity.Caller, in CreateWhiteboardInput) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	p := c.Principal
	if _, err := a.teamMember(ctx, p, in.TeamID); err != nil {
		return Result{}, err
	}
	var tpl board.Template
	if in.TemplateID != "" {
		var ok bool
		if tpl, ok = board.TemplateByID(in.TemplateID); !ok {
			return Result{}, domain.Errorf(domain.Invalid, "whiteboard-template-unknown", "no whiteboard template %q", in.TemplateID)
		}
	}
	title := in.Title
	if title == "" {
		title = "Whiteboard"
		if tpl.Name != "" {
			title = tpl.Name
		}
	}
	docID, seed := in.DocumentID, in.DocumentID == ""
	if seed {
		id, err := a.claimIDWith(ctx, board.Category, p.UserID, c.CommandID, wire.NewDocumentID)
		if err != nil {
			return Result{}, err
		}
		docID = id
	} else {
		id, err := wire.ParseDocumentID(in.DocumentID)
		if err != nil {
			return Result{}, domain.Errorf(domain.Invalid, "document-id-invalid", "%v", err)
		}
		docID = id
	}
	res, err := a.createBoard(ctx, aggregate.Meta{CommandID: c.CommandID, Actor: p.UserID}, board.Create{
		BoardID: docID, TeamID: in.TeamID, TemplateID: in.TemplateID, Title: title, Seed: seed, Actor: domain.Actor{UserID: p.UserID}, At: a.now(),
	})
	if err != nil {
		return res, err
	}
	// The reactor lists the board on its team and seeds it (boardCreated);
	// the caller waits for that (a retry too: its first attempt may have
	// stopped before).
	if err := a.catchUpReactions(ctx, res.Position); err != nil {
		return res, fmt.Errorf("%w: whiteboard %s: %w", ErrIncomplete, docID, err)
	}
	return res, nil
}

// createBoard runs board.Create; the reactor does what follows from it.
func (a *App) createBoard(ctx context.Context, meta aggregate.Meta, c board.Create) (Result, error) {
	// A quick retro's team seals its boards and their content (quickcontent.go).
	if err := a.sealInTeam(ctx, c.TeamID, eventstore.StreamID{Category: board.Category, ID: c.BoardID},
		eventstore.StreamID{Category: board.ContentCategory, ID: c.BoardID}); err != nil {
		return Result{}, fmt.Errorf("whiteboard %s: %w", c.BoardID, err)
	}
	r, err := a.boards.Handle(ctx, c.BoardID, meta, c)
	if err != nil {
		return Result{}, fmt.Errorf("whiteboard %s: %w", c.BoardID, boardError(err))
	}
	if r.State.TeamID != c.TeamID || r.State.RetroID != c.RetroID {
		// The command ID was used on this stream for another board.
		return Result{}, domain.Errorf(domain.Conflict, board.CodeExists, "document %s is registered already", c.BoardID)
	}
	return Result{ID: c.BoardID, StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, nil
}

// boardCreated is the reaction to a board's Created: the board is listed
// on its team and, if the server made its document, seeded. Both are
// idempotent (the listing's command ID is the board's, seeding twice keeps
// the first content), so the reactor may offer it again.
func (a *App) boardCreated(ctx context.Context, e board.Created, causationID string) error {
	_, err := a.d.Store.Append(ctx, eventstore.Commit{
		Stream: eventstore.StreamID{Category: CategoryTeamBoards, ID: e.TeamID}, ExpectedVersion: eventstore.Any,
		CommandID: "list-" + e.BoardID, CausationID: causationID, Actor: e.By,
		Events: []eventstore.Event{{Type: typeBoardListed, SchemaVersion: 1, Payload: []byte(`{"boardId":"` + e.BoardID + `"}`)}},
	})
	if err != nil {
		return fmt.Errorf("list whiteboard %s on team %s: %w", e.BoardID, e.TeamID, err)
	}
	if !e.Seed || a.d.SeedWhiteboard == nil {
		return nil
	}
	tpl, _ := board.TemplateByID(e.TemplateID)
	if err := a.d.SeedWhiteboard(ctx, e.BoardID, e.Title, tpl); err != nil {
		return fmt.Errorf("seed whiteboard %s: %w", e.BoardID, err)
	}
	return nil
}

// boardError keeps a board the decider did not find indistinguishable from
// one the caller may not know of; its other refusals go out as they are.
func boardError(err error) error {
	if domain.KindOf(err) == domain.NotFound {
		return notFound("%v", err)
	}
	return err
}

func (a *App) loadBoard(ctx context.Context, id string) (board.State, error) {
	if _, err := wire.ParseDocumentID(id); err != nil {
		return board.State{}, notFound("whiteboard %q", id)
	}
	s, _, err := a.boards.Load(ctx, id)
	if err != nil {
		return s, fmt.Errorf("load whiteboard %s: %w", id, err)
	}
	if !s.Exists {
		return s, notFound("whiteboard %s", id)
	}
	return s, nil
}

// boardAccess loads a board the principal may see: a member of its team, or
// a guest invited to its retro and admitted to it.
func (a *App) boardAccess(ctx context.Context, p identity.Principal, id string) (board.State, error) {
	s, err := a.loadBoard(ctx, id)
	if err != nil {
		return s, err
	}
	if err := a.erasedContent(eventstore.StreamID{Category: board.Category, ID: id}); err != nil {
		return board.State{}, err
	}
	t, _, err := a.loadTeam(ctx, s.TeamID)
	if err != nil {
		return s, err
	}
	if p.Kind == identity.KindGuest {
		if s.RetroID == "" || p.RetroID != s.RetroID || !admitted(t, p.UserID, s.RetroID) {
			return s, hidden("the guest was not invited to this whiteboard's retro")
		}
	} else if !t.IsMember(p.UserID) {
		return s, hidden("not a member of the whiteboard's team")
	}
	return s, nil
}

// Whiteboard is one board's metadata.
func (a *App) Whiteboard(ctx context.Context, p identity.Principal, id string) (WhiteboardView, error) {
	if err := canRead(p); err != nil {
		return WhiteboardView{}, err
	}
	s, err := a.boardAccess(ctx, p, id)
	if err != nil {
		return WhiteboardView{}, err
	}
	v := whiteboardView(s)
	if v.Moderator, err = a.boardModerator(ctx, s, p.UserID); err != nil {
		return WhiteboardView{}, err
	}
	return v, nil
}

// ArchiveWhiteboard archives a board: its metadata stays, its document is
// no longer served. Guests may not archive.
func (a *App) ArchiveWhiteboard(ctx context.Context, c identity.Caller, id string) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	p := c.Principal
	if err := notGuest(p); err != nil {
		return Result{}, err
	}
	if _, err := a.boardAccess(ctx, p, id); err != nil {
		return Result{}, err
	}
	r, err := a.boards.Handle(ctx, id, aggregate.Meta{CommandID: c.CommandID, Actor: p.UserID}, board.Archive{Actor: domain.Actor{UserID: p.UserID}, At: a.now()})
	a.access.forget(id)
	if err != nil {
		return Result{}, fmt.Errorf("whiteboard %s: %w", id, boardError(err))
	}
	return Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, nil
}

// TeamWhiteboards lists a team's boards, archived ones included, oldest first.
func (a *App) TeamWhiteboards(ctx context.Context, p identity.Principal, teamID string) ([]WhiteboardView, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	if _, err := a.teamMember(ctx, p, teamID); err != nil {
		return nil, err
	}
	recs, err := a.d.Store.Load(ctx, eventstore.StreamID{Category: CategoryTeamBoards, ID: teamID}, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return []WhiteboardView{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list team %s whiteboards: %w", teamID, err)
	}
	out := make([]WhiteboardView, 0, len(recs))
	for _, rec := range recs {
		var e struct {
			BoardID string `json:"boardId"`
		}
		if rec.Type != typeBoardListed || json.Unmarshal(rec.Payload, &e) != nil {
			continue
		}
		s, err := a.loadBoard(ctx, e.BoardID)
		if err != nil {
			return nil, err
		}
		out = append(out, whiteboardView(s))
	}
	return out, nil
}

// CanAccessBoard says whether userID may sync the board docID: a member of
// the board's team, or a guest admitted to the board's retro. Unknown,
// unregistered and archived boards are refused, as is every failure to
// find out (the sync server answers doc-unavailable either way).
//
// The sync server asks for every message, so a yes is remembered for
// accessTTL, less what BoardAccessChanged forgets: a removal from the team,
// an archive, seen in the log on any node, takes effect at once. A no is
// not remembered, so a board registered on any node is served at once.
func (a *App) CanAccessBoard(ctx context.Context, userID, docID string) bool {
	if userID == "" {
		return false
	}
	ok, hit, gen := a.access.get(userID, docID)
	if hit {
		return ok
	}
	ok = a.canAccessBoard(ctx, userID, docID)
	if ok {
		a.access.put(userID, docID, ok, gen)
	}
	return ok
}

// BoardAccessChange names whose access to boards an event may have changed:
// a user, a board (empty for any). Granted means access may have been given
// (a board registered or restored), not taken away.
type BoardAccessChange struct {
	UserID, DocID string
	Granted       bool
}

// BoardAccessChanged is the sync server's AccessChanged: it reads an event
// from the log and, for one that may change someone's access to boards,
// forgets the decisions it made stale and says whose. Kept beside
// CanAccessBoard: one place says what access hangs on.
func (a *App) BoardAccessChanged(e eventstore.RecordedEvent) (BoardAccessChange, bool) {
	switch {
	case e.Stream.Category == team.Category && (e.Type == team.TypeMemberRemoved || e.Type == team.TypeGuestPromoted):
		ev, err := team.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
		if err != nil {
			a.d.Logger.Warn("whiteboard access: undecodable team event", "team", e.Stream.ID, "err", err)
			return BoardAccessChange{}, false
		}
		var userID string
		switch ev := ev.(type) {
		case team.MemberRemoved:
			userID = ev.UserID
		case team.GuestPromoted:
			userID = ev.GuestUserID
		}
		a.access.forgetUser(userID)
		return BoardAccessChange{UserID: userID}, true
	case e.Stream.Category == board.Category && e.Type == board.TypeNotesRevealed:
		// Its private notes documents are served to nobody from now on.
		// The event does not name them: every decision is dropped and every
		// connection checked again (a reveal is rare).
		a.access.forgetWhere(func([2]string) bool { return true })
		return BoardAccessChange{}, true
	case e.Stream.Category == board.Category && e.Type == board.TypeArchived:
		a.access.forget(e.Stream.ID)
		return BoardAccessChange{DocID: e.Stream.ID}, true
	case e.Stream.Category == board.Category && (e.Type == board.TypeCreated || e.Type == board.TypeRestored):
		return BoardAccessChange{DocID: e.Stream.ID, Granted: true}, true
	}
	if a.d.Identity != nil {
		if userID, ok := a.d.Identity.RevokedAPIToken(e); ok {
			return BoardAccessChange{UserID: userID}, true
		}
	}
	return BoardAccessChange{}, false
}

func (a *App) canAccessBoard(ctx context.Context, userID, docID string) bool {
	if a.erasedContent(eventstore.StreamID{Category: board.ContentCategory, ID: docID}) != nil {
		return false // an expired quick retro's board or notes
	}
	s, err := a.loadBoard(ctx, docID)
	if errors.Is(err, domain.ErrNotFound) {
		return a.canAccessNotes(ctx, userID, docID)
	}
	if err != nil || s.Archived {
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			a.d.Logger.Warn("whiteboard access refused: board not loaded", "doc", docID, "err", err)
		}
		return false
	}
	t, _, err := a.loadTeam(ctx, s.TeamID)
	if err != nil {
		return false
	}
	return t.IsMember(userID) || (s.RetroID != "" && admitted(t, userID, s.RetroID))
}

// openRetroBoard is the reactor to TopicWhiteboardOpened: the board's
// metadata (and, for a document ID the server can serve, its first content).
// The board is created in the team's name, never the participant's: in an
// anonymous retro that would tie them to the topic.
func (a *App) openRetroBoard(ctx context.Context, st retro.State, e retro.TopicWhiteboardOpened, eventID string) error {
	if _, err := wire.ParseDocumentID(e.WhiteboardID); err != nil {
		// Retros from before boards were documents: nothing to serve.
		return nil
	}
	t, _, err := a.loadTeam(ctx, st.TeamID)
	if err != nil {
		return err
	}
	by, ok := teamActorFor(st, t)
	if !ok {
		return errors.New("no team member to create the whiteboard in the name of")
	}
	topic := board.Topic{Kind: board.TopicCard, ID: e.TopicID}
	switch {
	case e.ActionID != "":
		topic = board.Topic{Kind: board.TopicAction, ID: e.ActionID}
	case st.Groups[e.TopicID].ID != "":
		topic.Kind = board.TopicGroup
	}
	title := "Topic whiteboard"
	if topic.Kind == board.TopicAction {
		title = "Action whiteboard"
	}
	at := e.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	_, err = a.createBoard(ctx, aggregate.Meta{CommandID: reactionID(eventID), CausationID: eventID, Actor: by.UserID}, board.Create{
		BoardID: e.WhiteboardID, RetroID: st.RetroID, TeamID: st.TeamID, Topic: topic, Title: title, Seed: true, Actor: by, At: at,
	})
	if err != nil && domain.KindOf(err) != domain.Conflict {
		return err
	}
	if err != nil {
		if a.d.SeedWhiteboard != nil {
			return a.d.SeedWhiteboard(ctx, e.WhiteboardID, title, board.Template{})
		}
		return nil
	}
	// Already inside the reactor, which has not reached the board's Created
	// yet: its reaction is done here too (it is idempotent), so the retro
	// command that opened the board answers with the board listed and
	// seeded. The reactor retries this until it succeeds.
	return a.boardCreated(ctx, board.Created{BoardID: e.WhiteboardID, TeamID: st.TeamID, Title: title, By: by.UserID, Seed: true}, eventID)
}

// accessTTL is how long a board access decision is reused.
const accessTTL = 2 * time.Second

// maxAccessEntries bounds the decision cache; when full it starts over.
const maxAccessEntries = 50_000

// accessCache remembers CanAccessBoard's recent decisions. Its times are
// the machine's monotonic clock, not the app's clock (which tests stop).
// A decision is kept only if nothing was forgotten while it was made: one
// made from the state before a removal must not outlive the removal.
type accessCache struct {
	mu      sync.Mutex
	gen     uint64 // counts forgets
	entries map[[2]string]accessEntry
}

type accessEntry struct {
	ok      bool
	expires time.Time
}

// get returns a live decision, or the generation to put a new one with.
func (c *accessCache) get(userID, docID string) (ok, hit bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, found := c.entries[[2]string{userID, docID}]
	if !found || time.Now().After(e.expires) {
		return false, false, c.gen
	}
	return e.ok, true, c.gen
}

func (c *accessCache) put(userID, docID string, ok bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil || len(c.entries) >= maxAccessEntries {
		c.entries = map[[2]string]accessEntry{}
	}
	c.entries[[2]string{userID, docID}] = accessEntry{ok: ok, expires: time.Now().Add(accessTTL)}
}

func (c *accessCache) forget(docID string) {
	c.forgetWhere(func(k [2]string) bool { return k[1] == docID })
}

func (c *accessCache) forgetUser(userID string) {
	c.forgetWhere(func(k [2]string) bool { return k[0] == userID })
}

func (c *accessCache) forgetWhere(match func([2]string) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k := range c.entries {
		if match(k) {
			delete(c.entries, k)
		}
	}
}
