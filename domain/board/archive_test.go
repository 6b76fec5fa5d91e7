package board_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/board"
)

func TestArchivingClosesTheBoardAndTwiceChangesNothing(t *testing.T) {
	if s := thenEvents(t, created(), board.Archive{Actor: ben, At: t1}, board.Archived{By: "ben", At: t1}); !s.Archived {
		t.Fatal("the board is not archived")
	}
	thenEvents(t, archived(), board.Archive{Actor: ben, At: t1})
}

func TestAnArchivedBoardCannotBeRenamedUntilRestored(t *testing.T) {
	thenRejected(t, map[string]rejection{
		"archived": {archived(), board.Rename{Actor: ana, At: t1, Title: "new"}, domain.Conflict, board.CodeArchived},
	})
	restored := append(archived(), board.Restored{By: "ana", At: t1})
	if s := thenEvents(t, archived(), board.Restore{Actor: ana, At: t1}, restored[2]); s.Archived {
		t.Fatal("the board is still archived")
	}
	if s := thenEvents(t, restored, board.Rename{Actor: ana, At: t1, Title: " new "}, board.Renamed{Title: "new", By: "ana", At: t1}); s.Title != "new" {
		t.Fatalf("title %q", s.Title)
	}
}

func TestRestoringAnOpenBoardOrRenamingToTheSameTitleChangesNothing(t *testing.T) {
	thenEvents(t, created(), board.Restore{Actor: ana, At: t1})
	thenEvents(t, created(), board.Rename{Actor: ana, At: t1, Title: "Why did the deploy fail?"})
}

func TestCommandsOnAMissingBoardAreNotFound(t *testing.T) {
	thenRejected(t, map[string]rejection{
		"rename":  {nil, board.Rename{Actor: ana, Title: "x"}, domain.NotFound, board.CodeNotFound},
		"archive": {nil, board.Archive{Actor: ana}, domain.NotFound, board.CodeNotFound},
		"restore": {nil, board.Restore{Actor: ana}, domain.NotFound, board.CodeNotFound},
	})
}

func TestCommandsOnABoardNeedAnActor(t *testing.T) {
	thenRejected(t, map[string]rejection{
		"rename":  {created(), board.Rename{Title: "x"}, domain.Invalid, board.CodeActorRequired},
		"archive": {created(), board.Archive{}, domain.Invalid, board.CodeActorRequired},
		"restore": {archived(), board.Restore{}, domain.Invalid, board.CodeActorRequired},
	})
}

func TestRenameRejectsABadTitle(t *testing.T) {
	thenRejected(t, map[string]rejection{
		"blank": {created(), board.Rename{Actor: ana, Title: " "}, domain.Invalid, board.CodeTitleRequired},
	})
}
