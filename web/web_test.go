package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// The app's own checks (type check, Vitest unit tests, the build) run from
// `go test`, so the README's one test command covers them. They need Node.js
// and npm; `npm ci` fills node_modules from package-lock.json the first time.

var (
	npmOnce sync.Once
	npmErr  string
)

// needNpm skips without node/npm and installs the app's dependencies once.
func needNpm(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: the web app's checks need Node.js 20 and npm (CI installs them)", tool)
		}
	}
	npmOnce.Do(func() {
		if _, err := os.Stat("node_modules/.package-lock.json"); err == nil {
			return
		}
		if out, err := npm(t, 10*time.Minute, "ci", "--no-audit", "--no-fund"); err != nil {
			npmErr = "npm ci: " + err.Error() + "\n" + out
		}
	})
	if npmErr != "" {
		t.Fatal(npmErr)
	}
}

func npm(t *testing.T, timeout time.Duration, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", args...)
	cmd.Env = append(os.Environ(), "CI=true", "NO_COLOR=1", "FORCE_COLOR=0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func TestTheAppTypeChecks(t *testing.T) {
	needNpm(t)
	if out, err := npm(t, 5*time.Minute, "run", "typecheck"); err != nil {
		t.Fatalf("npm run typecheck: %v\n%s", err, out)
	}
}

func TestTheAppsUnitTestsPass(t *testing.T) {
	needNpm(t)
	out, err := npm(t, 10*time.Minute, "test")
	if err != nil {
		t.Fatalf("npm test: %v\n%s", err, out)
	}
	if !strings.Contains(out, "passed") {
		t.Fatalf("npm test ran no test:\n%s", out)
	}
}

// TestTheCommittedBuildIsTheBuildOfTheSource rebuilds the app and compares it
// with web/dist, which the binary embeds: a change to the source without
// `npm run build` (or a hand-edited asset) fails here.
func TestTheCommittedBuildIsTheBuildOfTheSource(t *testing.T) {
	needNpm(t)
	out := t.TempDir()
	if log, err := npm(t, 5*time.Minute, "exec", "--", "vite", "build", "--outDir", out, "--emptyOutDir"); err != nil {
		t.Fatalf("vite build: %v\n%s", err, log)
	}
	built, committed := tree(t, out), tree(t, "dist")
	var diffs []string
	for name, data := range built {
		old, ok := committed[name]
		switch {
		case !ok:
			diffs = append(diffs, "missing from web/dist: "+name)
		case !bytes.Equal(old, data):
			diffs = append(diffs, "differs from the build: web/dist/"+name)
		}
	}
	for name := range committed {
		if _, ok := built[name]; !ok {
			diffs = append(diffs, "not produced by the build: web/dist/"+name)
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		t.Fatalf("web/dist is stale; run `npm run build` in web/ and commit web/dist:\n%s", strings.Join(diffs, "\n"))
	}
	if _, ok := committed["index.html"]; !ok {
		t.Fatal("web/dist has no index.html")
	}
}

// tree reads every file under dir, by slash-separated relative name.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	return files
}

// jsBudget is issue 10's budget for the retro page's JavaScript, gzipped.
const jsBudget = 200 << 10

// TestTheAppsJavaScriptFitsItsBudget: every script the app loads (the
// build splits none off today, so the retro page loads them all) stays
// within 200 KB gzipped.
func TestTheAppsJavaScriptFitsItsBudget(t *testing.T) {
	total := 0
	for name, data := range tree(t, "dist") {
		if !strings.HasSuffix(name, ".js") {
			continue
		}
		var z bytes.Buffer
		w, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		total += z.Len()
	}
	if total == 0 {
		t.Fatal("web/dist holds no JavaScript")
	}
	if total > jsBudget {
		t.Fatalf("the app's JavaScript is %d KB gzipped, over the %d KB budget", total>>10, jsBudget>>10)
	}
	t.Logf("JavaScript: %d KB gzipped of %d KB", total>>10, jsBudget>>10)
}
