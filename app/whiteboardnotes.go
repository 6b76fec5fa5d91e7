package app

// Concealed writing on whiteboards (domain/board, writing.go): while a
// board's writing phase is open each person writes into a private notes
// document of their own, which the sync server serves to that person alone
// (not to the moderator, not to anyone else: an unknown document's answer).
// The shared board never holds a concealed note, so no other peer's copy,
// storage or socket can. The moderator's reveal ends the phase: a reaction
// merges every person's notes into the board (collab.MergeNotes) and the
// private documents are served to nobody from then on.
//
// The private document's owner is recorded as the person's user ID, or on
// a board of an anonymous retro as their pseudonym in that retro, and the
// merged notes' author is then empty, whatever the notes said: the board
// and the log do not tie an anonymous retro's note to its writer.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/board"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// CategoryBoardNotes holds one stream per private notes document, naming
// the board it belongs to: the sync server asks about a document by its ID
// alone.
const CategoryBoardNotes = "boardnotes"

const typeNotesOf = "app.WhiteboardNotesOf"

// NotesView is the caller's private notes document on a board.
type NotesView struct {
	ID      string `json:"id"`
	URL     string `json:"url"`
	BoardID string `json:"boardId"`
}

// StartWhiteboardWriting opens a board's writing phase (its moderator).
func (a *App) StartWhiteboardWriting(ctx context.Context, c identity.Caller, boardID string) (Result, error) {
	return a.moderateBoard(ctx, c, boardID, func(by domain.Actor) board.Command { return board.StartWriting{Actor: by, At: a.now()} })
}

// RevealResult is the answer to a reveal: the command's result and what
// the merge did (nil when this server merges nothing: tests without collab).
type RevealResult struct {
	Result
	Notes *collab.Merged `json:"notes,omitempty"`
}

// RevealWhiteboardNotes ends a board's writing phase (its moderator): the
// notes go on the board. It answers once they are there, with how many went
// on it and how many were left out because the board would have outgrown
// its limit.
func (a *App) RevealWhiteboardNotes(ctx context.Context, c identity.Caller, boardID string) (RevealResult, error) {
	res, err := a.moderateBoard(ctx, c, boardID, func(by domain.Actor) board.Command { return board.RevealNotes{Actor: by, At: a.now()} })
	if err != nil {
		return RevealResult{Result: res}, err
	}
	if err := a.catchUpReactions(ctx, res.Position); err != nil {
		return RevealResult{Result: res}, fmt.Errorf("%w: reveal notes on whiteboard %s: %w", ErrIncomplete, boardID, err)
	}
	out := RevealResult{Result: res}
	if a.d.RevealOutcome != nil {
		m, found, err := a.d.RevealOutcome(ctx, boardID)
		if err != nil {
			return out, fmt.Errorf("%w: reveal notes on whiteboard %s: %w", ErrIncomplete, boardID, err)
		}
		if found {
			out.Notes = &m
		}
	}
	return out, nil
}

func (a *App) moderateBoard(ctx context.Context, c identity.Caller, boardID string, cmd func(domain.Actor) board.Command) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	p := c.Principal
	s, err := a.boardAccess(ctx, p, boardID)
	if err != nil {
		return Result{}, err
	}
	if ok, err := a.boardModerator(ctx, s, p.UserID); err != nil {
		return Result{}, err
	} else if !ok {
		return Result{}, forbidden("only the whiteboard's moderator starts and ends its writing phase")
	}
	by := domain.Actor{UserID: p.UserID}
	r, err := a.boards.Handle(ctx, boardID, aggregate.Meta{CommandID: c.CommandID, Actor: p.UserID}, cmd(by))
	if err != nil {
		return Result{}, fmt.Errorf("whiteboard %s: %w", boardID, boardError(err))
	}
	// A reveal takes the notes documents away; this node's remembered yes
	// must not outlive it (other nodes forget on reading the event).
	for _, id := range r.State.Notes {
		a.access.forget(id)
	}
	return Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, nil
}

