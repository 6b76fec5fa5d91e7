package webhooks_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/app/webhooks"
)

func TestOnlyPublicAddressesArePermittedByDefault(t *testing.T) {
	var g webhooks.Guard
	for _, a := range []string{"127.0.0.1", "::1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "fe80::1",
		"fc00::1", "100.64.0.1", "0.0.0.0", "::", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "224.0.0.1", "255.255.255.255"} {
		if g.Permits(netip.MustParseAddr(a)) {
			t.Errorf("%s is permitted by default", a)
		}
	}
	for _, a := range []string{"93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"} {
		if !g.Permits(netip.MustParseAddr(a)) {
			t.Errorf("public %s is refused", a)
		}
	}
	allow := webhooks.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("10.1.2.0/24")}}
	if !allow.Permits(netip.MustParseAddr("10.1.2.9")) || allow.Permits(netip.MustParseAddr("10.1.3.9")) {
		t.Error("an allowed prefix is not exactly what is allowed")
	}
}

func TestTheClientChecksTheAddressItDialsAfterResolvingTheName(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	byName := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	_, err := webhooks.Guard{}.Client(0).Get(byName)
	if !errors.Is(err, webhooks.ErrRefusedAddress) {
		t.Fatalf("GET %s with the default guard: %v, want refused", byName, err)
	}
	allowed := webhooks.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	resp, err := allowed.Client(0).Get(byName)
	if err != nil {
		t.Fatalf("GET %s with loopback allowed: %v", byName, err)
	}
	resp.Body.Close()
}

func TestARedirectIsNotFollowed(t *testing.T) {
	var hit bool
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer target.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	out := webhooks.Post(t.Context(), webhooks.Guard{AllowPrivate: true}.Client(0), srv.URL, nil, []byte("{}"))
	if out.OK() || out.Status != http.StatusTemporaryRedirect || hit {
		t.Errorf("a redirect: %+v, target hit %v; want a failed attempt and no request to the target", out, hit)
	}
}

func TestASignatureVerifiesOnlyForItsIDTimeAndBody(t *testing.T) {
	secret, err := webhooks.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	key, err := webhooks.SecretKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	now := timeNow()
	sig := webhooks.Sign(key, "msg_1", now, []byte(`{"a":1}`))
	ts := itoa(now.Unix())
	if err := webhooks.Verify(key, "msg_1", ts, "v1,bogus "+sig, []byte(`{"a":1}`), now, fiveMinutes); err != nil {
		t.Fatalf("a good signature: %v", err)
	}
	for name, check := range map[string]error{
		"other body": webhooks.Verify(key, "msg_1", ts, sig, []byte(`{"a":2}`), now, fiveMinutes),
		"other id":   webhooks.Verify(key, "msg_2", ts, sig, []byte(`{"a":1}`), now, fiveMinutes),
		"too old":    webhooks.Verify(key, "msg_1", ts, sig, []byte(`{"a":1}`), now.Add(6*fiveMinutes/5), fiveMinutes),
	} {
		if !errors.Is(check, webhooks.ErrSignature) {
			t.Errorf("%s: %v, want refused", name, check)
		}
	}
}

func TestAFailedAttemptsErrorDoesNotQuoteTheURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	secretURL := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/services/T0/B0/s3cretpart"
	out := webhooks.Post(t.Context(), webhooks.Guard{}.Client(0), secretURL, nil, []byte("{}"))
	if out.OK() || !errors.Is(out.Err, webhooks.ErrRefusedAddress) || strings.Contains(out.Err.Error(), "s3cretpart") {
		t.Errorf("a refused attempt: %v; want refused, without the URL", out.Err)
	}
}
