package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// BenchmarkAddCard compares one card written through the whole HTTP edge
// (loopback connection, middleware, auth, decode, encode) with the same
// command called on the app directly, in the same run: the ratio is the
// edge's cost.
func BenchmarkAddCard(b *testing.B) {
	b.Run("http", func(b *testing.B) {
		h := newHarness(b)
		f := newRetro(b, h)
		h.schemas = nil // the tests' response check is not part of the edge
		rq := req{method: "POST", path: f.path("/cards"), token: f.bea.token, body: api.AddCardRequest{ColumnID: f.column, Text: "a card"}}
		b.ResetTimer()
		for b.Loop() {
			if res := h.do(rq); res.status != http.StatusCreated {
				b.Fatalf("add card = %d %s", res.status, res.raw)
			}
		}
	})
	b.Run("app", func(b *testing.B) {
		store := memstore.New(nil)
		ks := keys.NewMemory()
		cat, err := catalog.Load()
		if err != nil {
			b.Fatal(err)
		}
		a := app.New(app.Deps{Store: store, Keys: ks, Catalog: cat})
		ctx := context.Background()
		p := identity.Principal{UserID: "u1", Kind: identity.KindUser, Scopes: []identity.Scope{identity.ScopeWrite}}
		ws, err := a.CreateWorkspace(ctx, identity.Caller{Principal: p, CommandID: "c1"}, app.WorkspaceInput{Name: "Acme"})
		if err != nil {
			b.Fatal(err)
		}
		tm, err := a.CreateTeam(ctx, identity.Caller{Principal: p, CommandID: "c2"}, app.CreateTeamInput{WorkspaceID: ws.ID, Name: "T", TemplateID: cat.TeamTemplates[0].ID})
		if err != nil {
			b.Fatal(err)
		}
		r, err := a.CreateRetro(ctx, identity.Caller{Principal: p, CommandID: "c3"}, app.CreateRetroInput{TeamID: tm.ID, Title: "R"})
		if err != nil {
			b.Fatal(err)
		}
		v, err := a.Retro(ctx, p, r.ID)
		if err != nil {
			b.Fatal(err)
		}
		col := v.Columns[0].ID
		b.ResetTimer()
		for b.Loop() {
			_, err := a.RetroCommand(ctx, identity.Caller{Principal: p, CommandID: a.NewID()}, r.ID, app.AddCard{ColumnID: col, Text: "a card"})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
