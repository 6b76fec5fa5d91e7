package replay_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections/demo"
	"github.com/hindsight-retro/hindsight/projections/export"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
	"github.com/hindsight-retro/hindsight/projections/replay"
)

func demoStore(t *testing.T) (*memstore.Store, demo.Stats) {
	t.Helper()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	store := memstore.New(func() time.Time { clock = clock.Add(time.Second); return clock })
	st, err := demo.Generate(context.Background(), store, demo.Config{Seed: 4, Retros: 12, RetrosPerTeam: 6})
	if err != nil {
		t.Fatal(err)
	}
	return store, st
}

func TestAReplayStopsAtItsBound(t *testing.T) {
	ctx := context.Background()
	store, st := demoStore(t)
	// When the log is replayed whole, up to half its positions, and up to a time.
	whole, half, early := replay.NewSet(healthtrends.Config{}), replay.NewSet(healthtrends.Config{}), replay.NewSet(healthtrends.Config{})
	ws, err := replay.FromStore(ctx, store, whole, replay.Until{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	until, _ := replay.ParseUntil("100")
	hs, err := replay.FromStore(ctx, store, half, until, nil)
	if err != nil {
		t.Fatal(err)
	}
	es, err := replay.FromStore(ctx, store, early, replay.Until{Time: time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Then the whole replay read every event; the bounded ones stopped at
	// their bound with every read model at it.
	if ws.Events != st.Events || ws.Position != st.LastPosition || ws.Skipped != 0 {
		t.Errorf("whole replay %+v, demo %+v", ws, st)
	}
	if hs.Position != 100 || half.History.Checkpoint() != 100 || half.Dashboard.Checkpoint() != 100 {
		t.Errorf("bounded replay at %d, history at %d", hs.Position, half.History.Checkpoint())
	}
	if n := len(early.History.RetroIDs()); n != 2 || es.Later == 0 || es.Events+es.Later != st.Events {
		t.Errorf("replay until 10 January saw %d retros, read %d events and left out %d; want the 2 of the first week", n, es.Events, es.Later)
	}
	if len(half.History.RetroIDs()) >= len(whole.History.RetroIDs()) {
		t.Error("the bounded replay saw every retro")
	}
}

func TestAReplayOfAnExportShowsTheTeamsRetrosAsTheCallerMaySee(t *testing.T) {
	ctx := context.Background()
	store, _ := demoStore(t)
	me := "u-0000-00"
	var buf bytes.Buffer
	v := export.Viewer{UserID: me, Pseudonym: func(id string) string { return domain.Pseudonym(demo.Key(4, id), me) }}
	if err := export.Export(ctx, store, export.Filter{TeamID: "team-0000"}, v, &buf); err != nil {
		t.Fatal(err)
	}
	// When the export is replayed.
	fromExport := replay.NewSet(healthtrends.Config{})
	if _, err := replay.FromExport(ctx, &buf, fromExport, replay.Until{}, nil); err != nil {
		t.Fatal(err)
	}
	fromLog := replay.NewSet(healthtrends.Config{})
	if _, err := replay.FromStore(ctx, store, fromLog, replay.Until{}, nil); err != nil {
		t.Fatal(err)
	}
	// Then the team's retros have the same counts as from the log, and no other team is in it.
	a, b := fromExport.History.TeamRetros("team-0000"), fromLog.History.TeamRetros("team-0000")
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%d retros from the export, %d from the log", len(a), len(b))
	}
	for i := range a {
		if a[i].Cards != b[i].Cards || a[i].Votes != b[i].Votes || a[i].Participants != b[i].Participants || a[i].Actions != b[i].Actions {
			t.Errorf("retro %s: export %+v, log %+v", a[i].RetroID, a[i], b[i])
		}
	}
	if len(fromExport.History.TeamRetros("team-0001")) != 0 {
		t.Error("another team's retros came through the export")
	}
}

// The log's write times say when the history was stored (here: all within
// minutes, as by an import or the demo), not when the retros happened; a
// replay "until 1 February" is about the latter.
func TestAReplayUntilATimeShowsTheRetrosThatHadHappenedByThen(t *testing.T) {
	ctx := context.Background()
	store, _ := demoStore(t) // stored on 1 January 2026, one commit a second
	until := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	set := replay.NewSet(healthtrends.Config{})
	st, err := replay.FromStore(ctx, store, set, replay.Until{Time: until}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Two teams hold a retro a fortnight from 5 January: four by February.
	ids := set.History.RetroIDs()
	if len(ids) != 4 {
		t.Fatalf("replay until %s has %d retros (%v), want the 4 of January; %+v", until, len(ids), ids, st)
	}
	for _, id := range ids {
		e, _ := set.History.Retro(id)
		if e.CreatedAt.After(until) || e.ClosedAt == nil || e.ClosedAt.After(until) {
			t.Errorf("retro %s created %s, closed %v: not all before %s", id, e.CreatedAt, e.ClosedAt, until)
		}
	}
	// And an export replayed with the same bound agrees.
	var buf bytes.Buffer
	me := "u-0000-00"
	v := export.Viewer{UserID: me, Pseudonym: func(id string) string { return domain.Pseudonym(demo.Key(4, id), me) }}
	if err := export.Export(ctx, store, export.Filter{TeamID: "team-0000", UntilTime: until}, v, &buf); err != nil {
		t.Fatal(err)
	}
	fromExport := replay.NewSet(healthtrends.Config{})
	if _, err := replay.FromExport(ctx, &buf, fromExport, replay.Until{}, nil); err != nil {
		t.Fatal(err)
	}
	if got := len(fromExport.History.TeamRetros("team-0000")); got != 2 {
		t.Errorf("the export until %s holds %d of team-0000's retros, want 2", until, got)
	}
}

func TestUntilTakesAPositionOrATime(t *testing.T) {
	for in, ok := range map[string]bool{"42": true, "2026-03-01T00:00:00Z": true, "0": false, "yesterday": false, "-3": false} {
		if _, err := replay.ParseUntil(in); (err == nil) != ok {
			t.Errorf("ParseUntil(%q): %v", in, err)
		}
	}
}
