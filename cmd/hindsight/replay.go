package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/hindsight-retro/hindsight/app/sealedlog"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
	"github.com/hindsight-retro/hindsight/projections/replay"
	"github.com/hindsight-retro/hindsight/projections/sqlexport"
)

// storeFlags declares the flags that choose the event store, as serve
// names them (--data-dir, --eventstore, --nats-url, --kurrent-url), on fs.
func storeFlags(fs *flag.FlagSet, cfg *serveConfig) {
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir,
		"`folder` of the embedded NATS server's JetStream files (stop a serve using it first); unused with --nats-url or --eventstore kurrent")
	fs.Var(&choiceValue{p: &cfg.EventStore, choices: []string{backendNATS, backendKurrent}}, "eventstore",
		"event store `backend`: natsjs (embedded unless --nats-url is set) or kurrent (needs --kurrent-url)")
	fs.StringVar(&cfg.NATSURL, "nats-url", cfg.NATSURL, "`URLs` of an existing NATS JetStream cluster, comma-separated")
	fs.StringVar(&cfg.KurrentURL, "kurrent-url", cfg.KurrentURL, "KurrentDB connection `string`, for --eventstore kurrent")
}

// minGroupFlag declares --min-group-size, the same flag for every command
// that shows health aggregates (serve, replay).
func minGroupFlag(fs *flag.FlagSet, p *int) {
	fs.IntVar(p, "min-group-size", *p,
		"fewest `respondents` a health aggregate (heat map, eNPS, dashboard, team trends) is shown for; smaller groups are suppressed so nobody's answer can be singled out; at least 2")
}

func checkMinGroup(n int) error {
	if n < 2 {
		return usagef("--min-group-size must be at least 2 (one answer is one person's), got %d", n)
	}
	return nil
}

// parseFlags reads a subcommand's flags from the environment
// (HINDSIGHT_<NAME>) and then the command line, which wins.
func parseFlags(fs *flag.FlagSet, args []string, env func(string) string) error {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v := env(envName(f.Name)); v != "" && envErr == nil {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = usagef("invalid value %q for %s: %v", v, envName(f.Name), err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// writeUsage prints a subcommand's help: its summary, then its flags as
// serve --help shows them.
func writeUsage(w io.Writer, summary string, fs *flag.FlagSet) {
	fmt.Fprintf(w, "%s\nEvery flag can also be set by the environment variable shown beside it.\n\nFlags:\n", summary)
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		def := f.DefValue
		if def == "" {
			def = "none"
		} else {
			def = fmt.Sprintf("%q", def)
		}
		fmt.Fprintf(w, "  --%s %s\n      env %s, default %s\n", f.Name, arg, envName(f.Name), def)
		for _, line := range wrap(usage, 72) {
			fmt.Fprintf(w, "      %s\n", line)
		}
	})
}

// exitFor reports a parse error the way serve does and gives the status.
func exitFor(err error, name string, fs *flag.FlagSet, summary string, stdout, stderr io.Writer) int {
	if errors.Is(err, flag.ErrHelp) {
		writeUsage(stdout, summary, fs)
		return exitOK
	}
	fmt.Fprintf(stderr, "hindsight %s: %v\nRun 'hindsight %s --help' for the flags.\n", name, err, name)
	return exitUsage
}

const replaySummary = `Usage: hindsight replay [flags]

Rebuild every read model (team history, action tracker, health trends,
workspace dashboard) in one pass over the log of a store (the store flags, as
for serve) or over an export file (--from), showing progress with events/s and
an ETA. --until stops at a position of the log, or at an RFC 3339 time of
the domain: the read models as they stood then, whenever the events were
stored (an imported or generated history is stored in minutes). --sqlite
writes the read models as SQLite tables (teams, retros, cards, votes,
actions, health, health_packs, enps, enps_monthly, dashboard), names beside
IDs, for SQL, pandas or a BI tool; --snapshots writes the read models'
snapshots, from which serve can start.
`

type replayConfig struct {
	store     serveConfig
	from      string
	until     string
	sqlite    string
	snapshots string
	force     bool
	quiet     bool
}

// runReplay is `hindsight replay`.
func runReplay(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	cfg := replayConfig{store: defaultServeConfig()}
	fs := newFlagSet("replay")
	storeFlags(fs, &cfg.store)
	fs.StringVar(&cfg.from, "from", "", "replay this export `file` (NDJSON CloudEvents from hindsight export) instead of a store")
	fs.StringVar(&cfg.until, "until", "", "stop after this `position` (a number) or at this RFC 3339 time")
	fs.StringVar(&cfg.sqlite, "sqlite", "", "write the read models to this new SQLite `file`")
	fs.StringVar(&cfg.snapshots, "snapshots", "", "write the read models' snapshots into this `folder`")
	minGroupFlag(fs, &cfg.store.MinGroupSize)
	fs.BoolVar(&cfg.force, "force", false, "overwrite the --sqlite file if it exists")
	fs.BoolVar(&cfg.quiet, "quiet", false, "no progress bar")
	if err := parseFlags(fs, args, env); err != nil {
		return exitFor(err, "replay", fs, replaySummary, stdout, stderr)
	}
	until, err := replay.ParseUntil(cfg.until)
	if err != nil {
		return exitFor(usagef("%v", err), "replay", fs, replaySummary, stdout, stderr)
	}
	if err := checkMinGroup(cfg.store.MinGroupSize); err != nil {
		return exitFor(err, "replay", fs, replaySummary, stdout, stderr)
	}
	if !until.Time.IsZero() && cfg.snapshots != "" {
		// Snapshots must cover a prefix of the log for serve to catch up
		// from; a time bound leaves out events between others.
		return exitFor(usagef("--snapshots takes a position for --until, not a time"), "replay", fs, replaySummary, stdout, stderr)
	}
	if err := doReplay(ctx, cfg, until, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "hindsight replay: %v\n", err)
		return exitFailure
	}
	return exitOK
}

