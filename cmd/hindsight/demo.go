package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/hindsight-retro/hindsight/projections/demo"
)

const demoSummary = `Usage: hindsight demo [flags]

Generate a realistic workspace into the store (store flags as for serve):
teams with members, a year of fortnightly retros per team (icebreaker, action
review, health checks, cards, groups, votes, actions, ROTI) and health
surveys, every event decided by the domain's rules. The same --seed gives the
same workspace. Size it by --retros, or by --events (it stops once past them).
Meant for trying dashboards and for benchmarks, on an empty store.
`

// runDemo is `hindsight demo`.
func runDemo(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	cfg := defaultServeConfig()
	fs := newFlagSet("demo")
	storeFlags(fs, &cfg)
	fs.Var(&syncValue{p: &cfg.SyncInterval}, "sync",
		"embedded server's fsync `policy`: always, or an interval such as 1s (faster for a demo; writes of the last interval can be lost on a crash)")
	var d demo.Config
	fs.Int64Var(&d.Seed, "seed", 1, "`seed` of the generator: the same seed gives the same workspace")
	fs.IntVar(&d.Retros, "retros", 0, "`number` of retros to run (0: 120, or as many as --events needs)")
	fs.IntVar(&d.Events, "events", 0, "stop once this many `events` are written (0: no limit beyond --retros)")
	fs.IntVar(&d.RetrosPerTeam, "retros-per-team", 26, "retros each team runs, one a fortnight (`number`)")
	if err := parseFlags(fs, args, env); err != nil {
		return exitFor(err, "demo", fs, demoSummary, stdout, stderr)
	}
	if d.Retros < 0 || d.Events < 0 || d.RetrosPerTeam < 1 {
		return exitFor(usagef("--retros and --events must not be negative, --retros-per-team at least 1"), "demo", fs, demoSummary, stdout, stderr)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	openCtx, cancel := context.WithTimeout(ctx, storeOpenTimeout)
	store, err := openStore(openCtx, cfg, logger)
	cancel()
	if err != nil {
		fmt.Fprintf(stderr, "hindsight demo: %v\n", err)
		return exitFailure
	}
	defer store.Close()
	if last, err := store.LastPosition(ctx); err == nil && last > 0 {
		fmt.Fprintf(stderr, "hindsight demo: the store already holds %d commits; the demo writes into an empty store\n", last)
		return exitFailure
	}
	bar := newBar("demo", -1, "events", false, stderr)
	start := time.Now()
	d.Progress = func(n int) {
		describe(bar, "demo", n, start)
		_ = bar.Set(n)
	}
	st, err := demo.Generate(ctx, store, d)
	_ = bar.Finish()
	if err != nil {
		fmt.Fprintf(stderr, "hindsight demo: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "wrote %d events in %d commits (up to position %d) in %s: %d workspaces, %d teams, %d retros, %d surveys\n",
		st.Events, st.Commits, st.LastPosition, time.Since(start).Round(time.Millisecond), st.Workspaces, st.Teams, st.Retros, st.Surveys)
	writeDemoNextSteps(stdout, cfg, st)
	return exitOK
}

// writeDemoNextSteps prints the IDs and times the README's next steps ask
// for, as commands to paste.
func writeDemoNextSteps(w io.Writer, cfg serveConfig, st demo.Stats) {
	if st.Team == "" {
		return
	}
	const day = "2006-01-02"
	fmt.Fprintf(w, "workspace %s (admin %s); team %s (admin %s)\n", st.Workspace, st.WorkspaceAdmin, st.Team, st.TeamAdmin)
	if st.Retros > 0 {
		mid := st.FirstRetro.Add(st.LastRetro.Sub(st.FirstRetro) / 2).Truncate(24 * time.Hour)
		fmt.Fprintf(w, "retros held from %s to %s\n", st.FirstRetro.Format(day), st.LastRetro.Format(day))
		fmt.Fprintf(w, "next:\n  hindsight replay %s --until %s\n", storeArgs(cfg), mid.Format(time.RFC3339))
	} else {
		fmt.Fprintf(w, "next:\n")
	}
	fmt.Fprintf(w, "  hindsight export %s --team %s --as %s --out team.ndjson\n", storeArgs(cfg), st.Team, st.TeamAdmin)
}

// storeArgs are the flags that point another command at the same store.
func storeArgs(cfg serveConfig) string {
	switch {
	case cfg.EventStore == backendKurrent:
		return "--eventstore kurrent --kurrent-url '<url>'"
	case cfg.NATSURL != "":
		return "--nats-url " + cfg.NATSURL
	}
	return "--data-dir " + cfg.DataDir
}
