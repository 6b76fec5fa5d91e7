package natsjs

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// BenchmarkAppendLatency measures what a commit waits for at a steady rate
// spread over 50 streams (one writer per stream at a time, as the
// aggregate runner does): group commit against JetStream fsyncing each
// message, on the same disk in the same run, alternating which goes first.
// Each of b.N rounds runs both for HINDSIGHT_BENCH_SECONDS (default 10).
// Latency runs from the moment a commit is due; ratios are group / each.
func BenchmarkAppendLatency(b *testing.B) {
	secs := 10
	if v, err := strconv.Atoi(os.Getenv("HINDSIGHT_BENCH_SECONDS")); err == nil && v > 0 {
		secs = v
	}
	for _, rate := range []int{100, 400} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
			lat := map[bool][]time.Duration{}
			for round := 0; round < b.N; round++ {
				for _, group := range []bool{round%2 == 0, round%2 != 0} {
					d, err := openLoop(b, group, rate, time.Duration(secs)*time.Second)
					if err != nil {
						b.Fatal(err)
					}
					lat[group] = append(lat[group], d...)
				}
			}
			for _, group := range []bool{false, true} {
				slices.Sort(lat[group])
			}
			q := func(group bool, p float64) float64 {
				d := lat[group]
				return float64(d[int(p*float64(len(d)-1))]) / 1e6
			}
			for _, p := range []struct {
				name string
				q    float64
			}{{"p50", .5}, {"p99", .99}, {"p99.9", .999}} {
				b.ReportMetric(q(false, p.q), "each-"+p.name+"-ms")
				b.ReportMetric(q(true, p.q), "group-"+p.name+"-ms")
				b.ReportMetric(q(true, p.q)/q(false, p.q), "group/each-"+p.name)
			}
		})
	}
}

func openLoop(b *testing.B, group bool, rate int, d time.Duration) ([]time.Duration, error) {
	st, err := Open(context.Background(), Config{DataDir: b.TempDir(), jetStreamFsync: !group})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	const streams = 50
	type writer struct {
		mu      sync.Mutex
		version int64
	}
	ws := make([]writer, streams)
	n := int(d.Seconds() * float64(rate))
	lat := make([]time.Duration, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	start := time.Now()
	for k := range n {
		due := start.Add(time.Duration(k) * time.Second / time.Duration(rate))
		time.Sleep(time.Until(due))
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &ws[k%streams]
			w.mu.Lock()
			defer w.mu.Unlock()
			id := eventstore.StreamID{Category: "bench", ID: strconv.Itoa(k % streams)}
			c := eventstore.Commit{Stream: id, ExpectedVersion: w.version, CommandID: "c" + strconv.Itoa(k),
				Events: []eventstore.Event{{Type: "CardAdded", SchemaVersion: 1, Payload: []byte(`{"text":"a card of about sixty-four bytes, as the load test writes"}`)}}}
			res, err := st.Append(context.Background(), c)
			if err != nil {
				errs <- err
				return
			}
			w.version = res.StreamVersion
			lat[k] = time.Since(due)
		}()
	}
	wg.Wait()
	close(errs)
	return lat, <-errs
}

// BenchmarkFsyncFloor is the disk alone: 1 KB appended to a file in the
// test's temporary folder and fsynced, 100 times a second as the load
// test's cards arrive, for b.N seconds. No commit can be acknowledged
// faster than one of these, so its tail is the floor of the write path's.
func BenchmarkFsyncFloor(b *testing.B) {
	f, err := os.CreateTemp(b.TempDir(), "fsync-*")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1024)
	var lat []time.Duration
	start := time.Now()
	for k := 0; k < 100*b.N; k++ {
		time.Sleep(time.Until(start.Add(time.Duration(k) * 10 * time.Millisecond)))
		t0 := time.Now()
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	for _, p := range []struct {
		name string
		q    float64
	}{{"p50", .5}, {"p99", .99}, {"p99.9", .999}} {
		b.ReportMetric(float64(lat[int(p.q*float64(len(lat)-1))])/1e6, "fsync-"+p.name+"-ms")
	}
}
