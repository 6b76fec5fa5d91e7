package board_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/board"
)

func TestArchivingClosesTheBoardAndTwiceChangesNothing(t *testing.T) {
	if s := decider.Then(t, created(), board.Archive{Actor: ben, At: t1}, board.Archived{By: "ben", At: t1}); !s.Archived {
		t.Fatal("the board is not archived")
	}
	decider.Then(t, archived(), board.Archive{Actor: ben, At: t1})
}

func TestAnArchivedBoardCannotBeRenamedUntilRestored(t *testing.T) {
	decider.RefusedAll(t, map[string]rejection{
		"archived": {Given: archived(), When: board.Rename{Actor: ana, At: t1, Title: "new"}, Kind: domain.Conflict, Code: board.CodeArchived},
	})
	restored := append(archived(), board.Restored{By: "ana", At: t1})
	if s := decider.Then(t, archived(), board.Restore{Actor: ana, At: t1}, restored[2]); s.Archived {
		t.Fatal("the board is still archived")
	}
	if s := decider.Then(t, restored, board.Rename{Actor: ana, At: t1, Title: " new "}, board.Renamed{Title: "new", By: "ana", At: t1}); s.Title != "new" {
		t.Fatalf("title %q", s.Title)
	}
}

func TestRestoringAnOpenBoardOrRenamingToTheSameTitleChangesNothing(t *testing.T) {
	decider.Then(t, created(), board.Restore{Actor: ana, At: t1})
	decider.Then(t, created(), board.Rename{Actor: ana, At: t1, Title: "Why did the deploy fail?"})
}

func TestCommandsOnAMissingBoardAreNotFound(t *testing.T) {
	decider.RefusedAll(t, map[string]rejection{
		"rename":  {Given: nil, When: board.Rename{Actor: ana, Title: "x"}, Kind: domain.NotFound, Code: board.CodeNotFound},
		"archive": {Given: nil, When: board.Archive{Actor: ana}, Kind: domain.NotFound, Code: board.CodeNotFound},
		"restore": {Given: nil, When: board.Restore{Actor: ana}, Kind: domain.NotFound, Code: board.CodeNotFound},
	})
}

func TestCommandsOnABoardNeedAnActor(t *testing.T) {
	decider.RefusedAll(t, map[string]rejection{
		"rename":  {Given: created(), When: board.Rename{Title: "x"}, Kind: domain.Invalid, Code: board.CodeActorRequired},
		"archive": {Given: created(), When: board.Archive{}, Kind: domain.Invalid, Code: board.CodeActorRequired},
		"restore": {Given: archived(), When: board.Restore{}, Kind: domain.Invalid, Code: board.CodeActorRequired},
	})
}

func TestRenameRejectsABadTitle(t *testing.T) {
	decider.RefusedAll(t, map[string]rejection{
		"blank": {Given: created(), When: board.Rename{Actor: ana, Title: " "}, Kind: domain.Invalid, Code: board.CodeTitleRequired},
	})
}
