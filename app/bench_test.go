package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// BenchmarkAddCard compares adding a card through the app (authorisation
// from the team and retro states, the pseudonym from the key store, the
// envelope, reactions) with the bare runner on the same kind of store, the
// baseline: the ratio is the app's overhead per command.
func BenchmarkAddCard(b *testing.B) {
	b.Run("runner", func(b *testing.B) {
		st := memstore.New(time.Now)
		r := &aggregate.Runner[retro.State, retro.Command, retro.Event]{
			Store: st, Category: retro.Category, Initial: retro.Initial, Decide: retro.Decide, Evolve: retro.Evolve,
			Codec: aggregate.CodecFuncs(retro.EncodeEvent, retro.DecodeEvent), Cache: aggregate.NewCache[retro.State](16),
		}
		mod := domain.Actor{UserID: uMod}
		ctx := b.Context()
		if _, err := r.Handle(ctx, "r1", aggregate.Meta{CommandID: "create"}, retro.CreateRetro{Actor: mod, At: t0,
			RetroID: "r1", TeamID: "t1", Title: "Bench", Columns: []catalog.Column{{ID: "start", Title: "Start"}}}); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := range b.N {
			id := fmt.Sprintf("c-%d", i)
			if _, err := r.Handle(ctx, "r1", aggregate.Meta{CommandID: id, Actor: uMod},
				retro.AddCard{Actor: mod, At: t0, CardID: id, ColumnID: "start", Text: "a card"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("app", func(b *testing.B) {
		benchApp(b, newTeam(b))
	})
}

func benchApp(b *testing.B, f *fixture) {
	ctx := b.Context()
	r, err := f.app.CreateRetro(ctx, identity.Caller{Principal: user(uMod), CommandID: "bench-create"}, app.CreateRetroInput{TeamID: f.team, Title: "Bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("c-%d", i)
		if _, err := f.retroKeyed(user(uMod), r.ID, id, app.AddCard{ColumnID: "start", Text: "a card"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddCardToARetroHolding compares a card written to a small
// retro (10 cards) with one written to a retro of 1,200 cards, through the app with
// the writers following the log as a server's do: the cost of a write
// should not grow with the retro (issue 15; ratio in BENCHMARKS.md).
func BenchmarkAddCardToARetroHolding(b *testing.B) {
	for _, cards := range []int{10, 1200} {
		b.Run(fmt.Sprintf("cards=%d", cards), func(b *testing.B) {
			f := newTeam(b)
			ctx, cancel := context.WithCancel(b.Context())
			done := make(chan error, 1)
			go func() { done <- f.app.FollowWriters(ctx) }()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					b.Error(err)
				}
			}()
			rid := f.newRetro("Bench", false)
			for i := range cards {
				id := fmt.Sprintf("seed-%d", i)
				if _, err := f.retroKeyed(user(uBea), rid, id, app.AddCard{ColumnID: "start", Text: "a card"}); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i := range b.N {
				id := fmt.Sprintf("c-%d", i)
				if _, err := f.retroKeyed(user(uBea), rid, id, app.AddCard{ColumnID: "start", Text: "a card"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
