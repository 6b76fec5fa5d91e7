package replay_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
	"github.com/hindsight-retro/hindsight/projections/actiontracker"
	"github.com/hindsight-retro/hindsight/projections/dashboard"
	"github.com/hindsight-retro/hindsight/projections/demo"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
	"github.com/hindsight-retro/hindsight/projections/replay"
	"github.com/hindsight-retro/hindsight/projections/runner"
	"github.com/hindsight-retro/hindsight/projections/teamhistory"
)

// benchEvents is the size of the benchmark's log: HINDSIGHT_BENCH_EVENTS,
// default 100,000 (1,000,000 for the recorded figures).
func benchEvents(b *testing.B) int {
	if s := os.Getenv("HINDSIGHT_BENCH_EVENTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1000 {
			b.Fatalf("HINDSIGHT_BENCH_EVENTS=%q: want a number of at least 1000", s)
		}
		return n
	}
	return 100_000
}

// benchStore opens an embedded NATS store holding a demo log of about n
// events. HINDSIGHT_BENCH_DIR keeps the store between runs (generating a
// million events takes minutes); otherwise it lives in a temporary folder.
func benchStore(b *testing.B, ctx context.Context, n int) (*natsjs.Store, uint64) {
	dir := os.Getenv("HINDSIGHT_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	} else {
		dir = filepath.Join(dir, "events-"+strconv.Itoa(n))
	}
	store, err := natsjs.Open(ctx, natsjs.Config{DataDir: dir, SyncInterval: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	last, err := store.LastPosition(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if last == 0 {
		start := time.Now()
		st, err := demo.Generate(ctx, store, demo.Config{Seed: 2026, Events: n})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d events (%d commits, %d retros, %d teams) in %s", st.Events, st.Commits, st.Retros, st.Teams, time.Since(start).Round(time.Second))
		last = st.LastPosition
	}
	return store, last
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakHeap samples the live heap while fn runs and returns its peak.
func peakHeap(fn func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-t.C:
			case <-stop:
				return
			}
		}
	}()
	fn()
	close(stop)
	<-done
	return peak.Load()
}

// BenchmarkReplayAgainstRawRead replays the whole log into every read
// model, and reads the same log raw (decoding nothing), in the same run,
// alternating which goes first. Run with -benchtime=1x: one iteration does
// the whole measurement.
func BenchmarkReplayAgainstRawRead(b *testing.B) {
	ctx := context.Background()
	n := benchEvents(b)
	store, _ := benchStore(b, ctx, n)
	var rawCPU, repCPU time.Duration
	var rawPeak uint64
	raw := func() (int, time.Duration) {
		events := 0
		var d time.Duration
		runtime.GC()
		p := peakHeap(func() {
			cpu0 := cpuTime()
			start := time.Now()
			if err := store.ReadAll(ctx, 0, func(context.Context, eventstore.RecordedEvent) error { events++; return nil }); err != nil {
				b.Fatal(err)
			}
			d = time.Since(start)
			if c := cpuTime() - cpu0; rawCPU == 0 || c < rawCPU {
				rawCPU = c
			}
		})
		rawPeak = max(rawPeak, p)
		return events, d
	}
	var peak uint64
	var retained uint64
	rep := func() (int, time.Duration) {
		set := replay.NewSet(healthtrends.Config{})
		var st replay.Stats
		var elapsed time.Duration
		runtime.GC()
		p := peakHeap(func() {
			cpu0 := cpuTime()
			start := time.Now()
			var err error
			if st, err = replay.FromStore(ctx, store, set, replay.Until{}, nil); err != nil {
				b.Fatal(err)
			}
			elapsed = time.Since(start)
			if c := cpuTime() - cpu0; repCPU == 0 || c < repCPU {
				repCPU = c
			}
		})
		peak = max(peak, p)
		// What the read models hold: the heap with them minus without them
		// (the embedded NATS server's caches live in the same heap).
		runtime.GC()
		var with, without runtime.MemStats
		runtime.ReadMemStats(&with)
		runtime.KeepAlive(set)
		set = nil
		runtime.GC()
		runtime.ReadMemStats(&without)
		if with.HeapAlloc > without.HeapAlloc {
			retained = with.HeapAlloc - without.HeapAlloc
		}
		return st.Events, elapsed
	}
	// Three rounds, alternating which side goes first so neither gains from
	// a cache the other warmed; the best time of each side counts.
	var rawBest, repBest time.Duration
	var events int
	for round := range 3 {
		sides := []bool{true, false} // raw first
		if round%2 == 1 {
			sides = []bool{false, true}
		}
		for _, isRaw := range sides {
			if isRaw {
				e, d := raw()
				events = e
				if rawBest == 0 || d < rawBest {
					rawBest = d
				}
				continue
			}
			_, d := rep()
			if repBest == 0 || d < repBest {
				repBest = d
			}
		}
	}
	rawRate := float64(events) / rawBest.Seconds()
	repRate := float64(events) / repBest.Seconds()
	b.ReportMetric(float64(events), "events")
	b.ReportMetric(rawRate, "raw-events/s")
	b.ReportMetric(repRate, "replay-events/s")
	b.ReportMetric(repRate/rawRate, "replay/raw")
	// CPU seconds (user + system, the embedded NATS server included) are
	// less at the mercy of other processes on a shared machine than wall time.
	b.ReportMetric(rawCPU.Seconds()/repCPU.Seconds(), "replay/raw-cpu")
	// Peaks are of the whole process, the embedded NATS server included.
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(rawPeak)/(1<<20), "raw-peak-heap-MB")
	b.ReportMetric(float64(retained)/(1<<20), "read-models-heap-MB")
}

// BenchmarkStartUp is serve's start-up on the log: the runner started
// until every read model is caught up, from zero and from snapshots taken
// at the end of the log. Run with -benchtime=1x.
func BenchmarkStartUp(b *testing.B) {
	ctx := context.Background()
	n := benchEvents(b)
	store, last := benchStore(b, ctx, n)
	snapDir := b.TempDir()
	startUp := func(dir string) time.Duration {
		history := runner.NewSlot(func() *teamhistory.History { return teamhistory.New(retro.Policy{MinRespondents: 3}) })
		actions := runner.NewSlot(actiontracker.New)
		health := runner.NewSlot(func() *healthtrends.Trends { return healthtrends.New(healthtrends.Config{}) })
		dash := runner.NewSlot(func() *dashboard.Dashboard { return dashboard.New(0) })
		r, err := runner.New(runner.Config{Store: store, SnapshotDir: dir}, history, actions, health, dash)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := r.Start(ctx); err != nil {
			b.Fatal(err)
		}
		if err := r.WaitFor(ctx, last); err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		if dir != "" {
			if err := r.SaveSnapshots(); err != nil {
				b.Fatal(err)
			}
		}
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
		return d
	}
	cold := startUp(snapDir) // from zero; saves snapshots at the end of the log
	warm := startUp(snapDir) // from the snapshots
	var size int64
	entries, _ := os.ReadDir(snapDir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			size += info.Size()
		}
	}
	b.ReportMetric(float64(last), "positions")
	b.ReportMetric(cold.Seconds(), "s-from-zero")
	b.ReportMetric(warm.Seconds(), "s-from-snapshots")
	b.ReportMetric(float64(size)/(1<<20), "snapshot-MB")
}
