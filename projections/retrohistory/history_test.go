package retrohistory_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections/retrohistory"
)

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// log builds recorded events commit by commit, as a subscription delivers them.
type log struct {
	pos    uint64
	events []eventstore.RecordedEvent
}

func (l *log) commit(t *testing.T, category, id string, evs ...retro.Event) {
	t.Helper()
	l.pos++
	for i, e := range evs {
		typ, v, payload, err := retro.EncodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		l.events = append(l.events, eventstore.RecordedEvent{
			Stream: eventstore.StreamID{Category: category, ID: id}, Position: l.pos,
			Index: i, CommitSize: len(evs), Type: typ, SchemaVersion: v, Payload: payload,
		})
	}
}

// other records an event of another aggregate, which the read model skips.
func (l *log) other(category, id, typ string) {
	l.pos++
	l.events = append(l.events, eventstore.RecordedEvent{Stream: eventstore.StreamID{Category: category, ID: id},
		Position: l.pos, CommitSize: 1, Type: typ, SchemaVersion: 1, Payload: []byte(`{"userId":"u-zed"}`)})
}

func apply(t *testing.T, h *retrohistory.History, evs []eventstore.RecordedEvent) {
	t.Helper()
	for _, e := range evs {
		if err := h.Apply(e); err != nil {
			t.Fatalf("apply %s at %d: %v", e.Type, e.Position, err)
		}
	}
}

func created(id, team, title string, at time.Time) retro.RetroCreated {
	return retro.RetroCreated{RetroID: id, TeamID: team, Title: title, Moderator: "u-mod",
		Columns: []catalog.Column{{ID: "good", Title: "Good"}}, Agenda: retro.DefaultAgenda(), At: at}
}

func joined(u string) retro.ParticipantJoined {
	return retro.ParticipantJoined{UserID: u, Role: retro.RoleMember, At: t0}
}

// A retro played halfway: three people, two cards (one deleted draft
// aside), a closed voting round, one action, two of three ROTI ratings.
func halfway(t *testing.T) *log {
	l := &log{}
	l.commit(t, "retro", "r1", created("r1", "team-a", "Sprint 41", t0), joined("u-mod"))
	l.commit(t, "retro", "r1", joined("u-ann"))
	l.commit(t, "retro", "r1", joined("u-bob"))
	p1, p2 := domain.Pseudonym([]byte("k"), "u-ann"), domain.Pseudonym([]byte("k"), "u-bob")
	l.commit(t, "retro", "r1", retro.CardAdded{CardID: "c1", ColumnID: "good", Author: "u-ann", Text: "pairing helped", Concealed: true, At: t0})
	l.commit(t, "retro", "r1", retro.CardAdded{CardID: "c2", ColumnID: "good", Author: "u-bob", Text: "deploys", Concealed: true, At: t0})
	l.commit(t, "retro", "r1", retro.CardAdded{CardID: "c3", ColumnID: "good", Author: "u-bob", Text: "oops", Concealed: true, At: t0})
	l.commit(t, "retro", "r1", retro.CardDeleted{CardID: "c3", Author: "u-bob", At: t0})
	l.commit(t, "retro", "r1", retro.ColumnRevealed{ColumnID: "good", At: t0})
	l.other("team", "team-a", "team.MemberAdded") // another stream: moves the position only
	l.commit(t, "retro", "r1", retro.VotingStarted{RoundID: "v1", Budget: 3, At: t0})
	l.commit(t, "retro", "r1", retro.VoteCast{RoundID: "v1", TopicID: "c1", Voter: "u-ann", At: t0})
	l.commit(t, "retro", "r1", retro.VotingClosed{RoundID: "v1", Results: []retro.TopicVotes{{TopicID: "c1", Votes: 4}, {TopicID: "c2", Votes: 1}}, At: t0})
	l.commit(t, "retro", "r1", retro.ActionCreated{ActionID: "a1", Title: "pair on deploys", At: t0})
	l.commit(t, "retro", "r1", retro.RotiRated{Rater: p1, Score: 4, At: t0})
	l.commit(t, "retro", "r1", retro.RotiRated{Rater: p2, Score: 2, At: t0})
	return l
}

func TestAnOpenRetroShowsItsCountsAndHidesTheROTIUntilEveryoneRated(t *testing.T) {
	// Given a retro played halfway.
	h := retrohistory.New()
	apply(t, h, halfway(t).events)
	// When the team's history is read.
	got := h.TeamRetros("team-a")
	// Then it lists the retro with its counts, and no ROTI average: one of
	// three participants has not rated and the ROTI is still open.
	if len(got) != 1 {
		t.Fatalf("team history has %d retros, want 1: %+v", len(got), got)
	}
	e := got[0]
	if e.RetroID != "r1" || e.Title != "Sprint 41" || !e.CreatedAt.Equal(t0) || e.ClosedAt != nil {
		t.Errorf("entry %+v, want r1 'Sprint 41' created at %v, open", e, t0)
	}
	if e.Participants != 3 || e.Cards != 2 || e.Votes != 5 || e.Actions != 1 || e.RotiRatings != 2 {
		t.Errorf("counts: %d participants, %d cards, %d votes, %d actions, %d ratings; want 3, 2, 5, 1, 2",
			e.Participants, e.Cards, e.Votes, e.Actions, e.RotiRatings)
	}
	if e.RotiAverage != nil {
		t.Errorf("ROTI average %v shown before everyone rated or the ROTI closed", *e.RotiAverage)
	}
}

