package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // opens the SQLite file the page downloaded
)

// TestTheDashboardsShowWhatTheAPISays runs e2e/dashboards.mjs against the
// real binary: it seeds a workspace through the API, then in headless
// Chromium checks that the team and workspace dashboards show the numbers
// the API gives (health trends, eNPS, ROTI, action counts, the heat map
// with "too few answers" for a group under the minimum, the months), that
// time travel's slider shows the retro at a position as GET /at does, and
// that the downloads arrive (the events parse as CloudEvents); axe-core on
// every page. Here the downloaded SQLite file is opened with a SQLite
// driver and must hold the team's retro.
func TestTheDashboardsShowWhatTheAPISays(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the browser test builds and runs the binary")
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("no /usr/bin/chromium (apt-get install -y chromium): CI installs it, so there this test runs")
	}
	needNpm(t)
	base := startServer(t)

	artefacts, err := filepath.Abs(filepath.Join("test-results", "dashboards"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(artefacts); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "e2e/dashboards.mjs")
	cmd.Env = append(os.Environ(), "BASE_URL="+base, "ARTEFACTS="+artefacts, "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the dashboards in the browser failed (%v); screenshots in %s\n%s", err, artefacts, out)
	}
	if !strings.Contains(string(out), "[dash] ok") {
		t.Fatalf("the dashboards' browser test did not finish:\n%s", out)
	}

	var ids struct{ Platform, Retro, RetroTitle string }
	raw, err := os.ReadFile(filepath.Join(artefacts, "ids.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &ids); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(artefacts, "team.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var title, team string
	if err := db.QueryRow(`SELECT title, team_id FROM retros WHERE retro_id = ?`, ids.Retro).Scan(&title, &team); err != nil {
		t.Fatalf("the downloaded SQLite file has no row for the retro: %v", err)
	}
	if title != ids.RetroTitle || team != ids.Platform {
		t.Errorf("the downloaded file's retro is %q of team %s, want %q of %s", title, team, ids.RetroTitle, ids.Platform)
	}
}