func doReplay(ctx context.Context, cfg replayConfig, until replay.Until, stdout, stderr io.Writer) error {
	if cfg.sqlite != "" {
		if err := makeRoom(cfg.sqlite, cfg.force); err != nil {
			return err
		}
	}
	cat, err := catalog.Load()
	if err != nil {
		return fmt.Errorf("catalogue: %w", err)
	}
	set := replay.NewSet(healthtrends.Config{MinRespondents: cfg.store.MinGroupSize, PackOf: cat.QuestionPack})
	start := time.Now()
	var st replay.Stats
	if cfg.from != "" {
		st, err = replayFile(ctx, cfg, set, until, stderr)
	} else {
		st, err = replayStore(ctx, cfg, set, until, stderr)
	}
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintf(stdout, "replayed %d events up to position %d in %s (%.0f events/s)", st.Events, st.Position,
		elapsed.Round(time.Millisecond), float64(st.Events)/max(elapsed.Seconds(), 1e-9))
	if st.Skipped > 0 {
		fmt.Fprintf(stdout, "; %d undecodable events skipped", st.Skipped)
	}
	if st.Later > 0 {
		fmt.Fprintf(stdout, "; %d events that happened after %s left out", st.Later, until.Time.Format(time.RFC3339))
	}
	fmt.Fprintf(stdout, "\nteams with retros: %d, retros: %d, actions: %d, workspaces: %d\n", len(set.History.Teams()),
		len(set.History.RetroIDs()), len(set.Actions.All()), len(set.Dashboard.Workspaces()))
	if cfg.sqlite != "" {
		if err := sqlexport.Write(ctx, cfg.sqlite, set, cat); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", cfg.sqlite)
	}
	if cfg.snapshots != "" {
		if err := os.MkdirAll(cfg.snapshots, 0o755); err != nil {
			return fmt.Errorf("snapshots: %w", err)
		}
		for _, p := range set.All() {
			b, err := p.Snapshot()
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(cfg.snapshots, p.Name()+".json"), b, 0o644); err != nil {
				return fmt.Errorf("snapshots: %w", err)
			}
		}
		fmt.Fprintf(stdout, "wrote snapshots to %s\n", cfg.snapshots)
	}
	return nil
}

