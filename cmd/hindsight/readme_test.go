//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// readmeBlocks are the ```sh blocks of the README section under heading.
func readmeBlocks(t *testing.T, heading string) string {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatalf("read the README: %v", err)
	}
	readme := string(raw)
	start := strings.Index(readme, "\n"+heading+"\n")
	if start < 0 {
		t.Fatalf("the README has no section %q", heading)
	}
	section := readme[start+1:]
	if end := strings.Index(section[len(heading):], "\n## "); end >= 0 {
		section = section[:len(heading)+end]
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(section, -1) {
		blocks = append(blocks, m[1])
	}
	if len(blocks) == 0 {
		t.Fatalf("the README section %q has no sh block", heading)
	}
	return strings.Join(blocks, "\n")
}

// runReadme runs script with bash in a fresh folder, with the built binary
// on PATH as "hindsight", and returns its output.
func runReadme(t *testing.T, bin, script string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-eu", "-c", script)
	cmd.Dir = t.TempDir()
	cmd.Env = append([]string{"PATH=" + filepath.Dir(bin) + ":" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's commands failed: %v\n%s", err, out)
	}
	return string(out)
}

// The README's analyst commands, run as written with the real binary; only
// the demo's fsync is relaxed (HINDSIGHT_SYNC), to keep the test short.
func TestTheReadmeReplayAndExportCommandsRunAsWritten(t *testing.T) {
	bin := buildBinary(t)
	script := readmeBlocks(t, "## Dashboards, replay and export")
	for _, want := range []string{"hindsight demo", "--sqlite", "--until 2026-06-01", "hindsight export", "--from team.ndjson"} {
		if !strings.Contains(script, want) {
			t.Fatalf("the README's commands lack %q:\n%s", want, script)
		}
	}
	out := runReadme(t, bin, script, "HINDSIGHT_SYNC=1s")
	for _, want := range []string{
		"120 retros",                       // the demo
		"team team-0000 (admin u-0000-00)", // printed the IDs the export uses
		"retros: 120,",                     // the whole replay
		"wrote history.db", "wrote team.db",
		"happened after 2026-06-01T00:00:00Z left out", // --until in the retros' time
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the README's commands printed no %q:\n%s", want, out)
		}
	}
	// Until June: some of the year's retros, not none and not all.
	m := regexp.MustCompile(`left out\nteams with retros: \d+, retros: (\d+),`).FindStringSubmatch(out)
	if m == nil || m[1] == "0" || m[1] == "120" {
		t.Errorf("replay --until June saw %v retros, want some of the 120:\n%s", m, out)
	}
}
