package teamhistory_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/projections/projtest"
	"github.com/hindsight-retro/hindsight/projections/teamhistory"
)

var (
	t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	// policy lets the played retros' two ROTI ratings show; see
	// TestAROTIOfFewerRatingsThanTheMinimumHasNoAverageInTheHistory.
	policy = retro.Policy{MinRespondents: 2}
)

func created(id, team string, anonymous bool) retro.RetroCreated {
	return retro.RetroCreated{RetroID: id, TeamID: team, Title: "Sprint " + id, Moderator: "u-mod", Anonymous: anonymous,
		Columns: []catalog.Column{{ID: "good", Title: "Good"}, {ID: "bad", Title: "Bad"}}, Agenda: retro.DefaultAgenda(), At: t0}
}

func joined(u string) retro.ParticipantJoined {
	return retro.ParticipantJoined{UserID: u, Role: retro.RoleMember, At: t0}
}

// played is a retro of three people: a revealed column with two cards, a
// concealed column with one, votes published, one action, ROTI 4 and 2.
// In an anonymous retro authors are pseudonyms.
func played(l *projtest.Log, id string, anonymous bool) {
	author := func(u string) string {
		if anonymous {
			return domain.Pseudonym([]byte("key-"+id), u)
		}
		return u
	}
	l.Retro(id, created(id, "team-a", anonymous), joined("u-mod"))
	l.Retro(id, joined("u-ann"))
	l.Retro(id, joined("u-bob"))
	l.Retro(id, retro.CardAdded{CardID: "c1", ColumnID: "good", Author: author("u-ann"), Text: "pairing helped", Concealed: true, At: t0})
	l.Retro(id, retro.CardAdded{CardID: "c2", ColumnID: "good", Author: author("u-bob"), Text: "fast deploys", Concealed: true, At: t0})
	l.Retro(id, retro.CardAdded{CardID: "c3", ColumnID: "bad", Author: author("u-bob"), Text: "secret gripe", Concealed: true, At: t0})
	l.Retro(id, retro.ColumnRevealed{ColumnID: "good", At: t0})
	l.Retro(id, retro.VotingStarted{RoundID: "v1", Budget: 3, At: t0})
	l.Retro(id, retro.VoteCast{RoundID: "v1", TopicID: "c1", Voter: author("u-ann"), At: t0})
	l.Retro(id, retro.VotingClosed{RoundID: "v1", Results: []retro.TopicVotes{{TopicID: "c1", Votes: 4}, {TopicID: "c2", Votes: 1}}, At: t0})
	l.Retro(id, retro.ActionCreated{ActionID: "a-" + id, Title: "pair on deploys", At: t0})
	l.Retro(id, retro.RotiRated{Rater: domain.Pseudonym([]byte("k"), "u-ann"), Score: 4, At: t0})
	l.Retro(id, retro.RotiRated{Rater: domain.Pseudonym([]byte("k"), "u-bob"), Score: 2, At: t0})
}

func TestAClosedRetroListsItsDateDurationCountsAndROTI(t *testing.T) {
	// Given a played retro that closes 90 minutes after it was created.
	l := projtest.New(t, t0)
	played(l, "r1", false)
	l.Retro("r1", retro.RetroClosed{At: t0.Add(90 * time.Minute)})
	h := teamhistory.New(policy)
	// When the read model folds the log.
	projtest.ApplyAll(t, h, l.Events)
	// Then the team's history shows it with its counts.
	got := h.TeamRetros("team-a")
	if len(got) != 1 {
		t.Fatalf("history has %d retros, want 1", len(got))
	}
	e := got[0]
	if e.RetroID != "r1" || !e.CreatedAt.Equal(t0) || e.ClosedAt == nil || e.DurationSeconds != 5400 {
		t.Errorf("entry %+v: want r1 created %v, closed, 5400 s", e, t0)
	}
	if e.Participants != 3 || e.Cards != 3 || e.Votes != 5 || e.Actions != 1 || e.RotiRatings != 2 {
		t.Errorf("counts %+v: want 3 participants, 3 cards, 5 votes, 1 action, 2 ratings", e)
	}
	if e.RotiAverage == nil || *e.RotiAverage != 3 {
		t.Errorf("ROTI average %v, want 3", e.RotiAverage)
	}
	if h.Checkpoint() != l.Pos {
		t.Errorf("checkpoint %d, want %d", h.Checkpoint(), l.Pos)
	}
}