// newBar is a progress bar over max units (-1: unknown), labelled with the
// command it belongs to; a file's bytes are also counted in kB, MB, … .
func newBar(command string, max int64, unit string, quiet bool, w io.Writer) *progressbar.ProgressBar {
	if quiet {
		w = io.Discard
	}
	opts := []progressbar.Option{progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(command),
		// The count and rate are in the description, in events (what a
		// reader counts); the bar's own would be in commits or bytes.
		progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionFullWidth(), progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		// No spinner ticker: for a bar of unknown length progressbar v3.19
		// starts a goroutine that reads the bar's state without its lock
		// (a data race with Describe) and lives until the bar finishes.
		// The spinner then turns on each update instead.
		progressbar.OptionSetSpinnerChangeInterval(0)}
	if unit == "bytes" {
		opts = append(opts, progressbar.OptionShowBytes(true), progressbar.OptionShowCount())
	}
	return progressbar.NewOptions64(max, opts...)
}

// describe labels the bar with the command, the events so far and their rate.
func describe(bar *progressbar.ProgressBar, command string, events int, start time.Time) {
	rate := float64(events) / max(time.Since(start).Seconds(), 1e-9)
	bar.Describe(fmt.Sprintf("%s: %d events, %.0f events/s", command, events, rate))
}

// makeRoom checks that an output file may be written: absent, or there and
// force given (it is then removed, so the output starts empty).
func makeRoom(path string, force bool) error {
	_, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("output %s: %w", path, err)
	case !force:
		return fmt.Errorf("%s exists; give --force to overwrite it", path)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("overwrite %s: %w", path, err)
	}
	return nil
}

func replayStore(ctx context.Context, cfg replayConfig, set *replay.Set, until replay.Until, stderr io.Writer) (replay.Stats, error) {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	openCtx, cancel := context.WithTimeout(ctx, storeOpenTimeout)
	store, err := openStore(openCtx, cfg.store, logger)
	cancel()
	if err != nil {
		return replay.Stats{}, err
	}
	defer store.Close()
	// Sealed texts (a quick retro's) are opened as serve opens them.
	ks, err := openKeys(ctx, cfg.store, store, logger)
	if err != nil {
		return replay.Stats{}, err
	}
	return replayFromStore(ctx, sealedlog.New(store, ks), set, until, cfg.quiet, stderr)
}

// replayFromStore runs the replay with a progress bar over log positions.
func replayFromStore(ctx context.Context, store eventstore.Store, set *replay.Set, until replay.Until, quiet bool, stderr io.Writer) (replay.Stats, error) {
	last, err := store.LastPosition(ctx)
	if err != nil {
		return replay.Stats{}, fmt.Errorf("read the log's end: %w", err)
	}
	if until.Position > 0 && until.Position < last {
		last = until.Position
	}
	// Positions count commits: the bar moves through the log, the label
	// counts the events folded.
	bar := newBar("replay", int64(last), "commits", quiet, stderr)
	start := time.Now()
	st, err := replay.FromStore(ctx, store, set, until, func(st replay.Stats) {
		describe(bar, "replay", st.Events, start)
		_ = bar.Set64(int64(st.Position))
	})
	if err == nil {
		_ = bar.Finish()
	}
	return st, err
}

// countingReader counts the bytes read, for the progress of a file replay.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func replayFile(ctx context.Context, cfg replayConfig, set *replay.Set, until replay.Until, stderr io.Writer) (replay.Stats, error) {
	f, err := os.Open(cfg.from)
	if err != nil {
		return replay.Stats{}, fmt.Errorf("open export: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return replay.Stats{}, fmt.Errorf("open export: %w", err)
	}
	bar := newBar("replay", info.Size(), "bytes", cfg.quiet, stderr)
	cr := &countingReader{r: f}
	start := time.Now()
	st, err := replay.FromExport(ctx, cr, set, until, func(st replay.Stats) {
		describe(bar, "replay", st.Events, start)
		_ = bar.Set64(cr.n)
	})
	if err == nil {
		_ = bar.Finish()
	}
	return st, err
}
