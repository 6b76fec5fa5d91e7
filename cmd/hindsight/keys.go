package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/hindsight-retro/hindsight/app/keys"
)

const keysSummary = `Usage: hindsight keys rotate [flags]

Rotate the key-encryption key (KEK) of the key store beside a NATS log: start
a new KEK, re-wrap every live key (anonymity keys, the keys sealing personal
data, the token-signing secret) under it, and delete every older KEK from
every NATS server. Every destroy does this already; run it when a KEK may
have been copied (a backup of the NATS data folders, a lost disk). Safe while
serve runs on a NATS cluster; stop an embedded serve first, as for replay.
The key folder beside KurrentDB holds no KEK: its keys are overwritten in
place when destroyed, so there is nothing to rotate.
`

// runKeys is `hindsight keys`.
func runKeys(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "rotate" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, keysSummary)
			return exitOK
		}
		fmt.Fprint(stderr, keysSummary)
		return exitUsage
	}
	cfg := defaultServeConfig()
	fs := newFlagSet("keys rotate")
	storeFlags(fs, &cfg)
	if err := parseFlags(fs, args[1:], env); err != nil {
		return exitFor(err, "keys rotate", fs, keysSummary, stdout, stderr)
	}
	logger := newLogger(stderr, slog.LevelWarn)
	if err := rotateKeys(ctx, cfg, logger, stdout); err != nil {
		fmt.Fprintf(stderr, "hindsight keys rotate: %v\n", err)
		return exitFailure
	}
	return exitOK
}

func rotateKeys(ctx context.Context, cfg serveConfig, logger *slog.Logger, stdout io.Writer) error {
	store, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	ks, err := openKeys(ctx, cfg, store, logger)
	if err != nil {
		return err
	}
	r, ok := ks.(keys.Rotator)
	if !ok {
		fmt.Fprintln(stdout, "This key store keeps each key in a file of its own and overwrites it when destroyed: there is no key-encryption key to rotate.")
		return nil
	}
	if err := r.Rotate(ctx); err != nil {
		return fmt.Errorf("rotate the key-encryption key: %w", err)
	}
	epoch, err := r.Epoch(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Key-encryption key rotated: epoch %d is current, every live key is re-wrapped under it, and older ones are deleted.\n", epoch)
	return nil
}
