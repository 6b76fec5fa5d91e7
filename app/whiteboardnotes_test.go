package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/board"
)

// notesEnv is a team whose app records what a reveal merges.
type notesEnv struct {
	*fixture
	mu       sync.Mutex
	seeded   map[string]bool
	revealed map[string][]collab.Notes
	anon     map[string]bool
}

func newNotesEnv(t *testing.T) *notesEnv {
	e := newEnv(t)
	n := &notesEnv{seeded: map[string]bool{}, revealed: map[string][]collab.Notes{}, anon: map[string]bool{}}
	e.app = app.New(app.Deps{Store: e.store, Keys: e.keys, Catalog: e.cat, Clock: e.clock, NewID: e.newID,
		SeedNotes: func(_ context.Context, docID, _ string) error {
			n.mu.Lock()
			defer n.mu.Unlock()
			n.seeded[docID] = true
			return nil
		},
		RevealNotes: func(_ context.Context, r collab.Reveal) error {
			n.mu.Lock()
			defer n.mu.Unlock()
			n.revealed[r.Board] = r.Notes
			n.anon[r.Board] = r.Anonymous
			return nil
		}})
	n.fixture = teamOn(t, e)
	return n
}

// While a board's writing phase is open, each person's notes document is
// served to that person alone: not to another member, not to the board's
// moderator, exactly as a document that does not exist. The reveal (the
// moderator's alone) merges every person's notes under their name, and from
// then on nobody is served the private documents.
func TestAPersonsPrivateNotesAreServedToThemAloneUntilTheReveal(t *testing.T) {
	f := newNotesEnv(t)
	ctx := f.ctx()
	boardID := must(f.app.CreateWhiteboard(ctx, f.as(user(uBea)), app.CreateWhiteboardInput{TeamID: f.team, Title: "Ideas"}))(t).ID
	_, err := f.app.WhiteboardNotes(ctx, f.as(user(uCal)), boardID)
	rejected(t, "notes before the writing phase", err, domain.Conflict, board.CodeNotWriting)
	_, err = f.app.StartWhiteboardWriting(ctx, f.as(user(uCal)), boardID)
	refused(t, "a member who is not the moderator starts writing", err, domain.ErrForbidden)
	must(f.app.StartWhiteboardWriting(ctx, f.as(user(uBea)), boardID))(t)

	cal := must(f.app.WhiteboardNotes(ctx, f.as(user(uCal)), boardID))(t)
	again := must(f.app.WhiteboardNotes(ctx, f.as(user(uCal)), boardID))(t)
	bea := must(f.app.WhiteboardNotes(ctx, f.as(user(uBea)), boardID))(t)
	if cal.ID != again.ID || cal.ID == bea.ID || cal.ID == boardID || cal.URL != "automerge:"+cal.ID {
		t.Fatalf("notes: cal %+v, again %+v, bea %+v", cal, again, bea)
	}
	if !f.seeded[cal.ID] || !f.seeded[bea.ID] {
		t.Error("a notes document got no content, so its writer's client cannot open it")
	}
	_, err = f.app.WhiteboardNotes(ctx, f.as(user(uOut)), boardID)
	refused(t, "an outsider opens notes", err, domain.ErrNotFound)

	if !f.app.CanAccessBoard(ctx, uCal, cal.ID) || !f.app.CanAccessBoard(ctx, uBea, bea.ID) {
		t.Fatal("a writer may not sync their own notes")
	}
	for _, u := range []string{uBea, uMod, uOut} {
		if f.app.CanAccessBoard(ctx, u, cal.ID) {
			t.Errorf("%s may sync Cal's private notes", u)
		}
	}
	if v := must(f.app.Whiteboard(ctx, user(uMod), boardID))(t); v.Phase != board.PhaseWriting || v.Writers != 2 || v.Moderator {
		t.Errorf("a member's view while writing: %+v", v)
	}
	if v := must(f.app.Whiteboard(ctx, user(uBea), boardID))(t); !v.Moderator {
		t.Errorf("the creator's view does not say they moderate it: %+v", v)
	}

	if r := f.app.NotesClosedReason(ctx, uCal, cal.ID); r != "" {
		t.Errorf("Cal's notes are closed to him before the reveal: %q", r)
	}
	_, err = f.app.RevealWhiteboardNotes(ctx, f.as(user(uCal)), boardID)
	refused(t, "a member who is not the moderator reveals", err, domain.ErrForbidden)
	must(f.app.RevealWhiteboardNotes(ctx, f.as(user(uBea)), boardID))(t)
	got := f.revealed[boardID]
	want := map[string]string{cal.ID: uCal, bea.ID: uBea}
	if f.anon[boardID] {
		t.Error("a team board's reveal is anonymous")
	}
	if len(got) != 2 || want[got[0].DocID] != got[0].Author || want[got[1].DocID] != got[1].Author {
		t.Fatalf("the reveal merged %+v, want %v", got, want)
	}
	if f.app.CanAccessBoard(ctx, uCal, cal.ID) || f.app.CanAccessBoard(ctx, uBea, bea.ID) {
		t.Error("a private notes document is still served after the reveal")
	}
	if !f.app.CanAccessBoard(ctx, uCal, boardID) {
		t.Error("the board itself is refused after the reveal")
	}
	// Cal's client, syncing his notes after the reveal, is told why; anyone
	// else asking for them is answered as for an unknown document.
	if r := f.app.NotesClosedReason(ctx, uCal, cal.ID); r != app.NotesClosedMessage {
		t.Errorf("Cal is told %q about his notes after the reveal", r)
	}
	for _, u := range []string{uBea, uMod, uOut} {
		if r := f.app.NotesClosedReason(ctx, u, cal.ID); r != "" {
			t.Errorf("%s is told %q about Cal's notes", u, r)
		}
	}
	if r := f.app.NotesClosedReason(ctx, uCal, boardID); r != "" {
		t.Errorf("Cal is told %q about the board", r)
	}
	_, err = f.app.WhiteboardNotes(ctx, f.as(user(uCal)), boardID)
	rejected(t, "notes after the reveal", err, domain.Conflict, board.CodeNotWriting)
	if v := must(f.app.Whiteboard(ctx, user(uMod), boardID))(t); v.Phase != board.PhaseRevealed {
		t.Errorf("the view after the reveal: %+v", v)
	}
}

