package api_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/documents"
	"github.com/hindsight-retro/hindsight/domain/sharelink"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// share creates a share link to the fixture's retro as the moderator.
func (f *summaryFixture) share() api.ShareLinkResponse {
	f.h.t.Helper()
	res := f.h.must(http.StatusCreated, req{method: "POST", path: f.path("/share-links"), token: f.mod.token, body: api.ShareLinkRequest{}})
	l := api.ShareLinkResponse{LinkID: res.str("linkId"), Token: res.str("token"), Paths: map[string]string{}}
	paths, _ := res.body["paths"].(map[string]any)
	for k, v := range paths {
		l.Paths[k], _ = v.(string)
	}
	if l.LinkID == "" || l.Token == "" || len(l.Paths) != len(documents.Formats) {
		f.h.t.Fatalf("share link = %s, want an ID, a token and a path per format", res.raw)
	}
	return l
}

// shared opens a share link's summary in format fm with no sign-in, as text.
func (f *summaryFixture) shared(l api.ShareLinkResponse, fm documents.Format) response {
	f.h.t.Helper()
	res := f.h.do(req{method: "GET", path: l.Paths[string(fm)]})
	if res.status == http.StatusOK && fm == documents.PDF {
		res.raw = []byte(pdfText(f.h.t, res.raw))
	}
	return res
}

func TestAShareLinkShowsWhatAGuestWhoTookPartSeesAndNamesNobody(t *testing.T) {
	for _, anonymous := range []bool{false, true} {
		f := newSummaryFixture(t, anonymous)
		l := f.share()
		for _, fm := range documents.Formats {
			res := f.shared(l, fm)
			if res.status != http.StatusOK {
				t.Fatalf("anonymous %v: the link's %s = %d %s", anonymous, fm, res.status, res.raw)
			}
			text := string(res.raw)
			for _, want := range []string{shownBea, shownCid, actionText} {
				if !strings.Contains(text, want) {
					t.Errorf("anonymous %v: the link's %s lacks %q", anonymous, fm, want)
				}
			}
			// Bea's concealed and hidden cards are hers, and the link is nobody's.
			for _, never := range []string{keptBea, hiddenBea, "anon:"} {
				if strings.Contains(text, never) {
					t.Errorf("anonymous %v: the link's %s shows %q", anonymous, fm, never)
				}
			}
			// Nobody is named to a stranger: no display names anywhere.
			for _, name := range []string{"Bea", "Cid"} {
				if strings.Contains(text, name) {
					t.Errorf("anonymous %v: the link's %s names %s", anonymous, fm, name)
				}
			}
			if anonymous && fm != documents.JSON {
				for _, written := range []string{shownBea, shownCid} {
					for _, u := range []user{f.mod, f.bea, f.cid} {
						if l := lineWith(text, written); strings.Contains(l, u.id) || strings.Contains(l, u.id[:8]) {
							t.Errorf("the link's %s ties %q to a person: %q", fm, written, l)
						}
					}
				}
			}
		}
	}
}

func TestARevokedShareLinkStopsAtOnce(t *testing.T) {
	f := newSummaryFixture(t, false)
	l := f.share()
	other := f.share()
	if res := f.shared(l, documents.Markdown); res.status != http.StatusOK {
		t.Fatalf("the new link = %d %s", res.status, res.raw)
	}
	// Only its creator or the retro's moderator revokes it.
	if res := f.h.do(req{method: "DELETE", path: "/v1/share-links/" + l.LinkID, token: f.bea.token}); res.status != http.StatusForbidden {
		t.Errorf("Bea revoked the moderator's link: %d %s", res.status, res.raw)
	}
	f.h.must(http.StatusOK, req{method: "DELETE", path: "/v1/share-links/" + l.LinkID, token: f.mod.token})
	for _, fm := range documents.Formats {
		res := f.shared(l, fm)
		if res.status != http.StatusNotFound || res.str("code") != sharelink.CodeRevoked {
			t.Errorf("the revoked link's %s = %d %s, want 404 %s", fm, res.status, res.raw, sharelink.CodeRevoked)
		}
	}
	if res := f.shared(other, documents.Markdown); res.status != http.StatusOK {
		t.Errorf("revoking one link closed another: %d %s", res.status, res.raw)
	}
	f.h.must(http.StatusOK, req{method: "DELETE", path: "/v1/share-links/" + l.LinkID, token: f.mod.token})
}

func TestAShareLinkOpensOnlyForItsWholeSecret(t *testing.T) {
	f := newSummaryFixture(t, false)
	l := f.share()
	id, secret, _ := strings.Cut(l.Token, ".")
	for _, token := range []string{id, id + ".", id + "." + secret[:len(secret)-1], id + "." + secret + "x", "." + secret, "nonsense"} {
		res := f.h.do(req{method: "GET", path: "/v1/shared/" + token + "/summary.md"})
		if res.status != http.StatusNotFound || res.str("code") == sharelink.CodeRevoked || res.str("code") == sharelink.CodeExpired {
			t.Errorf("token %q = %d %s, want 404 telling nothing", token, res.status, res.raw)
		}
	}
}

