package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	hsapp "github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/eventstore"
)

const verifySummary = `Usage: hindsight verify [flags]

Check a data folder (--data-dir, with serve stopped) or a NATS cluster
(--nats-url) as serve does at start: every commit of the log is read and
decoded, each stream's versions must follow on without a gap, the log must
reach the position it is known to have reached, the key store must hold the
key of every account in the log, and no read-model snapshot in
<data-dir>/projections may be past the end of the log. Prints what it found;
exits 0 when all is whole, 1 on damage or when the check cannot run.
`

// runVerify is `hindsight verify`.
func runVerify(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	cfg := defaultServeConfig()
	fs := newFlagSet("verify")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir,
		"`folder` of the data: the embedded NATS server's files (stop a serve using it first) and the read-model snapshots")
	fs.StringVar(&cfg.NATSURL, "nats-url", cfg.NATSURL, "`URLs` of a NATS JetStream cluster to check instead of an embedded log, comma-separated")
	fs.IntVar(&cfg.NATSReplicas, "nats-replicas", cfg.NATSReplicas,
		"`replicas` as given to serve; the key store's bucket is made with them if it does not exist (0: 3 with --nats-url)")
	if err := parseFlags(fs, args, env); err != nil {
		return exitFor(err, "verify", fs, verifySummary, stdout, stderr)
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "hindsight verify: %v\n", err)
		return exitFailure
	}
	if cfg.NATSURL == "" {
		if _, err := os.Stat(cfg.DataDir); err != nil {
			return fail(fmt.Errorf("no data folder at %s: %w", cfg.DataDir, err))
		}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	openCtx, cancel := context.WithTimeout(ctx, storeOpenTimeout)
	store, err := openStore(openCtx, cfg, logger)
	cancel()
	if err != nil {
		return fail(err)
	}
	defer store.Close()

	damaged := false
	report := func(what string, err error) {
		if err != nil {
			damaged = true
			fmt.Fprintf(stdout, "%s: DAMAGED: %v\n", what, err)
		}
	}
	lc, err := verifyLog(ctx, store)
	if err != nil {
		return fail(err)
	}
	rep := lc.report
	if derr := rep.Err(); derr != nil {
		report("log", derr)
	} else {
		fmt.Fprintf(stdout, "log: whole: %d commits in %d streams up to position %d", rep.Commits, rep.Streams, rep.LastPosition)
		if rep.Accepted > 0 {
			fmt.Fprintf(stdout, " (%d losses accepted earlier)", rep.Accepted)
		}
		fmt.Fprintln(stdout)
	}

	ks, err := openKeys(ctx, cfg, store, logger)
	if err != nil {
		return fail(err)
	}
	missing, err := checkKeys(ctx, ks, lc.keys)
	if err != nil {
		return fail(err)
	}
	if len(missing) > 0 {
		report("keys", missingKeysError(missing, len(lc.keys)))
	} else {
		fmt.Fprintf(stdout, "keys: whole: the key store holds the keys of all %d accounts in the log\n", len(lc.keys))
	}

	if dir := snapshotDir(cfg, store); dir != "" {
		app := hsapp.New(hsapp.Deps{Store: store, Keys: ks, Logger: logger, ReadModels: hsapp.ReadModelConfig{SnapshotDir: dir}})
		err := app.CheckSnapshots(ctx)
		switch {
		case errors.Is(err, eventstore.ErrDataLoss):
			report("snapshots", err)
		case err != nil:
			return fail(err)
		default:
			fmt.Fprintf(stdout, "snapshots: none past the end of the log (%s)\n", dir)
		}
	}
	if damaged {
		fmt.Fprintln(stdout, "damage found: serve refuses this data until it is restored or started with --accept-data-loss")
		return exitFailure
	}
	return exitOK
}
