package web

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// The API reference (apidocs/) is its own npm project: Swagger UI's
// prebuilt files and our page, copied into apidocs/dist by build.mjs.

var (
	apiDocsOnce sync.Once
	apiDocsErr  string
)

// needAPIDocsDeps installs apidocs' npm dependencies once (scripts off, see
// apidocs/.npmrc).
func needAPIDocsDeps(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: the API reference's checks need Node.js 20 and npm (CI installs them)", tool)
		}
	}
	apiDocsOnce.Do(func() {
		if _, err := os.Stat("apidocs/node_modules/.package-lock.json"); err == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "npm", "ci")
		cmd.Dir = "apidocs"
		cmd.Env = append(os.Environ(), "CI=true", "NO_COLOR=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			apiDocsErr = "npm ci in web/apidocs: " + err.Error() + "\n" + string(out)
		}
	})
	if apiDocsErr != "" {
		t.Fatal(apiDocsErr)
	}
}

// TestTheCommittedAPIReferenceIsTheBuildOfItsSource rebuilds apidocs/dist,
// which the binary serves at /v1/docs, and compares: a changed page or a
// new Swagger UI in package-lock.json without a rebuild fails here.
func TestTheCommittedAPIReferenceIsTheBuildOfItsSource(t *testing.T) {
	needAPIDocsDeps(t)
	out := filepath.Join(t.TempDir(), "dist")
	cmd := exec.Command("node", "apidocs/build.mjs", out)
	if log, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node apidocs/build.mjs: %v\n%s", err, log)
	}
	built, committed := tree(t, out), tree(t, filepath.Join("apidocs", "dist"))
	var diffs []string
	for name, data := range built {
		if old, ok := committed[name]; !ok {
			diffs = append(diffs, "missing from web/apidocs/dist: "+name)
		} else if !bytes.Equal(old, data) {
			diffs = append(diffs, "differs from the build: web/apidocs/dist/"+name)
		}
	}
	for name := range committed {
		if _, ok := built[name]; !ok {
			diffs = append(diffs, "not produced by the build: web/apidocs/dist/"+name)
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		t.Fatalf("web/apidocs/dist is stale; run `npm run build` in web/apidocs and commit its dist:\n%s", strings.Join(diffs, "\n"))
	}
	for _, must := range []string{"index.html", "swagger-ui-bundle.js", "LICENSE"} {
		if _, ok := committed[must]; !ok {
			t.Errorf("web/apidocs/dist has no %s", must)
		}
	}
}

// TestTheAPIReferenceTriesRequestsAsTheSignedInPerson runs e2e/apidocs.mjs
// against the real binary: the reference renders every operation, and "Try
// it out" answers a signed-in person's GET and POST with their session
// (CSRF token and Idempotency-Key sent by the page), under the server's CSP.
func TestTheAPIReferenceTriesRequestsAsTheSignedInPerson(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the browser test builds and runs the binary")
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("no /usr/bin/chromium (apt-get install -y chromium): CI installs it, so there this test runs")
	}
	needNpm(t) // playwright-core is the app's dev dependency
	base := startServer(t)
	artefacts, err := filepath.Abs(filepath.Join("test-results", "apidocs"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "e2e/apidocs.mjs")
	cmd.Env = append(os.Environ(), "BASE_URL="+base, "ARTEFACTS="+artefacts, "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "[apidocs] ok") {
		t.Fatalf("the API reference in a browser failed (%v); screenshots in %s\n%s", err, artefacts, out)
	}
}
