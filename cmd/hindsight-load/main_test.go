//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hindsight is the server binary the generator starts, built once by
// TestMain; "" under -short.
var hindsight string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "hindsight-load-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "temp dir:", err)
		os.Exit(1)
	}
	hindsight = filepath.Join(dir, "hindsight")
	cmd := exec.Command("go", "build", "-buildvcs=false", "-o", hindsight, "github.com/hindsight-retro/hindsight/cmd/hindsight")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// buildHindsight returns the server binary, or skips under -short.
func buildHindsight(t *testing.T) string {
	t.Helper()
	if hindsight == "" {
		t.Skip("-short: the load generator builds and runs the binary")
	}
	return hindsight
}

func TestTheLoadGeneratorSeesEveryCardOnEveryFeedOfItsRetroAndComparesWithTheBaseline(t *testing.T) {
	bin := buildHindsight(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	// The same binary as its own baseline: both sides must be measured
	// and paired, whatever the figures.
	err := run(ctx, []string{"--binary", bin, "--baseline", bin, "--retros", "2", "--participants", "3",
		"--rates", "10", "--duration", "1s", "--grace", "30s"}, &out, &errOut)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("the output is not the report: %v\n%s", err, out.String())
	}
	if len(rep.Results) != 2 || len(rep.Ratios) != 1 {
		t.Fatalf("got %d results and %d ratios, want 2 and 1: %s", len(rep.Results), len(rep.Ratios), out.String())
	}
	for _, r := range rep.Results {
		if r.Cards != 10 || len(r.Errors) != 0 || r.FeedsDropped != 0 {
			t.Errorf("cards %d, errors %v, dropped %d; want 10 cards stored, none failed or dropped", r.Cards, r.Errors, r.FeedsDropped)
		}
		// Every card reaches each of the 3 feeds of its retro once.
		if r.Missing != 0 || r.Delivery.N != 30 {
			t.Errorf("delivered %d of 30 (card, feed) pairs, %d missing", r.Delivery.N, r.Missing)
		}
		// The user share may round to no tick in a run this short; it is
		// never more than the whole.
		if r.Delivery.P50 <= 0 || r.Delivery.P99 < r.Delivery.P50 || r.CPUPerCardMs <= 0 || r.UserCPUPerCardMs < 0 || r.UserCPUPerCardMs > r.CPUPerCardMs || r.ChangeBytes <= 0 {
			t.Errorf("implausible figures: %+v", r)
		}
	}
}

func TestTheLoadGeneratorRefusesARunWithoutABinary(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"--rates", "10"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--binary is required") {
		t.Fatalf("run without --binary = %v, want a usage error", err)
	}
	err = run(context.Background(), []string{"--binary", os.Args[0], "--rates", "ten"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "bad rate") {
		t.Fatalf("run with a bad rate = %v, want a usage error", err)
	}
}

func TestADisturbedRetroIsMeasuredBesideTheSameBinaryUndisturbed(t *testing.T) {
	bin := buildHindsight(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	err := run(ctx, []string{"--binary", bin, "--retros", "2", "--participants", "3", "--rates", "10",
		"--duration", "1s", "--grace", "30s", "--stalled", "2", "--storm", "5", "--big-retro", "20"}, &out, &errOut)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("the output is not the report: %v\n%s", err, out.String())
	}
	if len(rep.Results) != 2 || len(rep.Ratios) != 1 || rep.Stalled != 2 || rep.Storm != 5 || rep.BigRetro != 20 {
		t.Fatalf("got %d results and %d ratios, want 2 and 1 with the disturbances named: %s", len(rep.Results), len(rep.Ratios), out.String())
	}
	for _, r := range rep.Results {
		if r.Binary != bin || r.Cards != 10 || len(r.Errors) != 0 || r.FeedsDropped != 0 || r.Missing != 0 {
			t.Errorf("%+v: want 10 cards of %s stored and every one on every counted feed", r, bin)
		}
		// Retro 1's 5 cards reach its 3 feeds, whatever befalls retro 0.
		if r.DeliveryOthers.N != 15 {
			t.Errorf("the other retro's feeds got %d of 15 (card, feed) pairs", r.DeliveryOthers.N)
		}
		if want := map[bool]int{true: 0, false: 5}[r.Baseline]; r.StormJoin.N != want {
			t.Errorf("baseline %v: %d storm feeds joined, want %d", r.Baseline, r.StormJoin.N, want)
		}
	}
}
