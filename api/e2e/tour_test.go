//go:build unix

package e2e_test

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// tourHeading is the README section whose shell blocks this test runs.
const tourHeading = "## Try a retro in five minutes"

// tourBlocks are the ```sh blocks of the README's five-minute tour, in order.
func tourBlocks(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatalf("read the README: %v", err)
	}
	readme := string(raw)
	start := strings.Index(readme, "\n"+tourHeading+"\n")
	if start < 0 {
		t.Fatalf("the README has no section %q", tourHeading)
	}
	section := readme[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(section, -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}

// The README's tour, run as written with bash and curl against the real
// server, so the documented session cannot drift from the API.
func TestTheReadmeTourRunsAsWritten(t *testing.T) {
	needBinary(t)
	for _, tool := range []string{"bash", "curl", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the tour needs %s: %v", tool, err)
		}
	}
	blocks := tourBlocks(t)
	script := strings.Join(blocks, "\n")
	for _, want := range []string{"HINDSIGHT_URL", "--json", "Accept: text/event-stream", "/close", "/retros?after="} {
		if !strings.Contains(script, want) {
			t.Fatalf("the tour's commands lack %q:\n%s", want, script)
		}
	}
	n := startNode(t, "node")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// -e: a command that fails stops the tour; -u: so does a variable an
	// earlier command failed to set.
	cmd := exec.CommandContext(ctx, "bash", "-eu", "-c", script)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "HINDSIGHT_URL=" + n.base}
	out, err := cmd.CombinedOutput()
	text := string(out)
	if err != nil {
		t.Fatalf("the tour failed: %v\n%s", err, text)
	}
	for _, want := range []string{
		`data: {"type":"snapshot"`,     // the live feed started with Ben's view
		`{"type":"change"`,             // and changes reached it live
		`"title":"Sprint 1"`,           // the history lists the retro
		`"closedAt":`,                  // closed
		`"title":"Script the deploy"`,  // the action reached the team
		`"text":"Pair on the deploy s`, // Ben's card, revealed
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the tour's output lacks %s", want)
		}
	}
	// Ada's view of the retro, read before the reveal, is the one answer
	// that is a retro view (the live feed's lines start with "data: ").
	views := 0
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, `{"retroId":`) {
			views++
			if strings.Contains(line, "Pair on the deploy scripts") || !strings.Contains(line, `"concealed":true`) {
				t.Errorf("Ada's view before the reveal shows Ben's card, or no concealed card: %s", line)
			}
		}
	}
	if views != 1 {
		t.Errorf("the tour printed %d views of the retro, want Ada's one", views)
	}
	if strings.Contains(text, "hindsight.dev/problems/") {
		t.Errorf("a command of the tour answered a problem")
	}
	if t.Failed() {
		t.Logf("tour output:\n%s", text)
	}
}
