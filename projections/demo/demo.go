// Package demo generates a realistic workspace into a store: workspaces,
// teams with members, a year of fortnightly retros per team (icebreaker,
// action review of carried actions, health check, cards, grouping, voting,
// actions with assignees and due dates, ROTI), and health surveys. Every
// event comes out of the domain's deciders from the state the earlier ones
// left, so the log is one the application could have written; the
// application's reactions (a retro's actions recorded on the team, review
// outcomes carried to the team) are issued as it issues them.
//
// The output is a pure function of the seed and the sizes.
package demo

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// Config sizes the workspace.
type Config struct {
	Seed int64
	// Retros to run in all; 0 means enough to reach Events, or 120.
	Retros int
	// Events to stop after (the retro under way is finished); 0 for no
	// limit beyond Retros.
	Events int
	// Start of the year; zero means 2026-01-05 09:00 UTC.
	Start time.Time
	// RetrosPerTeam is how many retros each team runs (fortnightly); 0 means 26.
	RetrosPerTeam int
	// Progress, when set, is called after each retro with the events so far.
	Progress func(events int)
}

// Stats of a generated workspace.
type Stats struct {
	Workspaces, Teams, Retros, Surveys, Commits, Events int
	LastPosition                                        uint64
	// The first workspace and team with their admins: IDs to try the
	// dashboards and exports with.
	Workspace, WorkspaceAdmin, Team, TeamAdmin string
	// FirstRetro and LastRetro are when the first and the last retro
	// happened, in the domain's time.
	FirstRetro, LastRetro time.Time
}

// eventsPerRetro is about what one retro writes here, to size the teams
// when only Events is given.
const eventsPerRetro = 110

// Generate writes the workspace into store.
func Generate(ctx context.Context, store eventstore.Store, cfg Config) (Stats, error) {
	cat, err := catalog.Load()
	if err != nil {
		return Stats{}, fmt.Errorf("demo: catalogue: %w", err)
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	}
	if cfg.RetrosPerTeam <= 0 {
		cfg.RetrosPerTeam = 26
	}
	if cfg.Retros < 0 || cfg.Events < 0 {
		return Stats{}, errors.New("demo: sizes must not be negative")
	}
	g := &gen{ctx: ctx, store: store, cfg: cfg, cat: cat, rnd: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed))}
	g.planned = cfg.Retros
	switch {
	case cfg.Retros == 0 && cfg.Events > 0:
		// Run until the events are reached; size the teams for about that.
		g.planned = cfg.Events/eventsPerRetro + 1
		g.cfg.Retros = math.MaxInt
	case cfg.Retros == 0:
		g.planned, g.cfg.Retros = 120, 120
	}
	if err := g.run(); err != nil {
		return g.stats, err
	}
	return g.stats, nil
}

type gen struct {
	ctx   context.Context
	store eventstore.Store
	cfg   Config
	cat   *catalog.Catalog
	rnd   *rand.Rand
	stats Stats
	cmdN  int
	// planned is the number of retros the teams are sized for.
	planned int
}

type agg[S any] struct {
	stream  eventstore.StreamID
	state   S
	version int64
}

type teamInfo struct {
	agg[team.State]
	admin   string
	members []string
	pack    catalog.HealthPack
	columns []catalog.Column
	tmplID  string
}