func TestAnOpenRetroHasNoArchiveAndHidesItsROTI(t *testing.T) {
	// Given a retro played but not closed.
	l := projtest.New(t, t0)
	played(l, "r1", false)
	h := teamhistory.New(policy)
	projtest.ApplyAll(t, h, l.Events)
	// When its entry and archive are asked for.
	e, ok := h.Retro("r1")
	_, err := h.Archive("r1")
	// Then the entry counts what happened so far, with no ROTI average (one
	// of three has not rated), and there is no archive yet.
	if !ok || e.ClosedAt != nil || e.Cards != 3 || e.RotiAverage != nil {
		t.Errorf("open entry %+v (found %v)", e, ok)
	}
	if !errors.Is(err, teamhistory.ErrNotClosed) {
		t.Errorf("archive of an open retro: %v, want ErrNotClosed", err)
	}
}

func TestTheArchiveIsTheBoardEveryoneSawAtTheEnd(t *testing.T) {
	// Given an anonymous retro closed with one column still concealed.
	l := projtest.New(t, t0)
	played(l, "r1", true)
	l.Retro("r1", retro.RetroClosed{At: t0.Add(time.Hour)})
	h := teamhistory.New(policy)
	projtest.ApplyAll(t, h, l.Events)
	// When its archive is read.
	a, err := h.Archive("r1")
	if err != nil {
		t.Fatal(err)
	}
	// Then revealed cards show their text and votes, the concealed card
	// only that it existed, and no author nor pseudonym appears anywhere.
	cards := map[string]retro.CardView{}
	for _, c := range a.Columns {
		for _, cv := range c.Cards {
			cards[cv.ID] = cv
		}
	}
	if cards["c1"].Text != "pairing helped" || cards["c1"].Votes != 4 {
		t.Errorf("revealed card %+v", cards["c1"])
	}
	if !cards["c3"].Concealed || cards["c3"].Text != "" {
		t.Errorf("concealed card shown: %+v", cards["c3"])
	}
	b, _ := json.Marshal(a)
	for _, leak := range []string{"secret gripe", "anon:", `"author"`} {
		if strings.Contains(string(b), leak) {
			t.Errorf("archive contains %q: %s", leak, b)
		}
	}
	if !a.Closed || a.Roti.Result == nil || a.Roti.Result.Average == nil || *a.Roti.Result.Average != 3 {
		t.Errorf("archive closed=%v roti=%+v", a.Closed, a.Roti.Result)
	}
}

func TestDeliveringTheLogTwiceChangesNothing(t *testing.T) {
	// Given the read model fed two retros, one closed.
	l := projtest.New(t, t0)
	played(l, "r1", false)
	l.Retro("r1", retro.RetroClosed{At: t0.Add(time.Hour)})
	played(l, "r2", false)
	h := teamhistory.New(policy)
	projtest.ApplyAll(t, h, l.Events)
	before := h.TeamRetros("team-a")
	// When a resumed subscription delivers everything again.
	projtest.ApplyAll(t, h, l.Events)
	// Then nothing is counted twice.
	if after := h.TeamRetros("team-a"); !reflect.DeepEqual(before, after) {
		t.Errorf("after a second delivery\n%+v\nwant\n%+v", after, before)
	}
}