// boardModerator: a retro's board is moderated by the retro's moderator, a
// team's board by the member who created it.
func (a *App) boardModerator(ctx context.Context, s board.State, userID string) (bool, error) {
	if s.RetroID == "" {
		return s.CreatedBy == userID, nil
	}
	r, _, err := a.loadRetro(ctx, s.RetroID)
	if err != nil {
		return false, err
	}
	return r.Moderator == userID, nil
}

// notesOwner is whom a board's private notes of userID are recorded under:
// the user ID, or on an anonymous retro's board their pseudonym there ("" once
// the retro's key is gone). anonymous says which.
func (a *App) notesOwner(ctx context.Context, s board.State, userID string) (owner string, anonymous bool, err error) {
	if s.RetroID == "" {
		return userID, false, nil
	}
	r, _, err := a.loadRetro(ctx, s.RetroID)
	if err != nil {
		return "", false, err
	}
	if !r.Anonymous {
		return userID, false, nil
	}
	ps, err := a.pseudonym(ctx, retroKey(s.RetroID), userID)
	return ps, true, err
}

// WhiteboardNotes is the caller's private notes document on a board in its
// writing phase, made (and its first content stored) on the first call.
func (a *App) WhiteboardNotes(ctx context.Context, c identity.Caller, boardID string) (NotesView, error) {
	if err := commandGate(c); err != nil {
		return NotesView{}, err
	}
	p := c.Principal
	s, err := a.boardAccess(ctx, p, boardID)
	if err != nil {
		return NotesView{}, err
	}
	owner, _, err := a.notesOwner(ctx, s, p.UserID)
	if err != nil {
		return NotesView{}, err
	}
	if owner == "" {
		return NotesView{}, domain.Errorf(domain.Conflict, "retro-anonymity-closed", "the retro's anonymity window is closed")
	}
	if s.Phase != board.PhaseWriting {
		return NotesView{}, domain.Errorf(domain.Conflict, board.CodeNotWriting, "the board is not in its writing phase")
	}
	docID, ok := s.Notes[owner]
	if !ok {
		// The index first: a document registered on the board is always
		// found by its ID; an index entry nobody registered opens nothing.
		docID = wire.NewDocumentID()
		// A quick retro's workspace seals the notes too (quickcontent.go).
		if err := a.sealInTeam(ctx, s.TeamID, eventstore.StreamID{Category: board.ContentCategory, ID: docID}); err != nil {
			return NotesView{}, fmt.Errorf("notes of whiteboard %s: %w", boardID, err)
		}
		payload, _ := json.Marshal(map[string]string{"boardId": boardID}) // cannot fail: strings
		_, err := a.d.Store.Append(ctx, eventstore.Commit{
			Stream: eventstore.StreamID{Category: CategoryBoardNotes, ID: docID}, ExpectedVersion: eventstore.NoStream,
			CommandID: "notesof-" + docID, Events: []eventstore.Event{{Type: typeNotesOf, SchemaVersion: 1, Payload: payload}},
		})
		if err != nil {
			return NotesView{}, fmt.Errorf("index notes of whiteboard %s: %w", boardID, err)
		}
		// The command ID is the owner's on this board: concurrent first
		// calls register one document.
		r, err := a.boards.Handle(ctx, boardID, aggregate.Meta{CommandID: derivedID("notes", boardID+"\x00"+owner), Actor: owner},
			board.OpenNotes{Actor: domain.Actor{UserID: owner}, At: a.now(), Owner: owner, DocID: docID})
		if err != nil {
			return NotesView{}, fmt.Errorf("whiteboard %s: %w", boardID, boardError(err))
		}
		docID = r.State.Notes[owner]
	}
	if a.d.SeedNotes != nil {
		if err := a.d.SeedNotes(ctx, docID, s.Title); err != nil {
			return NotesView{}, fmt.Errorf("seed notes of whiteboard %s: %w", boardID, err)
		}
	}
	return NotesView{ID: docID, URL: wire.URLPrefix + docID, BoardID: boardID}, nil
}

