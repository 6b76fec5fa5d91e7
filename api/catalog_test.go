package api_test

import (
	"net/http"
	"net/url"
	"testing"
)

// A facilitator types the name they know into the catalogue's search box.
func TestTheCatalogueIsSearchedByTheNamesPeopleUse(t *testing.T) {
	h := newHarness(t)
	ada := h.user("Ada")
	first := func(kind, q string) (string, int) {
		t.Helper()
		page := h.must(http.StatusOK, req{method: "GET", path: "/v1/catalog/" + kind + "?q=" + url.QueryEscape(q), token: ada.token})
		items := page.body["items"].([]any)
		if len(items) == 0 {
			return "", 0
		}
		return items[0].(map[string]any)["id"].(string), len(items)
	}
	for q, want := range map[string]string{
		"spotify": "squad-health-check", "squad health": "squad-health-check", "dora": "dora-metrics",
	} {
		if got, _ := first("health-packs", q); got != want {
			t.Errorf("health packs ?q=%s: first is %q, want %q", q, got, want)
		}
	}
	for q, want := range map[string]string{
		"easter": "easter-egg-hunt", "xmas": "christmas", "seven dwarfs": "seven-dwarfs",
		"mario kart": "kart-racing", "time travel": "time-travel", "football": "match-report",
	} {
		if got, _ := first("retro-templates", q); got != want {
			t.Errorf("retro templates ?q=%s: first is %q, want %q", q, got, want)
		}
	}
	if got, n := first("retro-templates", "zeppelin"); n != 0 {
		t.Errorf("?q=zeppelin found %d templates, the first %q", n, got)
	}
	all := h.must(http.StatusOK, req{method: "GET", path: "/v1/catalog/health-packs?limit=200", token: ada.token})
	if n := len(all.body["items"].([]any)); n != len(h.cat.HealthPacks) {
		t.Errorf("without q the list has %d packs, the catalogue %d", n, len(h.cat.HealthPacks))
	}
}
