package board_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/board"
)

// writing: board b1 in its writing phase, ana's notes in document n-ana.
func writing() []board.Event {
	return append(created(), board.WritingStarted{By: "ana", At: t1}, board.NotesOpened{Owner: "ana", DocID: "n-ana", At: t1})
}

func TestEachPersonGetsOnePrivateNotesDocumentWhileWriting(t *testing.T) {
	s := decider.Then(t, writing(), board.OpenNotes{Actor: ben, At: t1, Owner: "ben", DocID: "n-ben"},
		board.NotesOpened{Owner: "ben", DocID: "n-ben", At: t1})
	if s.Phase != board.PhaseWriting || s.Notes["ben"] != "n-ben" || s.Notes["ana"] != "n-ana" || s.NotesOf("n-ben") != "ben" || s.NotesOf("b1") != "" {
		t.Fatalf("state %+v", s)
	}
	// Asking again keeps the document one has.
	decider.Then(t, writing(), board.OpenNotes{Actor: ana, At: t1, Owner: "ana", DocID: "n-other"})
}

func TestNotesCannotBeOpenedOutsideTheWritingPhaseOrInSomeoneElsesDocument(t *testing.T) {
	revealed := append(writing(), board.NotesRevealed{By: "ana", At: t1})
	decider.RefusedAll(t, map[string]rejection{
		"never started": {Given: created(), When: board.OpenNotes{Actor: ben, Owner: "ben", DocID: "n-ben"}, Kind: domain.Conflict, Code: board.CodeNotWriting},
		"revealed":      {Given: revealed, When: board.OpenNotes{Actor: ben, Owner: "ben", DocID: "n-ben"}, Kind: domain.Conflict, Code: board.CodeNotWriting},
		"taken":         {Given: writing(), When: board.OpenNotes{Actor: ben, Owner: "ben", DocID: "n-ana"}, Kind: domain.Conflict, Code: board.CodeExists},
		"no owner":      {Given: writing(), When: board.OpenNotes{Actor: ben, DocID: "n-ben"}, Kind: domain.Invalid, Code: board.CodeNotesOwnerRequired},
		"no document":   {Given: writing(), When: board.OpenNotes{Actor: ben, Owner: "ben"}, Kind: domain.Invalid, Code: board.CodeIDRequired},
		"archived":      {Given: append(writing(), board.Archived{By: "ana", At: t1}), When: board.OpenNotes{Actor: ben, Owner: "ben", DocID: "n-ben"}, Kind: domain.Conflict, Code: board.CodeArchived},
	})
}

func TestRevealEndsTheWritingPhaseOnceAndForGood(t *testing.T) {
	s := decider.Then(t, writing(), board.RevealNotes{Actor: ana, At: t1}, board.NotesRevealed{By: "ana", At: t1})
	if s.Phase != board.PhaseRevealed || s.Notes["ana"] != "n-ana" {
		t.Fatalf("state %+v", s)
	}
	revealed := append(writing(), board.NotesRevealed{By: "ana", At: t1})
	decider.Then(t, revealed, board.RevealNotes{Actor: ana, At: t1})
	decider.RefusedAll(t, map[string]rejection{
		"reveal before writing": {Given: created(), When: board.RevealNotes{Actor: ana}, Kind: domain.Conflict, Code: board.CodeNotWriting},
		"write again":           {Given: revealed, When: board.StartWriting{Actor: ana}, Kind: domain.Conflict, Code: board.CodeWritingStarted},
		"missing board":         {Given: nil, When: board.StartWriting{Actor: ana}, Kind: domain.NotFound, Code: board.CodeNotFound},
		"no actor":              {Given: created(), When: board.StartWriting{}, Kind: domain.Invalid, Code: board.CodeActorRequired},
	})
}

func TestStartingTheWritingPhaseTwiceChangesNothing(t *testing.T) {
	if s := decider.Then(t, created(), board.StartWriting{Actor: ana, At: t1}, board.WritingStarted{By: "ana", At: t1}); s.Phase != board.PhaseWriting {
		t.Fatalf("phase %q", s.Phase)
	}
	decider.Then(t, writing(), board.StartWriting{Actor: ana, At: t1})
}
