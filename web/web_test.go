package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
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

var (
	entryScript  = regexp.MustCompile(`<script[^>]*\bsrc="/([^"]+\.js)"`)
	preloadLink  = regexp.MustCompile(`<link[^>]*rel="modulepreload"[^>]*href="/([^"]+\.js)"`)
	staticImport = regexp.MustCompile(`(?:^|[;}\n])\s*import\s*(?:[\w$*{}\s,]*?\bfrom\s*)?["']\./([^"']+\.js)["']`)
)

// pageScripts are the scripts a page of the app loads before it runs: the
// entry and module preloads index.html names, and what they import
// statically. Dynamic imports (the dashboards' chunk) are left out: they
// load when their page is opened.
func pageScripts(t *testing.T, dist map[string][]byte) []string {
	t.Helper()
	html := string(dist["index.html"])
	var queue []string
	for _, re := range []*regexp.Regexp{entryScript, preloadLink} {
		for _, m := range re.FindAllStringSubmatch(html, -1) {
			queue = append(queue, m[1])
		}
	}
	seen := map[string]bool{}
	var out []string
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		data, ok := dist[name]
		if !ok {
			t.Fatalf("index.html loads %s, which web/dist lacks", name)
		}
		out = append(out, name)
		for _, m := range staticImport.FindAllStringSubmatch(string(data), -1) {
			queue = append(queue, path.Join(path.Dir(name), m[1]))
		}
	}
	sort.Strings(out)
	return out
}

// TestTheAppsJavaScriptFitsItsBudget: the scripts the retro page loads
// (every page loads the same entry; the dashboards are a chunk of their
// own, loaded only when opened) stay within 200 KB gzipped.
func TestTheAppsJavaScriptFitsItsBudget(t *testing.T) {
	dist := tree(t, "dist")
	scripts := pageScripts(t, dist)
	total := 0
	for _, name := range scripts {
		var z bytes.Buffer
		w, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(dist[name]); err != nil {
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
		t.Fatalf("the retro page's JavaScript (%s) is %d KB gzipped, over the %d KB budget", strings.Join(scripts, ", "), total>>10, jsBudget>>10)
	}
	t.Logf("JavaScript the retro page loads: %d KB gzipped of %d KB (%s)", total>>10, jsBudget>>10, strings.Join(scripts, ", "))
}

// uplotMark is a string uPlot's minified build keeps (its legend's class).
var uplotMark = []byte("u-legend")

// TestTheChartingLibraryIsNotLoadedByTheRetroPage: uPlot is only in the
// dashboards' chunk, which the app imports dynamically.
func TestTheChartingLibraryIsNotLoadedByTheRetroPage(t *testing.T) {
	dist := tree(t, "dist")
	for _, name := range pageScripts(t, dist) {
		if bytes.Contains(dist[name], uplotMark) {
			t.Errorf("%s, which every page loads, holds the charting library", name)
		}
	}
	found := false
	for name, data := range dist {
		if strings.HasSuffix(name, ".js") && bytes.Contains(data, uplotMark) {
			found = true
		}
	}
	if !found {
		t.Error("no script in web/dist holds the charting library: the dashboards have no charts")
	}
}

// TestTheServiceWorkerKeepsEveryFileOfTheBuild: dist/sw.js names every file
// of web/dist (but itself) to keep for a reload with no network, and
// nothing else: a file it missed would break the app offline, one that is
// not there would fail its install. Its cache name carries a version.
func TestTheServiceWorkerKeepsEveryFileOfTheBuild(t *testing.T) {
	files := tree(t, "dist")
	sw, ok := files["sw.js"]
	if !ok {
		t.Fatal("web/dist has no sw.js")
	}
	m := regexp.MustCompile(`\["/[^\]]*"\]`).Find(sw)
	if m == nil {
		t.Fatalf("sw.js holds no list of files:\n%s", sw)
	}
	var listed []string
	if err := json.Unmarshal(m, &listed); err != nil {
		t.Fatalf("sw.js's list of files %s: %v", m, err)
	}
	var want []string
	for name := range files {
		if name != "sw.js" {
			want = append(want, "/"+name)
		}
	}
	sort.Strings(want)
	sort.Strings(listed)
	if !slices.Equal(listed, want) {
		t.Fatalf("sw.js keeps %v, web/dist holds %v", listed, want)
	}
	if !bytes.Contains(sw, []byte("hindsight-shell-")) || !regexp.MustCompile(`"[0-9a-f]{16}"`).Match(sw) {
		t.Fatalf("sw.js has no versioned cache name:\n%s", sw)
	}
}
