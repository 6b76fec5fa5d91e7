package app

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-retro/hindsight/projections/actiontracker"
	"github.com/hindsight-retro/hindsight/projections/dashboard"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
	"github.com/hindsight-retro/hindsight/projections/membership"
	"github.com/hindsight-retro/hindsight/projections/runner"
	"github.com/hindsight-retro/hindsight/projections/teamhistory"
	"github.com/hindsight-retro/hindsight/projections/teamsurveys"
)

// ReadModelConfig says how the app keeps its read models.
type ReadModelConfig struct {
	// SnapshotDir, when set, is where the read models' snapshots are
	// restored from at start and saved to at stop (a node-local cache: a
	// missing or damaged one only means folding from zero).
	SnapshotDir string
	// MinGroupSize is the fewest respondents a health aggregate (heat map,
	// eNPS, dashboard) is shown for; 0 means healthtrends.DefaultMinRespondents.
	MinGroupSize int
	// AcceptDataLoss rebuilds a read model whose snapshot is past the end
	// of the log from the log; without it StartReadModels refuses (an
	// error wrapping eventstore.ErrDataLoss).
	AcceptDataLoss bool
}

// readModels are the projections the app answers history queries from,
// each in a runner slot so a rebuild can swap it without downtime.
type readModels struct {
	history   *runner.Slot[*teamhistory.History]
	actions   *runner.Slot[*actiontracker.Tracker]
	health    *runner.Slot[*healthtrends.Trends]
	dashboard *runner.Slot[*dashboard.Dashboard]
	// membership indexes who administers which workspace and is in which
	// team, for the "what is mine" lists.
	membership *runner.Slot[*membership.Index]
	// surveys lists the surveys sent to each team, for its page.
	surveys   *runner.Slot[*teamsurveys.Index]
	runner    *runner.Runner
	runnerErr error
}

func (a *App) newReadModels() *readModels {
	cfg := a.d.ReadModels
	minGroup := a.GroupPolicy().MinRespondents
	var packOf func(string) (string, bool)
	if a.d.Catalog != nil {
		packOf = a.d.Catalog.QuestionPack
	}
	m := &readModels{
		history: runner.NewSlot(func() *teamhistory.History { return teamhistory.New(a.GroupPolicy()) }),
		actions: runner.NewSlot(actiontracker.New),
		health: runner.NewSlot(func() *healthtrends.Trends {
			return healthtrends.New(healthtrends.Config{MinRespondents: minGroup, PackOf: packOf})
		}),
		dashboard:  runner.NewSlot(func() *dashboard.Dashboard { return dashboard.New(minGroup) }),
		membership: runner.NewSlot(membership.New),
		surveys:    runner.NewSlot(teamsurveys.New),
	}
	m.runner, m.runnerErr = runner.New(runner.Config{Store: a.d.Store, Logger: a.d.Logger, SnapshotDir: cfg.SnapshotDir,
		AcceptDataLoss: cfg.AcceptDataLoss},
		m.history, m.actions, m.health, m.dashboard, m.membership, m.surveys)
	return m
}

// StartReadModels restores the read models' snapshots, catches them up with
// the log as it is now, and leaves them following it live until ctx ends or
// CloseReadModels. Serve opens its listener only once this returned.
func (a *App) StartReadModels(ctx context.Context) error {
	if a.rm.runnerErr != nil {
		return fmt.Errorf("app: read models: %w", a.rm.runnerErr)
	}
	if err := a.rm.runner.Start(ctx); err != nil {
		return fmt.Errorf("app: start the read models: %w", err)
	}
	if err := a.rm.runner.WaitCaughtUp(ctx); err != nil {
		return fmt.Errorf("app: catch the read models up: %w", err)
	}
	a.d.Logger.Info("read models caught up", "positions", a.rm.runner.Positions())
	return nil
}

// CloseReadModels stops following the log and saves snapshots when a
// snapshot folder is configured.
func (a *App) CloseReadModels() error {
	if a.rm.runner == nil {
		return nil
	}
	if err := a.rm.runner.Close(); err != nil {
		return fmt.Errorf("app: close the read models: %w", err)
	}
	return nil
}

// CheckSnapshots reports (an error wrapping eventstore.ErrDataLoss) read-model
// snapshots past the end of the log, without starting the read models.
func (a *App) CheckSnapshots(ctx context.Context) error {
	if a.rm.runnerErr != nil {
		return fmt.Errorf("app: read models: %w", a.rm.runnerErr)
	}
	return a.rm.runner.CheckSnapshots(ctx)
}

// ReadModelsCollector exports each read model's lag, checkpoint and skipped
// events; nil when the runner could not be built.
func (a *App) ReadModelsCollector() prometheus.Collector {
	if a.rm.runner == nil {
		return nil
	}
	return a.rm.runner.Collector()
}

// Run keeps the app's read models fed until ctx ends, then closes them
// (saving snapshots when configured; a failure to save is logged, as it
// only costs the next start a longer catch-up).
func (a *App) Run(ctx context.Context) error {
	err := a.StartReadModels(ctx)
	if err == nil {
		<-ctx.Done()
	}
	if cerr := a.CloseReadModels(); cerr != nil {
		a.d.Logger.Error("read models not saved", "err", cerr)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// WaitForHistory returns once the history read model has applied the log up
// to position (a Result's Position), so a client reads its own write.
func (a *App) WaitForHistory(ctx context.Context, position uint64) error {
	return a.rm.history.Current().WaitFor(ctx, position)
}

// WaitForReadModels returns once every read model has applied the log up
// to position.
func (a *App) WaitForReadModels(ctx context.Context, position uint64) error {
	for _, wait := range []func(context.Context, uint64) error{
		a.rm.history.Current().WaitFor, a.rm.actions.Current().WaitFor,
		a.rm.health.Current().WaitFor, a.rm.dashboard.Current().WaitFor, a.rm.membership.Current().WaitFor,
		a.rm.surveys.Current().WaitFor,
	} {
		if err := wait(ctx, position); err != nil {
			return err
		}
	}
	return nil
}
