package identity

import (
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// BenchmarkLoginDefaultParams is one login with the production argon2id
// cost: the price of a login, and of refusing an unknown address.
func BenchmarkLoginDefaultParams(b *testing.B) {
	s, err := New(Deps{Store: memstore.New(nil), Keys: keys.NewMemory()})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Register(ctx, Caller{CommandID: "c1"}, Registration{Email: "ada@example.org", Password: "correct horse battery", Name: "Ada"}); err != nil {
		b.Fatal(err)
	}
	b.Run("right password", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Login(ctx, Credentials{Email: "ada@example.org", Password: "correct horse battery"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unknown address", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Login(ctx, Credentials{Email: "bob@example.org", Password: "correct horse battery"}); err == nil {
				b.Fatal("unknown address logged in")
			}
		}
	})
}

// BenchmarkAuthenticate is the per-request cost of checking a bearer token.
func BenchmarkAuthenticate(b *testing.B) {
	w := newWorld(b)
	s, err := New(Deps{Store: w.store, Keys: w.keys, Clock: w.clock.now, Password: fastPasswords, RevocationCacheTTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Register(ctx, Caller{CommandID: "c1"}, Registration{Email: "ada@example.org", Password: "correct horse battery", Name: "Ada"}); err != nil {
		b.Fatal(err)
	}
	sess, err := s.Login(ctx, Credentials{Email: "ada@example.org", Password: "correct horse battery"})
	if err != nil {
		b.Fatal(err)
	}
	api, err := s.IssueAPIToken(ctx, Caller{Principal: sess.Principal, CommandID: "t1"}, APITokenInput{Name: "bench", Scopes: []Scope{ScopeRead}})
	if err != nil {
		b.Fatal(err)
	}
	for name, tok := range map[string]string{"session": sess.Token, "api token (cached)": api.Token} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Authenticate(ctx, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
