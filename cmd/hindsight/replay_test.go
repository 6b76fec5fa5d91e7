package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections/export"
)

func noEnv(string) string { return "" }

// An analyst's round trip on a real embedded store: seed a workspace,
// export a team as one of its members, replay the store into SQLite, and
// replay the export too.
func TestDemoExportAndReplayOnAnEmbeddedStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	var out, errOut bytes.Buffer
	// Given a demo workspace of 8 retros.
	if code := runDemo(ctx, []string{"--data-dir", data, "--sync", "1s", "--retros", "8", "--retros-per-team", "4", "--seed", "3"}, noEnv, &out, &errOut); code != exitOK {
		t.Fatalf("demo exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "8 retros") {
		t.Errorf("demo said %q", out.String())
	}
	// When team-0000 is exported for its admin.
	exported := filepath.Join(dir, "team.ndjson")
	out.Reset()
	if code := runExport(ctx, []string{"--data-dir", data, "--team", "team-0000", "--as", "u-0000-00", "--out", exported}, noEnv, &out, &errOut); code != exitOK {
		t.Fatalf("export exited %d: %s", code, errOut.String())
	}
	// Then the file holds CloudEvents of that team only.
	b, err := os.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := export.Read(bytes.NewReader(b), func(e eventstore.RecordedEvent) error {
		n++
		if e.Stream.Category == retro.Category && !strings.HasPrefix(e.Stream.ID, "r-0000-") {
			t.Errorf("another team's retro %s in the export", e.Stream.ID)
		}
		return nil
	}); err != nil || n == 0 {
		t.Fatalf("export read back: %d events, %v", n, err)
	}
	// And when the store is replayed into SQLite, the retros table has all 8.
	db := filepath.Join(dir, "all.db")
	out.Reset()
	if code := runReplay(ctx, []string{"--data-dir", data, "--sqlite", db, "--quiet"}, noEnv, &out, &errOut); code != exitOK {
		t.Fatalf("replay exited %d: %s", code, errOut.String())
	}
	if got := count(t, db, "SELECT count(*) FROM retros"); got != 8 {
		t.Errorf("SQLite from the store has %d retros, want 8 (%s)", got, out.String())
	}
	// And replaying the export gives team-0000's 4 retros only.
	db2 := filepath.Join(dir, "team.db")
	if code := runReplay(ctx, []string{"--from", exported, "--sqlite", db2, "--quiet"}, noEnv, &out, &errOut); code != exitOK {
		t.Fatalf("replay --from exited %d: %s", code, errOut.String())
	}
	if got := count(t, db2, "SELECT count(*) FROM retros WHERE team_id = 'team-0000'"); got != 4 || count(t, db2, "SELECT count(*) FROM retros") != 4 {
		t.Errorf("SQLite from the export has %d of team-0000's retros, want 4", got)
	}
	// And its names are what the export holds: team-0000's, no other team's,
	// no workspace's.
	if got := count(t, db2, "SELECT count(*) FROM teams WHERE team_id = 'team-0000' AND name = 'Team team-0000' AND workspace_name IS NULL"); got != 1 || count(t, db2, "SELECT count(*) FROM teams") != 1 {
		t.Errorf("the export's SQLite names %d teams, want team-0000 alone without its workspace's name", count(t, db2, "SELECT count(*) FROM teams"))
	}
	// And a replay never writes over an existing file.
	if code := runReplay(ctx, []string{"--from", exported, "--sqlite", db2, "--quiet"}, noEnv, &out, &errOut); code != exitFailure {
		t.Errorf("replay over an existing SQLite file exited %d", code)
	}
}

func count(t *testing.T, path, q string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestReplayExportAndDemoRejectBadFlags(t *testing.T) {
	ctx := context.Background()
	for name, run := range map[string]func() int{
		"replay until": func() int {
			return runReplay(ctx, []string{"--until", "soon"}, noEnv, &bytes.Buffer{}, &bytes.Buffer{})
		},
		"replay min": func() int {
			return runReplay(ctx, []string{"--min-group-size", "1"}, noEnv, &bytes.Buffer{}, &bytes.Buffer{})
		},
		"replay old flag name": func() int {
			return runReplay(ctx, []string{"--min-respondents", "4"}, noEnv, &bytes.Buffer{}, &bytes.Buffer{})
		},
		"replay snapshots until a time": func() int {
			return runReplay(ctx, []string{"--until", "2026-06-01T00:00:00Z", "--snapshots", t.TempDir()}, noEnv, &bytes.Buffer{}, &bytes.Buffer{})
		},
		"export no team": func() int { return runExport(ctx, []string{"--as", "u"}, noEnv, &bytes.Buffer{}, &bytes.Buffer{}) },
		"demo negative":  func() int { return runDemo(ctx, []string{"--retros", "-1"}, noEnv, &bytes.Buffer{}, &bytes.Buffer{}) },
		"stray argument": func() int { return runReplay(ctx, []string{"now"}, noEnv, &bytes.Buffer{}, &bytes.Buffer{}) },
	} {
		if code := run(); code != exitUsage {
			t.Errorf("%s: exit %d, want %d", name, code, exitUsage)
		}
	}
	var help bytes.Buffer
	if code := runReplay(ctx, []string{"--help"}, noEnv, &help, &bytes.Buffer{}); code != exitOK || !strings.Contains(help.String(), "HINDSIGHT_SQLITE") {
		t.Errorf("replay --help exited %d: %s", code, help.String())
	}
}

// A progress bar of unknown length (an export being read) starts no
// goroutine of its own: progressbar's spinner ticker raced with Describe
// (go test -race) and outlived every bar that was not finished.
func TestAProgressBarOfUnknownLengthStartsNoGoroutine(t *testing.T) {
	const bars = 50
	before := runtime.NumGoroutine()
	for range bars {
		bar := newBar("replay", -1, "bytes", false, io.Discard)
		describe(bar, "replay", 1, time.Now())
	}
	if grown := runtime.NumGoroutine() - before; grown >= bars {
		t.Fatalf("%d bars of unknown length left %d more goroutines running", bars, grown)
	}
}
