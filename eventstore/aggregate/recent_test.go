package aggregate

import (
	"fmt"
	"testing"
)

// A writer recognises the latest recentCommands commits of a stream by
// their command IDs, and no older ones, however many commits came before;
// the chain it keeps for that stays bounded.
func TestTheLatestCommitsAreRecognisedAndTheChainStaysBounded(t *testing.T) {
	var snap snapshot[int]
	const commits = 1000
	for i := range commits {
		snap.recent = snap.withCommit(commitRef{commandID: fmt.Sprint("cmd-", i), version: int64(i + 1), position: uint64(i + 1)})
		if snap.recent.n > recentSpan {
			t.Fatalf("after %d commits the chain holds %d links, more than %d", i+1, snap.recent.n, recentSpan)
		}
	}
	for i := commits - recentCommands; i < commits; i++ {
		ref, ok := snap.find(fmt.Sprint("cmd-", i))
		if !ok || ref.version != int64(i+1) {
			t.Fatalf("commit %d of the latest %d: found %v at version %d", i, recentCommands, ok, ref.version)
		}
	}
	if _, ok := snap.find(fmt.Sprint("cmd-", commits-recentCommands-1)); ok {
		t.Fatalf("the commit before the latest %d is still recognised", recentCommands)
	}
}

// Two snapshots grown from one share its commits and do not see each
// other's.
func TestSnapshotsGrownFromOneDoNotSeeEachOthersCommits(t *testing.T) {
	var base snapshot[int]
	base.recent = base.withCommit(commitRef{commandID: "first", version: 1})
	a := snapshot[int]{recent: base.withCommit(commitRef{commandID: "a", version: 2})}
	b := snapshot[int]{recent: base.withCommit(commitRef{commandID: "b", version: 2})}
	if _, ok := a.find("b"); ok {
		t.Fatal("a sees b's commit")
	}
	if _, ok := b.find("a"); ok {
		t.Fatal("b sees a's commit")
	}
	for _, s := range []snapshot[int]{a, b} {
		if _, ok := s.find("first"); !ok {
			t.Fatal("a snapshot lost the commit it grew from")
		}
	}
}

// Every new command is looked for among the stream's recent commits and
// not found: the cost each command pays.
func BenchmarkLookingForANewCommandAmongTheRecentCommits(b *testing.B) {
	var snap snapshot[int]
	for i := range recentCommands {
		snap.recent = snap.withCommit(commitRef{commandID: fmt.Sprintf("0b9c6d3e-7f1a-4e2b-9c4d-%012d", i), version: int64(i + 1)})
	}
	for b.Loop() {
		if _, ok := snap.find("0b9c6d3e-7f1a-4e2b-9c4d-999999999999"); ok {
			b.Fatal("found a command never committed")
		}
	}
}