func TestARestoredSnapshotResumesWhereItsStateIs(t *testing.T) {
	// Given a log of which a read model folded the first half, then snapshotted.
	l := projtest.New(t, t0)
	played(l, "r1", false)
	l.Retro("r1", retro.RetroClosed{At: t0.Add(time.Hour)})
	played(l, "r2", true)
	half := len(l.Events) - 4
	first := teamhistory.New(policy)
	projtest.ApplyAll(t, first, l.Events[:half])
	snap, err := first.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	// When another instance restores it and is fed the whole log.
	restored := teamhistory.New(policy)
	if err := restored.Restore(snap); err != nil {
		t.Fatal(err)
	}
	projtest.ApplyAll(t, restored, l.Events)
	// Then it reads the same as one that folded the log from the start.
	full := teamhistory.New(policy)
	projtest.ApplyAll(t, full, l.Events)
	if !reflect.DeepEqual(restored.TeamRetros("team-a"), full.TeamRetros("team-a")) || restored.Checkpoint() != full.Checkpoint() {
		t.Errorf("restored\n%+v\nfull\n%+v", restored.TeamRetros("team-a"), full.TeamRetros("team-a"))
	}
	if err := restored.Restore([]byte(`{"name":"other"}`)); err == nil {
		t.Error("a snapshot of another read model was accepted")
	}
}

func TestAROTIOfFewerRatingsThanTheMinimumHasNoAverageInTheHistory(t *testing.T) {
	// Given a closed retro whose ROTI two of three rated, 4 and 2, and a
	// minimum group of three.
	l := projtest.New(t, t0)
	played(l, "r1", false)
	l.Retro("r1", retro.RetroClosed{At: t0.Add(time.Hour)})
	h := teamhistory.New(retro.Policy{MinRespondents: 3})
	projtest.ApplyAll(t, h, l.Events)
	// Then neither the entry nor the archive lets ann read bob's rating off.
	e, ok := h.Retro("r1")
	if !ok || e.RotiAverage != nil || e.RotiRatings != 2 {
		t.Errorf("entry: %+v, want two ratings and no average", e)
	}
	a, err := h.Archive("r1")
	if err != nil {
		t.Fatal(err)
	}
	if r := a.Roti.Result; r == nil || !r.Withheld || r.Count != 2 || r.Average != nil || r.Distribution != nil {
		t.Errorf("archived ROTI: %+v, want its count only", r)
	}
}

func TestASnapshotTakenUnderAnotherMinimumGroupIsNotRestored(t *testing.T) {
	// Given a snapshot taken while the minimum group was two.
	l := projtest.New(t, t0)
	played(l, "r1", false)
	l.Retro("r1", retro.RetroClosed{At: t0.Add(time.Hour)})
	h := teamhistory.New(retro.Policy{MinRespondents: 2})
	projtest.ApplyAll(t, h, l.Events)
	snap, err := h.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	// Then a node started with a minimum of three refuses it (and rebuilds,
	// so the archive it serves withholds the two ratings).
	if err := teamhistory.New(retro.Policy{MinRespondents: 3}).Restore(snap); err == nil {
		t.Error("a snapshot taken under a minimum group of 2 was restored under 3")
	}
	// And so is one from before snapshots recorded their minimum group.
	var old struct {
		Name   string          `json:"name"`
		Cursor json.RawMessage `json:"cursor"`
		State  map[string]any  `json:"state"`
	}
	if err := json.Unmarshal(snap, &old); err != nil {
		t.Fatal(err)
	}
	if _, ok := old.State["minGroup"]; !ok {
		t.Fatalf("the snapshot records no minimum group: %s", snap)
	}
	delete(old.State, "minGroup")
	unmarked, _ := json.Marshal(old)
	if err := teamhistory.New(retro.Policy{MinRespondents: 2}).Restore(unmarked); err == nil {
		t.Error("a snapshot with no minimum group was restored")
	}
	if err := teamhistory.New(retro.Policy{MinRespondents: 2}).Restore(snap); err != nil {
		t.Errorf("a snapshot under the same minimum group: %v", err)
	}
}