func (g *gen) run() error {
	teams := (g.planned + g.cfg.RetrosPerTeam - 1) / g.cfg.RetrosPerTeam
	wsCount := (teams + 11) / 12
	var all []*teamInfo
	for w := range wsCount {
		wsID := fmt.Sprintf("ws-%03d", w)
		admin := fmt.Sprintf("u-admin-%03d", w)
		ws := &agg[workspace.State]{stream: eventstore.StreamID{Category: workspace.Category, ID: wsID}}
		at := g.cfg.Start.Add(-30 * 24 * time.Hour)
		if err := g.ws(ws, workspace.CreateWorkspace{
			Actor: domain.Actor{UserID: admin}, At: at, WorkspaceID: wsID, Name: "Workspace " + wsID}); err != nil {
			return err
		}
		g.stats.Workspaces++
		if w == 0 {
			g.stats.Workspace, g.stats.WorkspaceAdmin = wsID, admin
		}
		for t := 0; t < 12 && len(all) < teams; t++ {
			ti, err := g.newTeam(ws, admin, len(all), at.Add(time.Duration(t)*time.Hour))
			if err != nil {
				return err
			}
			all = append(all, ti)
		}
	}
	n := 0
	for round := 0; n < g.cfg.Retros; round++ {
		for i, ti := range all {
			if n >= g.cfg.Retros || g.cfg.Events > 0 && g.stats.Events >= g.cfg.Events {
				return nil
			}
			// Teams hold their retros on different days of the fortnight.
			at := g.cfg.Start.Add(time.Duration(round)*14*24*time.Hour + time.Duration(i%10)*24*time.Hour)
			if round%4 == 3 {
				if err := g.survey(ti, fmt.Sprintf("s-%04d-%03d", i, round), at.Add(-3*24*time.Hour)); err != nil {
					return err
				}
			}
			if err := g.retro(ti, fmt.Sprintf("r-%04d-%03d", i, round), at); err != nil {
				return err
			}
			n++
			if g.cfg.Progress != nil {
				g.cfg.Progress(g.stats.Events)
			}
		}
	}
	return nil
}

func (g *gen) newTeam(ws *agg[workspace.State], wsAdmin string, i int, at time.Time) (*teamInfo, error) {
	tt := g.cat.TeamTemplates[i%len(g.cat.TeamTemplates)]
	id := fmt.Sprintf("team-%04d", i)
	ti := &teamInfo{agg: agg[team.State]{stream: eventstore.StreamID{Category: team.Category, ID: id}},
		admin: fmt.Sprintf("u-%04d-00", i)}
	ti.members = []string{ti.admin}
	pack, ok := g.cat.HealthPack(tt.HealthPack)
	if !ok {
		pack = g.cat.HealthPacks[0]
	}
	ti.pack = pack
	rt, ok := g.cat.RetroTemplate(tt.RetroTemplate)
	if !ok {
		rt = g.cat.RetroTemplates[0]
	}
	ti.columns, ti.tmplID = rt.Columns, rt.ID
	if err := g.team(ti, team.CreateTeam{
		Actor: domain.Actor{UserID: wsAdmin}, At: at, TeamID: id, WorkspaceID: ws.stream.ID, Name: "Team " + id,
		Template: tt, FirstAdminID: ti.admin, ByWorkspaceAdmin: true}); err != nil {
		return nil, err
	}
	if err := g.ws(ws, workspace.RegisterTeam{
		Actor: domain.Actor{UserID: wsAdmin}, At: at, TeamID: id, Name: "Team " + id}); err != nil {
		return nil, err
	}
	size := 4 + g.rnd.IntN(6)
	for m := 1; m < size; m++ {
		u := fmt.Sprintf("u-%04d-%02d", i, m)
		ti.members = append(ti.members, u)
		if err := g.team(ti, team.AddMember{
			Actor: domain.Actor{UserID: ti.admin}, At: at, UserID: u}); err != nil {
			return nil, err
		}
	}
	g.stats.Teams++
	if i == 0 {
		g.stats.Team, g.stats.TeamAdmin = id, ti.admin
	}
	return ti, nil
}

// do decides cmd on a's state, appends the events with the expected
// version, and evolves a.
func do[S, C, E any](g *gen, a *agg[S], decide func(S, C) ([]E, error), evolve func(S, E) S,
	encode func(E) (string, int, []byte, error), cmd C) error {
	evs, err := decide(a.state, cmd)
	if err != nil {
		return fmt.Errorf("demo: %s: %T rejected: %w", a.stream, cmd, err)
	}
	if len(evs) == 0 {
		return nil
	}
	g.cmdN++
	c := eventstore.Commit{Stream: a.stream, ExpectedVersion: a.version, CommandID: fmt.Sprintf("demo-%d", g.cmdN)}
	for _, e := range evs {
		typ, v, p, err := encode(e)
		if err != nil {
			return fmt.Errorf("demo: %s: %w", a.stream, err)
		}
		c.Events = append(c.Events, eventstore.Event{Type: typ, SchemaVersion: v, Payload: p})
	}
	res, err := g.store.Append(g.ctx, c)
	if err != nil {
		return fmt.Errorf("demo: append to %s: %w", a.stream, err)
	}
	a.version = res.StreamVersion
	for _, e := range evs {
		a.state = evolve(a.state, e)
	}
	g.stats.Commits++
	g.stats.Events += len(evs)
	g.stats.LastPosition = res.Position
	return nil
}

