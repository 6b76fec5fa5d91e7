package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/app/keys"
)

// An operator rotates the key-encryption key of an embedded store: every
// key still reads the same afterwards, now under a new epoch.
func TestKeysRotateMovesEveryKeyToANewKEK(t *testing.T) {
	ctx := context.Background()
	cfg := defaultServeConfig()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	open := func() (keys.Rotator, func()) {
		t.Helper()
		logger := slog.New(slog.DiscardHandler)
		store, err := openStore(ctx, cfg, logger)
		if err != nil {
			t.Fatal(err)
		}
		ks, err := openKeys(ctx, cfg, store, logger)
		if err != nil {
			t.Fatal(err)
		}
		r, ok := ks.(keys.Rotator)
		if !ok {
			t.Fatalf("the key store beside an embedded NATS log is %T, not a rotating one", ks)
		}
		return r, func() { store.Close() }
	}
	ks, closeStore := open()
	k, err := ks.GetOrCreate(ctx, "server:token-signing")
	if err != nil {
		t.Fatal(err)
	}
	before, err := ks.Epoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	closeStore()

	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"keys", "rotate", "--data-dir", cfg.DataDir}, noEnv, &out, &errOut); code != exitOK {
		t.Fatalf("keys rotate exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "rotated") {
		t.Errorf("keys rotate said %q", out.String())
	}

	ks, closeStore = open()
	defer closeStore()
	after, err := ks.Epoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Errorf("epoch %d after rotating, %d before", after, before)
	}
	if got, err := ks.Get(ctx, "server:token-signing"); err != nil || !bytes.Equal(got, k) {
		t.Errorf("the token-signing secret after rotating = %x, %v; want it unchanged, %x", got, err, k)
	}
}

func TestKeysRejectsAMissingSubcommandAndBadFlags(t *testing.T) {
	for _, args := range [][]string{{"keys"}, {"keys", "spin"}, {"keys", "rotate", "--bogus"}} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, noEnv, &out, &errOut); code != exitUsage {
			t.Errorf("%v exited %d, want %d; stderr %q", args, code, exitUsage, errOut.String())
		}
		if !strings.Contains(errOut.String(), "keys rotate") {
			t.Errorf("%v: stderr %q does not show the usage", args, errOut.String())
		}
	}
}
