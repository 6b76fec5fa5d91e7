package timetravel_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections/demo"
	"github.com/hindsight-retro/hindsight/projections/timetravel"
)

// policy is the server's default minimum group.
var policy = retro.Policy{MinRespondents: 3}

const seed = 11

func recorded(t *testing.T) (*memstore.Store, []string) {
	t.Helper()
	clock := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	store := memstore.New(func() time.Time { clock = clock.Add(time.Second); return clock })
	if _, err := demo.Generate(context.Background(), store, demo.Config{Seed: seed, Retros: 6}); err != nil {
		t.Fatal(err)
	}
	var retros []string
	seen := map[string]bool{}
	_ = store.ReadAll(context.Background(), 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		if e.Stream.Category == "retro" && !seen[e.Stream.ID] {
			seen[e.Stream.ID] = true
			retros = append(retros, e.Stream.ID)
		}
		return nil
	})
	return store, retros
}

func viewersOf(s retro.State) []retro.Viewer {
	vs := []retro.Viewer{{}, {UserID: "u-stranger"}}
	for _, u := range s.ParticipantOrder {
		vs = append(vs, retro.Viewer{UserID: u, Pseudonym: domain.Pseudonym(demo.Key(seed, s.RetroID), u)})
	}
	return vs
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTimeTravelAtEveryPositionMatchesWhatTheLiveFeedShowed(t *testing.T) {
	ctx := context.Background()
	// Given recorded retros (anonymous ones among them).
	store, retros := recorded(t)
	for _, id := range retros {
		recs, err := store.Load(ctx, eventstore.StreamID{Category: retro.Category, ID: id}, 0)
		if err != nil {
			t.Fatal(err)
		}
		// When the retro is folded live, event by event, and after each
		// commit every viewer's view is compared with time travel to it.
		live := retro.Initial()
		final := retro.Initial()
		for _, r := range recs {
			ev, err := retro.DecodeEvent(r.Type, r.SchemaVersion, r.Payload)
			if err != nil {
				t.Fatal(err)
			}
			final = retro.Evolve(final, ev)
		}
		checked := 0
		for _, r := range recs {
			ev, _ := retro.DecodeEvent(r.Type, r.SchemaVersion, r.Payload)
			live = retro.Evolve(live, ev)
			if !r.LastInCommit() {
				continue
			}
			for _, v := range viewersOf(final) {
				got, err := timetravel.AtPosition(ctx, store, id, r.Position, v, policy)
				if err != nil {
					t.Fatalf("%s at %d: %v", id, r.Position, err)
				}
				// Then they are the same, for every viewer, at every position.
				if want := asJSON(t, retro.View(live, v, policy)); asJSON(t, got.View) != want || got.Position != r.Position {
					t.Fatalf("%s at %d for %+v:\n got %s\nwant %s", id, r.Position, v, asJSON(t, got.View), want)
				}
				checked++
			}
		}
		if checked == 0 {
			t.Fatalf("%s: nothing compared", id)
		}
	}
}

func TestTimeTravelByTimeAndItsErrors(t *testing.T) {
	ctx := context.Background()
	store, retros := recorded(t)
	id := retros[0]
	recs, _ := store.Load(ctx, eventstore.StreamID{Category: retro.Category, ID: id}, 0)
	mid := recs[len(recs)/2]
	// When the retro is asked for at the time its middle event was recorded.
	got, err := timetravel.AtTime(ctx, store, id, mid.RecordedAt, retro.Viewer{}, policy)
	// Then it is the state after that event's commit.
	if err != nil || got.Position != mid.Position {
		t.Errorf("at %v: position %d (%v), want %d", mid.RecordedAt, got.Position, err, mid.Position)
	}
	// And a time before the retro, or an unknown retro, are told apart.
	if _, err := timetravel.AtTime(ctx, store, id, recs[0].RecordedAt.Add(-time.Second), retro.Viewer{}, policy); !errors.Is(err, timetravel.ErrBeforeCreation) {
		t.Errorf("before creation: %v", err)
	}
	if _, err := timetravel.AtPosition(ctx, store, "nope", 10, retro.Viewer{}, policy); !errors.Is(err, timetravel.ErrNotFound) {
		t.Errorf("unknown retro: %v", err)
	}
}

// A card the moderator hid is hidden in every past view too: time travel to
// before the hide shows it as hidden, its text to its author alone.
func TestACardHiddenLaterIsHiddenInThePast(t *testing.T) {
	ctx := context.Background()
	store, retros := recorded(t)
	for _, id := range retros {
		stream := eventstore.StreamID{Category: retro.Category, ID: id}
		recs, err := store.Load(ctx, stream, 0)
		if err != nil {
			t.Fatal(err)
		}
		st := retro.Initial()
		var card retro.Card
		var pos uint64
		for _, r := range recs {
			ev, err := retro.DecodeEvent(r.Type, r.SchemaVersion, r.Payload)
			if err != nil {
				t.Fatal(err)
			}
			st = retro.Evolve(st, ev)
			if card.ID == "" {
				for _, cid := range st.CardOrder.All() {
					if c, _ := st.Cards.Get(cid); st.Revealed[c.ColumnID] && c.Author != "" && c.Text != "" {
						card, pos = c, r.Position
						break
					}
				}
			}
		}
		if card.ID == "" {
			continue
		}
		typ, v, payload, err := retro.EncodeEvent(retro.CardHidden{CardID: card.ID, At: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Append(ctx, eventstore.Commit{Stream: stream, ExpectedVersion: eventstore.Any, CommandID: "hide-" + card.ID,
			Actor: st.Moderator, Events: []eventstore.Event{{Type: typ, SchemaVersion: v, Payload: payload}}}); err != nil {
			t.Fatal(err)
		}
		for _, v := range viewersOf(st) {
			got, err := timetravel.AtPosition(ctx, store, id, pos, v, policy)
			if err != nil {
				t.Fatal(err)
			}
			var cv retro.CardView
			for _, col := range got.View.Columns {
				for _, c := range col.Cards {
					if c.ID == card.ID {
						cv = c
					}
				}
			}
			own := v.UserID == card.Author || (v.Pseudonym != "" && v.Pseudonym == card.Author)
			if !cv.Hidden || (cv.Text == card.Text) != own {
				t.Errorf("%s at %d for %q: the card hidden later is %+v, want hidden, its text to its author alone", id, pos, v.UserID, cv)
			}
		}
		return
	}
	t.Fatal("no recorded retro has a revealed card with an author")
}

// A slider stops at each of the retro's commits: the snapshot lists their
// positions, oldest first, each once, and every one of them is a point
// time travel answers for.
func TestASnapshotListsEveryCommitOfTheRetroOnce(t *testing.T) {
	ctx := context.Background()
	store, retros := recorded(t)
	id := retros[0]
	recs, err := store.Load(ctx, eventstore.StreamID{Category: retro.Category, ID: id}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var want []uint64
	for _, r := range recs {
		if r.LastInCommit() {
			want = append(want, r.Position)
		}
	}
	mid := want[len(want)/2]
	got, err := timetravel.AtPosition(ctx, store, id, mid, retro.Viewer{}, policy)
	if err != nil {
		t.Fatal(err)
	}
	if asJSON(t, got.Positions) != asJSON(t, want) {
		t.Fatalf("positions %v, want the retro's commits %v", got.Positions, want)
	}
	for _, p := range got.Positions {
		at, err := timetravel.AtPosition(ctx, store, id, p, retro.Viewer{}, policy)
		if err != nil || at.Position != p {
			t.Fatalf("at %d: position %d (%v)", p, at.Position, err)
		}
	}
}
