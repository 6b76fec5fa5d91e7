package web

import (
	"os"
	"testing"
)

// An unclaimed quick retro that expires while it is open in the browser: the
// page says, in English and in German, that it ended and was erased, and
// offers a new one (e2e/quick.mjs), against the binary with a 20 s lifetime.
func TestAnExpiredQuickRetroIsExplainedInTheBrowserInEnglishAndGerman(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the browser test builds and runs the binary")
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("no /usr/bin/chromium (apt-get install -y chromium): CI installs it, so there this test runs")
	}
	needNpm(t)
	runScript(t, startServer(t, "--quick-retro-ttl", "20s"), "e2e/quick.mjs", "quick", "[quick] ok")
}