func TestClosingARetroFreezesItsEntryWithTheROTIAverage(t *testing.T) {
	// Given a retro played halfway.
	l := halfway(t)
	// When it closes.
	closedAt := t0.Add(time.Hour)
	l.commit(t, "retro", "r1", retro.RetroClosed{At: closedAt})
	h := retrohistory.New()
	apply(t, h, l.events)
	// Then its entry has the closing time and the ROTI average of the ratings given.
	e, ok := h.Retro("r1")
	if !ok {
		t.Fatal("closed retro missing")
	}
	if e.ClosedAt == nil || !e.ClosedAt.Equal(closedAt) {
		t.Errorf("closed at %v, want %v", e.ClosedAt, closedAt)
	}
	if e.RotiAverage == nil || *e.RotiAverage != 3 {
		t.Errorf("ROTI average %v, want 3 (4 and 2)", e.RotiAverage)
	}
	if e.Cards != 2 || e.Votes != 5 || e.Participants != 3 {
		t.Errorf("frozen counts %+v", e)
	}
}

func TestEntriesNameNoAuthorVoterOrRater(t *testing.T) {
	// Given a played retro whose events name authors, a voter and raters.
	l := halfway(t)
	l.commit(t, "retro", "r1", retro.RetroClosed{At: t0})
	h := retrohistory.New()
	apply(t, h, l.events)
	// When the history is serialised for a member.
	b, err := json.Marshal(h.TeamRetros("team-a"))
	if err != nil {
		t.Fatal(err)
	}
	// Then no person and no pseudonym is in it, nor any card text.
	for _, s := range []string{"u-ann", "u-bob", "anon:", "pairing helped", "deploys"} {
		if strings.Contains(string(b), s) {
			t.Errorf("history %s contains %q", b, s)
		}
	}
}

func TestApplyingTheSameEventsAgainChangesNothing(t *testing.T) {
	// Given the read model fed a retro.
	l := halfway(t)
	h := retrohistory.New()
	apply(t, h, l.events)
	before := h.TeamRetros("team-a")
	pos := h.Position()
	// When a resumed subscription delivers everything again.
	apply(t, h, l.events)
	// Then nothing is counted twice.
	after := h.TeamRetros("team-a")
	if len(after) != 1 || after[0].Cards != before[0].Cards || after[0].Participants != before[0].Participants ||
		after[0].Votes != before[0].Votes || after[0].Actions != before[0].Actions || h.Position() != pos {
		t.Errorf("after replay %+v at %d, want %+v at %d", after, h.Position(), before, pos)
	}
}

func TestTeamsSeeOnlyTheirOwnRetrosInCreationOrder(t *testing.T) {
	// Given two retros of team A and one of team B.
	l := &log{}
	l.commit(t, "retro", "r1", created("r1", "team-a", "First", t0), joined("u-mod"))
	l.commit(t, "retro", "r9", created("r9", "team-b", "Other team", t0), joined("u-mod"))
	l.commit(t, "retro", "r2", created("r2", "team-a", "Second", t0.Add(time.Hour)), joined("u-mod"))
	h := retrohistory.New()
	apply(t, h, l.events)
	// When each team's history is read.
	a, b := h.TeamRetros("team-a"), h.TeamRetros("team-b")
	// Then each holds its own, oldest first; an unknown team has none.
	if len(a) != 2 || a[0].RetroID != "r1" || a[1].RetroID != "r2" {
		t.Errorf("team A: %+v, want r1 then r2", a)
	}
	if len(b) != 1 || b[0].RetroID != "r9" {
		t.Errorf("team B: %+v, want r9", b)
	}
	if got := h.TeamRetros("nobody"); len(got) != 0 {
		t.Errorf("unknown team: %+v", got)
	}
}

func TestAnUnreadableEventIsReportedAndSkipped(t *testing.T) {
	// Given a retro, then an event of a type this binary does not know.
	l := &log{}
	l.commit(t, "retro", "r1", created("r1", "team-a", "First", t0), joined("u-mod"))
	h := retrohistory.New()
	apply(t, h, l.events)
	bad := eventstore.RecordedEvent{Stream: eventstore.StreamID{Category: "retro", ID: "r1"},
		Position: 2, CommitSize: 1, Type: "FromTheFuture", SchemaVersion: 1, Payload: []byte(`{}`)}
	// When it is applied.
	err := h.Apply(bad)
	// Then Apply says so, and the read model still moves past it.
	if err == nil {
		t.Error("an unknown event type was applied silently")
	}
	if h.Position() != 2 {
		t.Errorf("position %d after the bad event, want 2", h.Position())
	}
	if e, _ := h.Retro("r1"); e.Participants != 1 {
		t.Errorf("entry changed by a skipped event: %+v", e)
	}
}

func TestWaitForReturnsOnceTheCommitIsApplied(t *testing.T) {
	// Given a read model that has applied the first event of a two-event commit.
	l := &log{}
	l.commit(t, "retro", "r1", created("r1", "team-a", "First", t0), joined("u-mod"))
	h := retrohistory.New()
	if err := h.Apply(l.events[0]); err != nil {
		t.Fatal(err)
	}
	// Then a wait for that commit does not return yet (a cancelled context
	// stops it), because half a commit is not a read-your-write.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := h.WaitFor(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("wait on half a commit: %v, want context.Canceled", err)
	}
	// When the rest of the commit arrives while someone waits.
	done := make(chan error, 1)
	go func() { done <- h.WaitFor(t.Context(), 1) }()
	if err := h.Apply(l.events[1]); err != nil {
		t.Fatal(err)
	}
	// Then the waiter returns.
	if err := <-done; err != nil {
		t.Fatalf("wait: %v", err)
	}
	if e, _ := h.Retro("r1"); e.Participants != 1 {
		t.Errorf("after the commit: %+v", e)
	}
}
