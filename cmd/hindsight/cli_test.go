package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// demoFolder writes a demo of two teams holding four fortnightly retros
// each from 5 January 2026 into a fresh embedded store, and returns its
// folder and what the demo printed.
func demoFolder(t *testing.T) (dir, printed string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "demo")
	var out, errOut bytes.Buffer
	if code := runDemo(context.Background(), []string{"--data-dir", dir, "--sync", "1s", "--retros", "8", "--retros-per-team", "4", "--seed", "7"}, noEnv, &out, &errOut); code != exitOK {
		t.Fatalf("demo exited %d: %s", code, errOut.String())
	}
	return dir, out.String()
}

func TestTheDemoPrintsTheIDsAndDatesTheNextStepsNeed(t *testing.T) {
	dir, printed := demoFolder(t)
	for _, want := range []string{
		"workspace ws-000 (admin u-admin-000)", "team team-0000 (admin u-0000-00)",
		"retros held from 2026-01-05 to 2026-02-",
		"hindsight export --data-dir " + dir + " --team team-0000 --as u-0000-00",
		"hindsight replay --data-dir " + dir + " --until 2026-01-",
	} {
		if !strings.Contains(printed, want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, printed)
		}
	}
}

func TestExportRefusesATeamOrPersonThatDoesNotExistAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	data, _ := demoFolder(t)
	for _, tc := range []struct {
		name, team, as, want string
	}{
		{"unknown team", "team-9999", "u-0000-00", `team "team-9999": no such team`},
		{"unknown person", "team-0000", "u-nobody", `user "u-nobody", team "team-0000": not a member of the team`},
		{"member of another team", "team-0000", "u-0001-00", "not a member of the team"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "team.ndjson")
			var stdout, stderr bytes.Buffer
			code := runExport(ctx, []string{"--data-dir", data, "--team", tc.team, "--as", tc.as, "--out", out}, noEnv, &stdout, &stderr)
			if code != exitFailure || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("export exited %d saying %q; want %d and %q", code, stderr.String(), exitFailure, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a refused export left %s behind (%v)", out, err)
			}
		})
	}
}

func TestExportAndReplayOverwriteAnOutputOnlyWithForce(t *testing.T) {
	ctx := context.Background()
	data, _ := demoFolder(t)
	dir := t.TempDir()
	out, db := filepath.Join(dir, "team.ndjson"), filepath.Join(dir, "team.db")
	for _, f := range []string{out, db} {
		if err := os.WriteFile(f, []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	export := []string{"--data-dir", data, "--team", "team-0000", "--as", "u-0000-00", "--out", out}
	var stderr bytes.Buffer
	if code := runExport(ctx, export, noEnv, &bytes.Buffer{}, &stderr); code != exitFailure || !strings.Contains(stderr.String(), "--force") {
		t.Errorf("export over an existing file exited %d: %s", code, stderr.String())
	}
	if b, _ := os.ReadFile(out); string(b) != "keep me" {
		t.Errorf("the refused export changed the file to %q", b)
	}
	if code := runExport(ctx, append(export, "--force"), noEnv, &bytes.Buffer{}, &stderr); code != exitOK {
		t.Fatalf("export --force exited %d: %s", code, stderr.String())
	}
	if b, _ := os.ReadFile(out); !bytes.HasPrefix(b, []byte(`{"specversion":"1.0"`)) {
		t.Errorf("export --force wrote %.80q", b)
	}
	replay := []string{"--from", out, "--sqlite", db, "--quiet"}
	stderr.Reset()
	if code := runReplay(ctx, replay, noEnv, &bytes.Buffer{}, &stderr); code != exitFailure || !strings.Contains(stderr.String(), "--force") {
		t.Errorf("replay over an existing file exited %d: %s", code, stderr.String())
	}
	if code := runReplay(ctx, append(replay, "--force"), noEnv, &bytes.Buffer{}, &stderr); code != exitOK {
		t.Fatalf("replay --force exited %d: %s", code, stderr.String())
	}
	if got := count(t, db, "SELECT count(*) FROM retros"); got != 4 {
		t.Errorf("the overwritten SQLite file has %d retros, want team-0000's 4", got)
	}
}

// The demo's history is stored in seconds but happened over weeks; --until
// is about the latter, so "until 25 January" is the retros of January's
// first two fortnights however recently they were stored.
func TestReplayUntilADateShowsTheRetrosHeldByThen(t *testing.T) {
	ctx := context.Background()
	data, _ := demoFolder(t)
	db := filepath.Join(t.TempDir(), "january.db")
	var stdout, stderr bytes.Buffer
	code := runReplay(ctx, []string{"--data-dir", data, "--until", "2026-01-25T00:00:00Z", "--sqlite", db, "--min-group-size", "2"}, noEnv, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("replay exited %d: %s", code, stderr.String())
	}
	if got := count(t, db, "SELECT count(*) FROM retros"); got != 4 {
		t.Errorf("replay until 25 January has %d retros, want the 4 held by then (%s)", got, stdout.String())
	}
	if got := count(t, db, "SELECT count(*) FROM retros WHERE closed_at > '2026-01-25'"); got != 0 {
		t.Errorf("%d retros closed after the bound", got)
	}
	if !strings.Contains(stdout.String(), "happened after 2026-01-25T00:00:00Z left out") {
		t.Errorf("replay did not say what it left out: %s", stdout.String())
	}
	// Progress is labelled with the command and counts events.
	if !strings.Contains(stderr.String(), "replay: ") || !strings.Contains(stderr.String(), "events/s") {
		t.Errorf("the progress line is %q", stderr.String())
	}
}