// notesBoard is the board a private notes document belongs to, "" when
// docID is none.
func (a *App) notesBoard(ctx context.Context, docID string) (string, error) {
	recs, err := a.d.Store.Load(ctx, eventstore.StreamID{Category: CategoryBoardNotes, ID: docID}, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) || errors.Is(err, eventstore.ErrInvalidArgument) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("notes index %s: %w", docID, err)
	}
	for _, r := range recs {
		var e struct {
			BoardID string `json:"boardId"`
		}
		if r.Type == typeNotesOf && json.Unmarshal(r.Payload, &e) == nil {
			return e.BoardID, nil
		}
	}
	return "", nil
}

// canAccessNotes: a private notes document is served to its owner alone,
// while its board is open, in its writing phase, and theirs to open.
func (a *App) canAccessNotes(ctx context.Context, userID, docID string) bool {
	boardID, err := a.notesBoard(ctx, docID)
	if err != nil {
		a.d.Logger.Warn("whiteboard notes access refused: index not read", "doc", docID, "err", err)
		return false
	}
	if boardID == "" || !a.canAccessBoard(ctx, userID, boardID) {
		return false
	}
	s, err := a.loadBoard(ctx, boardID)
	if err != nil || s.Phase != board.PhaseWriting {
		return false
	}
	owner, _, err := a.notesOwner(ctx, s, userID)
	return err == nil && owner != "" && s.Notes[owner] == docID
}

// NotesClosedReason is the sync server's Closed: to the writer of a board's
// private notes document, once the board's notes were revealed, it says
// that the document is closed for good, so their client's later edits
// (made offline, or after the reveal) are not merged anywhere; to anyone,
// for a board or notes of a quick retro that expired, that it was erased
// (QuickRetroExpiredReason); "" to anyone else and for any other document,
// who are answered as for an unknown document.
func (a *App) NotesClosedReason(ctx context.Context, userID, docID string) string {
	if a.erasedContent(eventstore.StreamID{Category: board.ContentCategory, ID: docID}) != nil {
		return QuickRetroExpiredReason
	}
	boardID, err := a.notesBoard(ctx, docID)
	if err != nil || boardID == "" {
		return ""
	}
	s, err := a.loadBoard(ctx, boardID)
	if err != nil || s.Phase != board.PhaseRevealed {
		return ""
	}
	owner, _, err := a.notesOwner(ctx, s, userID)
	if err != nil || owner == "" || s.Notes[owner] != docID {
		return ""
	}
	return NotesClosedMessage
}

// NotesClosedMessage is what the writer of a private notes document is told
// when their client syncs it after the board's reveal.
const NotesClosedMessage = "notes revealed: this private notes document closed when the board's notes were revealed; " +
	"the reveal merged what the server had received, and later edits stay on this device only"

// notesRevealed is the reaction to a board's NotesRevealed: every private
// notes document's items are merged into the board (idempotent).
func (a *App) notesRevealed(ctx context.Context, boardID string) error {
	if a.d.RevealNotes == nil {
		return nil
	}
	s, err := a.loadBoard(ctx, boardID)
	if err != nil {
		return err
	}
	_, anonymous, err := a.notesOwner(ctx, s, "")
	if err != nil {
		return err
	}
	owners := make([]string, 0, len(s.Notes))
	for o := range s.Notes {
		owners = append(owners, o)
	}
	slices.Sort(owners)
	notes := make([]collab.Notes, 0, len(owners))
	for _, o := range owners {
		author := o
		if anonymous {
			author = ""
		}
		notes = append(notes, collab.Notes{DocID: s.Notes[o], Author: author})
	}
	if err := a.d.RevealNotes(ctx, collab.Reveal{Board: boardID, Notes: notes, Anonymous: anonymous}); err != nil {
		return fmt.Errorf("reveal notes on whiteboard %s: %w", boardID, err)
	}
	return nil
}