func TestTheLogKeepsOnlyTheShareLinksHash(t *testing.T) {
	var store eventstore.Store
	f := newSummaryFixtureWith(t, false, func(d *api.Deps) { store = d.Store })
	l := f.share()
	_, secret, _ := strings.Cut(l.Token, ".")
	var found bool
	err := store.ReadAll(context.Background(), 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		if bytes.Contains(e.Payload, []byte(secret)) || strings.Contains(e.CommandID, secret) {
			t.Errorf("the log holds the link's secret in %s", e.Type)
		}
		if e.Type == sharelink.TypeLinkCreated && bytes.Contains(e.Payload, []byte(sharelink.HashSecret(secret))) {
			found = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Errorf("the log has no LinkCreated with the secret's hash")
	}
}

func TestOnlyTheModeratorSharesAClosedRetroForAtMostNinetyDays(t *testing.T) {
	f := newSummaryFixture(t, false)
	if res := f.h.do(req{method: "POST", path: f.path("/share-links"), token: f.bea.token, body: api.ShareLinkRequest{}}); res.status != http.StatusForbidden {
		t.Errorf("Bea, not moderating, shared the retro: %d %s", res.status, res.raw)
	}
	if res := f.h.do(req{method: "POST", path: f.path("/share-links"), token: f.out.token, body: api.ShareLinkRequest{}}); res.status != http.StatusNotFound {
		t.Errorf("someone outside the team shared the retro: %d %s", res.status, res.raw)
	}
	for _, at := range []time.Time{time.Now().Add(-time.Minute), time.Now().Add(sharelink.MaxTTL + time.Hour)} {
		res := f.h.do(req{method: "POST", path: f.path("/share-links"), token: f.mod.token, body: api.ShareLinkRequest{ExpiresAt: &at}})
		if res.status != http.StatusBadRequest || res.str("code") != sharelink.CodeExpiryInvalid {
			t.Errorf("a link expiring at %s = %d %s, want 400 %s", at, res.status, res.raw, sharelink.CodeExpiryInvalid)
		}
	}
	running := newRetro(t, f.h)
	if res := f.h.do(req{method: "POST", path: "/v1/retros/" + running.retro + "/share-links", token: running.mod.token, body: api.ShareLinkRequest{}}); res.status != http.StatusConflict {
		t.Errorf("a running retro was shared: %d %s", res.status, res.raw)
	}
	// A retry with the same idempotency key answers the same link.
	rq := req{method: "POST", path: f.path("/share-links"), token: f.mod.token, body: api.ShareLinkRequest{}, header: map[string]string{"Idempotency-Key": "share-once"}}
	first, again := f.h.must(http.StatusCreated, rq), f.h.must(http.StatusCreated, rq)
	if first.str("token") != again.str("token") || first.str("linkId") != again.str("linkId") {
		t.Errorf("a retried share answered %s, then %s: want the same link", first.raw, again.raw)
	}
}

func TestTheModeratorListsTheRetrosShareLinksWithoutTheirSecrets(t *testing.T) {
	f := newSummaryFixture(t, false)
	first, second := f.share(), f.share()
	f.h.must(http.StatusOK, req{method: "DELETE", path: "/v1/share-links/" + first.LinkID, token: f.mod.token})
	res := f.h.must(http.StatusOK, req{method: "GET", path: f.path("/share-links"), token: f.mod.token})
	items, _ := res.body["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("listed %s, want the two links", res.raw)
	}
	for i, want := range []struct {
		id      string
		revoked bool
	}{{first.LinkID, true}, {second.LinkID, false}} {
		it := items[i].(map[string]any)
		if it["linkId"] != want.id || it["revoked"] != want.revoked || it["createdAt"] == nil || it["expiresAt"] == nil {
			t.Errorf("item %d = %v, want link %s revoked %v with its dates", i, it, want.id, want.revoked)
		}
		if _, ok := it["revokedAt"]; ok != want.revoked {
			t.Errorf("item %d: revokedAt present %v, want %v", i, ok, want.revoked)
		}
	}
	for _, l := range []api.ShareLinkResponse{first, second} {
		_, secret, _ := strings.Cut(l.Token, ".")
		if strings.Contains(string(res.raw), secret) || strings.Contains(string(res.raw), sharelink.HashSecret(secret)) {
			t.Errorf("the list shows a link's secret or its hash: %s", res.raw)
		}
	}
	// A participant who does not moderate, and an outsider, get no list.
	if res := f.h.do(req{method: "GET", path: f.path("/share-links"), token: f.bea.token}); res.status != http.StatusForbidden {
		t.Errorf("Bea lists the links: %d %s", res.status, res.raw)
	}
	if res := f.h.do(req{method: "GET", path: f.path("/share-links"), token: f.out.token}); res.status != http.StatusNotFound {
		t.Errorf("an outsider lists the links: %d %s", res.status, res.raw)
	}
}