// On a board of an anonymous retro the notes documents are registered under
// the writer's pseudonym, the reveal merges them with no author, and nothing
// in the log's board streams names the writer.
func TestAnAnonymousRetrosRevealedNotesNameNobody(t *testing.T) {
	f := newNotesEnv(t)
	ctx := f.ctx()
	rid := f.newRetro("Sprint 1", true)
	card := must(f.retro(user(uBea), rid, app.AddCard{ColumnID: "start", Text: "flaky deploys"}))(t).ID
	must(f.retro(user(uMod), rid, app.RevealColumn{ColumnID: "start"}))(t)
	boardID := must(f.retro(user(uBea), rid, app.OpenTopicWhiteboard{TopicID: card}))(t).ID
	_, err := f.app.StartWhiteboardWriting(ctx, f.as(user(uBea)), boardID)
	refused(t, "a participant who is not the retro's moderator starts writing", err, domain.ErrForbidden)
	must(f.app.StartWhiteboardWriting(ctx, f.as(user(uMod)), boardID))(t)
	notes := must(f.app.WhiteboardNotes(ctx, f.as(user(uBea)), boardID))(t)
	if !f.app.CanAccessBoard(ctx, uBea, notes.ID) || f.app.CanAccessBoard(ctx, uCal, notes.ID) || f.app.CanAccessBoard(ctx, uMod, notes.ID) {
		t.Fatal("want the anonymous writer alone to sync their notes")
	}
	must(f.app.RevealWhiteboardNotes(ctx, f.as(user(uMod)), boardID))(t)
	if got := f.revealed[boardID]; len(got) != 1 || got[0].DocID != notes.ID || got[0].Author != "" || !f.anon[boardID] {
		t.Fatalf("the reveal merged %+v (anonymous %v), want Bea's notes with no author, anonymously", got, f.anon[boardID])
	}
	for _, ev := range f.events() {
		if (ev.Stream.Category == board.Category || ev.Stream.Category == app.CategoryBoardNotes) && (strings.Contains(string(ev.Payload), uBea) || ev.Actor == uBea) {
			t.Errorf("a board event of an anonymous retro names the writer: %s %s", ev.Type, ev.Payload)
		}
	}
}
