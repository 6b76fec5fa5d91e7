package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/app/sso"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// The pending-login cookie comes back from the browser: any bytes at all.
// Only the cookie this server sealed opens; everything else is the one
// refusal (sso-login-expired), never a panic and never a login.
func FuzzAPendingLoginCookieOpensOnlyAsSealed(f *testing.F) {
	a := New(Deps{Store: memstore.New(nil), Keys: keys.NewMemory()})
	ctx := context.Background()
	want := sso.Pending{Provider: "server:corp", State: "s", Nonce: "n", Verifier: "v", Next: "/x", Expires: time.Unix(1e9, 0).UTC()}
	sealed, err := a.sealPending(ctx, want)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed)
	f.Add("")
	f.Add("AAAA")
	f.Add(sealed[:len(sealed)-1])
	f.Add(sealed + "A")
	f.Fuzz(func(t *testing.T, cookie string) {
		got, err := a.openPending(ctx, cookie)
		if cookie == sealed {
			if err != nil || got != want {
				t.Fatalf("the sealed cookie opened as %+v, %v", got, err)
			}
			return
		}
		if err == nil {
			t.Fatalf("a cookie this server did not seal opened: %q as %+v", cookie, got)
		}
		if !errors.Is(err, sso.ErrLoginExpired) {
			t.Fatalf("cookie %q: %v, want the sign-in refused as expired", cookie, err)
		}
	})
}
