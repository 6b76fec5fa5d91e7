package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections"
	"github.com/hindsight-retro/hindsight/projections/demo"
)

// Rebuilding from zero gives the read models the live ones reached: a long
// random scenario is played through the app (retros with cards, reveals,
// health checks, actions, ROTI, closes, random misuse the domain refuses)
// and a generated year of retros is written beside it, while the app's
// read models follow the log live; then a second app over the same log
// folds its read models from position zero, and each must equal its live
// twin, state and checkpoint.
func TestReadModelsRebuiltFromZeroEqualTheLiveOnes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	store := memstore.New(nil)
	defer store.Close()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	ks := keys.NewMemory()
	live := New(Deps{Store: store, Keys: ks, Catalog: cat})
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- live.Run(runCtx) }()
	defer func() {
		stop()
		<-ran
	}()

	last, playedTeams := playRandomRetros(t, ctx, live, rand.New(rand.NewPCG(7, 11)), 25)
	st, err := demo.Generate(ctx, store, demo.Config{Seed: 3, Retros: 24, RetrosPerTeam: 8})
	if err != nil {
		t.Fatal(err)
	}
	last = max(last, st.LastPosition)
	if err := live.WaitForReadModels(ctx, last); err != nil {
		t.Fatal(err)
	}

	rebuilt := New(Deps{Store: store, Keys: ks, Catalog: cat})
	if err := rebuilt.StartReadModels(ctx); err != nil {
		t.Fatal(err)
	}
	defer rebuilt.CloseReadModels()
	pairs := [][2]projections.Projection{
		{live.rm.history.Current(), rebuilt.rm.history.Current()},
		{live.rm.actions.Current(), rebuilt.rm.actions.Current()},
		{live.rm.health.Current(), rebuilt.rm.health.Current()},
		{live.rm.dashboard.Current(), rebuilt.rm.dashboard.Current()},
	}
	for _, p := range pairs {
		a, err := p[0].Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		b, err := p[1].Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if string(a) != string(b) {
			t.Errorf("%s: live and rebuilt differ (%d and %d bytes)", p[0].Name(), len(a), len(b))
		}
		if p[0].Checkpoint() != p[1].Checkpoint() || p[0].Checkpoint() < last {
			t.Errorf("%s: live at %d, rebuilt at %d, want both at %d or later", p[0].Name(), p[0].Checkpoint(), p[1].Checkpoint(), last)
		}
	}
	if n := len(live.rm.history.Current().RetroIDs()); n < 25+24 {
		t.Errorf("the history holds %d retros, want the 25 played and the 24 generated", n)
	}
	// The played part is not trivial: it left actions and health checks.
	checked, acted := 0, 0
	for _, tm := range playedTeams {
		if len(live.rm.health.Current().Team(tm).Questions) > 0 {
			checked++
		}
		if len(live.rm.actions.Current().Team(tm, time.Now()).Open) > 0 {
			acted++
		}
	}
	if checked == 0 || acted == 0 {
		t.Errorf("of the played teams, %d have health checks and %d open actions: want some of each", checked, acted)
	}
}

// playRandomRetros runs n retros through the app with random people doing
// random things, and answers the last position written and the teams.
func playRandomRetros(t *testing.T, ctx context.Context, a *App, rng *rand.Rand, n int) (uint64, []string) {
	t.Helper()
	person := func(id string) identity.Principal {
		return identity.Principal{UserID: id, Kind: identity.KindUser, Scopes: []identity.Scope{identity.ScopeRead, identity.ScopeWrite}}
	}
	cmds := 0
	next := func() string { cmds++; return fmt.Sprintf("cmd-%d", cmds) }
	var last uint64
	note := func(r Result, err error) bool {
		var de *domain.Error
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("command %d: %v", cmds, err)
		}
		if err == nil && r.Position > last {
			last = r.Position
		}
		return err == nil
	}
	admin := person("u-admin")
	ws, err := a.CreateWorkspace(ctx, identity.Caller{Principal: admin, CommandID: next()}, WorkspaceInput{Name: "Random Inc"})
	if err != nil {
		t.Fatal(err)
	}
	var teams [][]identity.Principal
	var teamIDs []string
	for i := range 3 {
		tm, err := a.CreateTeam(ctx, identity.Caller{Principal: admin, CommandID: next()}, CreateTeamInput{WorkspaceID: ws.ID, Name: fmt.Sprintf("Team %d", i), TemplateID: cat(a).TeamTemplates[i%len(cat(a).TeamTemplates)].ID})
		if err != nil {
			t.Fatal(err)
		}
		people := []identity.Principal{admin}
		for j := range 2 + rng.IntN(4) {
			p := person(fmt.Sprintf("u-%d-%d", i, j))
			note(a.AddMember(ctx, identity.Caller{Principal: admin, CommandID: next()}, tm.ID, AddMemberInput{UserID: p.UserID}))
			people = append(people, p)
		}
		teams, teamIDs = append(teams, people), append(teamIDs, tm.ID)
	}
	for range n {
		ti := rng.IntN(len(teams))
		people := teams[ti]
		r, err := a.CreateRetro(ctx, identity.Caller{Principal: admin, CommandID: next()}, CreateRetroInput{TeamID: teamIDs[ti], Title: "Sprint", Anonymous: rng.IntN(2) == 0})
		if err != nil {
			t.Fatal(err)
		}
		note(r, nil)
		do := func(p identity.Principal, in RetroInput) bool {
			return note(a.RetroCommand(ctx, identity.Caller{Principal: p, CommandID: next()}, r.ID, in))
		}
		for _, p := range people[1:] {
			if rng.IntN(5) > 0 {
				note(a.JoinRetro(ctx, identity.Caller{Principal: p, CommandID: next()}, r.ID))
			}
		}
		v, err := a.Retro(ctx, admin, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Random steps in a random order, each with random work.
		for range 6 + rng.IntN(10) {
			p := people[rng.IntN(len(people))]
			switch rng.IntN(8) {
			case 0:
				step := v.Agenda[rng.IntN(len(v.Agenda))]
				do(admin, GoToStep{StepID: step.ID})
			case 1, 2:
				col := v.Columns[rng.IntN(len(v.Columns))].ID
				do(p, AddCard{ColumnID: col, Text: "card"})
			case 3:
				col := v.Columns[rng.IntN(len(v.Columns))].ID
				do(admin, RevealColumn{ColumnID: col})
			case 4:
				do(admin, GoToStep{StepID: "health-check"})
				hv, err := a.Retro(ctx, p, r.ID)
				if err == nil && hv.Health != nil {
					for _, pp := range people {
						for _, q := range hv.Health.Questions {
							score := 1 + rng.IntN(5)
							do(pp, AnswerHealthCheck{QuestionID: q.ID, Score: score})
						}
					}
					do(admin, RevealHealthCheck{})
				}
			case 5:
				assignee := people[rng.IntN(len(people))].UserID
				due := time.Now().UTC().Add(time.Duration(rng.IntN(20)-10) * 24 * time.Hour)
				do(p, CreateAction{Title: "do it", Assignee: assignee, Due: &due})
			case 6:
				score := 1 + rng.IntN(5)
				do(p, RateRoti{Score: score})
			case 7:
				// Anyone tries to close it: refused unless the moderator.
				do(p, CloseRetro{})
			}
		}
		if rng.IntN(4) > 0 {
			do(admin, CloseRetro{})
		}
	}
	return last, teamIDs
}

func cat(a *App) *catalog.Catalog { return a.d.Catalog }