func (g *gen) ws(a *agg[workspace.State], c workspace.Command) error {
	return do(g, a, workspace.Decide, workspace.Evolve, workspace.EncodeEvent, c)
}

func (g *gen) team(t *teamInfo, c team.Command) error {
	return do(g, &t.agg, team.Decide, team.Evolve, team.EncodeEvent, c)
}

// sample picks k distinct members, the first always included (the moderator).
func (g *gen) sample(xs []string, k int) []string {
	out := []string{xs[0]}
	rest := append([]string(nil), xs[1:]...)
	g.rnd.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	return append(out, rest[:min(k-1, len(rest))]...)
}

var (
	cardTexts = []string{"pairing on the tricky parts helped", "deploys were smooth", "too many meetings",
		"flaky tests slowed us", "great support from design", "unclear priorities mid-sprint", "code reviews took days",
		"on-call was quiet", "we shipped the search feature", "the backlog is a mess", "demo went well",
		"context switching hurts", "new teammate onboarded fast", "estimates were off", "CI queue is slow"}
	actionTexts = []string{"timebox code reviews to a day", "fix the flakiest test suite", "write a runbook for deploys",
		"agree sprint goal with product", "pair on the billing module", "cancel one recurring meeting", "split big stories"}
)

func (g *gen) pick(xs []string) string { return xs[g.rnd.IntN(len(xs))] }

func (g *gen) survey(ti *teamInfo, id string, at time.Time) error {
	s := &agg[survey.State]{stream: eventstore.StreamID{Category: survey.Category, ID: id}}
	dec := func(c survey.Command) error { return do(g, s, survey.Decide, survey.Evolve, survey.EncodeEvent, c) }
	if err := dec(survey.CreateSurvey{Actor: domain.Actor{UserID: ti.admin}, At: at, SurveyID: id, TeamIDs: []string{ti.stream.ID},
		Title: "Health pulse", HealthQuestions: ti.pack.Questions, OpensAt: at, ClosesAt: at.Add(48 * time.Hour)}); err != nil {
		return err
	}
	key := g.key(id)
	for i, u := range ti.members {
		if g.rnd.IntN(10) < 3 {
			continue
		}
		ratings := map[string]int{}
		for _, q := range ti.pack.Questions {
			ratings[q.ID] = g.score(q, 0)
		}
		if err := dec(survey.SubmitResponse{Actor: domain.Actor{UserID: u, Pseudonym: domain.Pseudonym(key, u)},
			At: at.Add(time.Duration(i) * time.Hour), Ratings: ratings}); err != nil {
			return err
		}
	}
	if err := dec(survey.CloseSurvey{Actor: domain.Actor{UserID: ti.admin}, At: at.Add(49 * time.Hour)}); err != nil {
		return err
	}
	g.stats.Surveys++
	return nil
}

func (g *gen) key(id string) []byte { return Key(g.cfg.Seed, id) }

// Key is the anonymity key the demo of seed uses for a retro or survey, so
// tests can compute a participant's pseudonym (a real server keeps such keys
// outside the log and destroys them).
func Key(seed int64, id string) []byte {
	k := sha256.Sum256(fmt.Appendf(nil, "demo-%d-%s", seed, id))
	return k[:]
}

// score draws a plausible answer; mood shifts it (teams have good and bad weeks).
func (g *gen) score(q catalog.Question, mood int) int {
	if q.Scale == catalog.ScaleTen {
		return min(10, max(0, 5+g.rnd.IntN(6)+mood))
	}
	return min(5, max(1, 2+g.rnd.IntN(4)+mood/2))
}
