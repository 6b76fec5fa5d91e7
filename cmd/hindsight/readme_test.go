//go:build unix

package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	hsapp "github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
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

// runReadme runs script with bash in folder dir, with the built binary on
// PATH as "hindsight", and returns its output.
func runReadme(t *testing.T, bin, dir, script string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-eu", "-c", script)
	cmd.Dir = dir
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
	out := runReadme(t, bin, t.TempDir(), script, "HINDSIGHT_SYNC=1s")
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

// The README's operator commands, run as written on a data folder (./data,
// serve's default) where Ada and Ben have accounts and Ada a workspace.
func TestTheReadmeOperatorCommandsRunAsWritten(t *testing.T) {
	bin := buildBinary(t)
	script := readmeBlocks(t, "## Operator commands")
	dir := t.TempDir()
	w, closeWorld := openWorld(t, filepath.Join(dir, "data"))
	ctx := context.Background()
	ada, err := w.id.Register(ctx, identity.Caller{CommandID: "c-ada"}, identity.Registration{Email: "ada@example.com", Password: "correct horse battery staple", Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.id.Register(ctx, identity.Caller{CommandID: "c-ben"}, identity.Registration{Email: "ben@example.com", Password: "correct horse battery staple", Name: "Ben"}); err != nil {
		t.Fatal(err)
	}
	adaP := identity.Principal{UserID: ada, Kind: identity.KindUser, Scopes: []identity.Scope{identity.ScopeRead, identity.ScopeWrite}}
	if _, err := w.app.CreateWorkspace(ctx, identity.Caller{Principal: adaP, CommandID: "c-ws"}, hsapp.WorkspaceInput{Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	closeWorld()
	out := runReadme(t, bin, dir, script)
	for _, want := range []string{"Acme", "ben@example.com (user ", "now an admin", "reports", "revoked token"} {
		if !strings.Contains(out, want) {
			t.Errorf("the README's operator commands printed no %q:\n%s", want, out)
		}
	}
	// And while a server runs on the folder, the operator is refused with a
	// message that says what to do, and the server keeps serving.
	p := start(t, bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", filepath.Join(dir, "data"))
	addr := p.listening(t)
	admin := exec.Command(bin, "admin", "workspaces", "--data-dir", filepath.Join(dir, "data"))
	admin.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	refused, err := admin.CombinedOutput()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != exitFailure || !strings.Contains(string(refused), "Stop hindsight serve first") {
		t.Errorf("admin beside a running serve: %v\n%s", err, refused)
	}
	if code := getStatus(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Errorf("the server answers /readyz %d after the refused admin", code)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 0 {
		t.Errorf("serve exited %d after SIGTERM", code)
	}
}
