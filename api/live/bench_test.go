package live_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/hindsight-retro/hindsight/domain/retro"
)

// Fan-out benchmark (issue 4): 50 retros × 20 live participants on one node,
// each retro receiving a steady stream of cards and votes.
//
//	go test -run '^$' -bench Fanout -benchtime=1x ./api/live
//
// The store is memstore: what is measured is the hub, not the append. Each
// rate step uses fresh retros and fresh connections, so views are the same
// size at every step.
const (
	benchRetros   = 50
	benchPerRetro = 20
	benchStep     = 4 * time.Second
	benchP99Limit = 50 * time.Millisecond
)

func BenchmarkFanout(b *testing.B) {
	for range b.N {
		fanout(b)
	}
}

func fanout(b *testing.B) {
	b.Logf("GOMAXPROCS=%d NumCPU=%d", runtime.GOMAXPROCS(0), runtime.NumCPU())

	// Memory per idle connection, the clients in another process so that
	// only the server's side is counted; the baseline is a bare WebSocket
	// server that only holds its connections.
	hubKB := idleMemory(b, "hub")
	bareKB := idleMemory(b, "bare")
	b.Logf("memory per idle connection: hub %.1f KB, bare coder/websocket server %.1f KB (ratio %.2f)", hubKB, bareKB, hubKB/bareKB)
	b.ReportMetric(hubKB, "KB/idle-conn")

	// Baseline latency: one retro, one client, through the same hub and
	// the same loopback, at 50 commands/s (200 samples).
	base := latencyStep(b, 1, 1, 50, "base")
	b.Logf("baseline 1 retro × 1 client at %.0f cmd/s: p50 %v p99 %v p99.9 %v", base.rate, base.p50, base.p99, base.p999)

	var best step
	rates := []float64{100, 200, 300, 400, 600, 800, 1200, 1600}
	if env := os.Getenv("LIVE_FANOUT_RATES"); env != "" { // e.g. "50,100" for a quick look
		rates = nil
		for _, f := range strings.Split(env, ",") {
			r, err := strconv.ParseFloat(f, 64)
			if err != nil || r <= 0 {
				b.Fatalf("LIVE_FANOUT_RATES: %q is not a positive rate", f)
			}
			rates = append(rates, r)
		}
	}
	for _, rate := range rates {
		s := latencyStep(b, benchRetros, benchPerRetro, rate, fmt.Sprintf("r%.0f", rate))
		b.Logf("50×20 at %5.0f cmd/s (achieved %6.1f, %7d deliveries, %d dropped, %.0f µs server CPU per delivery): p50 %8v p99 %8v p99.9 %8v  (p99 ×%.1f baseline)",
			rate, s.rate, s.n, s.dropped, s.cpuPerDelivery, s.p50, s.p99, s.p999, float64(s.p99)/float64(base.p99))
		if rate == 100 {
			b.ReportMetric(float64(s.p50)/1e6, "ms-p50@100cmd/s")
			b.ReportMetric(float64(s.p99)/1e6, "ms-p99@100cmd/s")
			b.ReportMetric(float64(s.p999)/1e6, "ms-p99.9@100cmd/s")
		}
		if s.p99 >= benchP99Limit || s.dropped > 0 {
			break
		}
		best = s
	}
	b.Logf("largest sustained rate with p99 < %v and no client dropped: %.0f cmd/s (%.0f messages/s out)", benchP99Limit, best.rate, best.rate*benchPerRetro)
	b.ReportMetric(best.rate, "max-cmd/s@p99<50ms")
}

type step struct {
	rate           float64
	n              int
	dropped        int
	p50, p99, p999 time.Duration
	// cpuPerDelivery is µs of the server process's CPU (hub, HTTP, command path; the clients run in a child process) per delivered change.
	cpuPerDelivery float64
}

func benchRetroID(tag string, r int) string { return fmt.Sprintf("b-%s-%d", tag, r) }
func benchUser(r, k int) string             { return fmt.Sprintf("user-%d-%d", r, k) }

// setupRetros creates retros whose first column is revealed (cards are
// topics at once) with an open voting round.
func (e *env) setupRetros(tag string, retros, per int) {
	for r := range retros {
		id := benchRetroID(tag, r)
		mod := actor(benchUser(r, 0))
		e.do(id, mod, retro.CreateRetro{Actor: mod, At: t0, RetroID: id, TeamID: "team", Title: "Bench " + id, TemplateID: "ks", Columns: columns})
		for k := 1; k < per; k++ {
			a := actor(benchUser(r, k))
			e.do(id, a, retro.JoinRetro{Actor: a, At: t0, Role: retro.RoleMember})
		}
		e.do(id, mod, retro.RevealColumn{Actor: mod, At: t0, ColumnID: "keep"})
		e.do(id, mod, retro.StartVoting{Actor: mod, At: t0, RoundID: "round", Budget: retro.MaxBudget})
	}
}

// latencyStep opens retros×per connections, drives rate commands per
// second in total for benchStep, and measures append-to-receipt latency of
// every change message on every connection.
func latencyStep(b *testing.B, retros, per int, rate float64, tag string) step {
	e := newEnv(b, envOptions{})
	e.setupRetros(tag, retros, per)

	clients := startClients(b, e.srv.URL+"/v1/retros/"+benchRetroID(tag, 0)[:len("b-"+tag+"-")], retros, per, true)

	var stampMu sync.Mutex
	stamps := map[uint64]time.Time{}
	interval := time.Duration(float64(time.Second) * float64(retros) / rate)
	cpuBefore := cpuTime()
	ctx, cancel := context.WithTimeout(context.Background(), benchStep+interval)
	defer cancel()
	var writers sync.WaitGroup
	var cmdMu sync.Mutex
	cmds := 0
	for r := range retros {
		writers.Add(1)
		go func() {
			defer writers.Done()
			id := benchRetroID(tag, r)
			// Stagger the retros over one interval, so that the load is
			// steady rather than a burst from every retro at once.
			select {
			case <-ctx.Done():
				return
			case <-time.After(interval * time.Duration(r) / time.Duration(retros)):
			}
			// Each retro runs for benchStep from its own start.
			stop := time.After(benchStep)
			tick := time.NewTicker(interval)
			defer tick.Stop()
			lastCard := ""
			for i := 0; ; i++ {
				select {
				case <-ctx.Done():
					return
				case <-stop:
					return
				case <-tick.C:
				}
				a := actor(benchUser(r, i%per))
				var cmd retro.Command
				if i%2 == 0 || lastCard == "" {
					lastCard = fmt.Sprintf("card-%d", i)
					cmd = retro.AddCard{Actor: a, At: t0, CardID: lastCard, ColumnID: "keep", Text: "A card about our sprint, number " + strconv.Itoa(i)}
				} else {
					cmd = retro.CastVote{Actor: a, At: t0, TopicID: lastCard}
				}
				at := time.Now()
				pos := e.do(id, a, cmd)
				stampMu.Lock()
				stamps[pos] = at
				stampMu.Unlock()
				cmdMu.Lock()
				cmds++
				cmdMu.Unlock()
			}
		}()
	}
	writers.Wait()
	elapsed := benchStep
	// Let the last changes arrive, then stop the clients: the feed has a
	// bounded delay, and whatever arrives later counts as not delivered.
	time.Sleep(500 * time.Millisecond)
	cpu := cpuTime() - cpuBefore
	receipts, drops := clients.finish()
	e.close()

	var lat []time.Duration
	for _, rc := range receipts {
		if at, ok := stamps[rc.pos]; ok {
			lat = append(lat, rc.at.Sub(at))
		}
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	return step{rate: float64(cmds) / elapsed.Seconds(), n: len(lat), dropped: drops, p50: q(0.50), p99: q(0.99), p999: q(0.999),
		cpuPerDelivery: float64(cpu.Microseconds()) / float64(max(1, len(lat)))}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// changePosition reads the position of a change message from its fixed
// prefix, without decoding the view.
func changePosition(data []byte) (uint64, bool) {
	const prefix = `{"type":"change","position":`
	if !bytes.HasPrefix(data, []byte(prefix)) {
		return 0, false
	}
	rest := data[len(prefix):]
	end := bytes.IndexByte(rest, ',')
	if end < 0 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(rest[:end]), 10, 64)
	return n, err == nil
}

// idleMemory opens benchRetros×benchPerRetro idle connections from a child
// process and returns the server's heap and stack growth per connection, in
// KB, after garbage collection. kind "hub" serves the live feed; "bare" is
// a WebSocket server that only accepts and reads.
func idleMemory(b *testing.B, kind string) float64 {
	var url string
	var connected func() int64
	switch kind {
	case "hub":
		e := newEnv(b, envOptions{})
		e.setupRetros("idle", benchRetros, benchPerRetro)
		url = e.srv.URL + "/v1/retros/" + benchRetroID("idle", 0)[:len("b-idle-")]
		connected = func() int64 { return e.hub.Stats().Connections }
	default:
		var mu sync.Mutex
		var n int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			c.SetReadLimit(4096)
			mu.Lock()
			n++
			mu.Unlock()
			for {
				if _, _, err := c.Read(r.Context()); err != nil {
					break
				}
			}
			mu.Lock()
			n--
			mu.Unlock()
		}))
		b.Cleanup(srv.Close)
		url = srv.URL + "/bare/b-idle-"
		connected = func() int64 { mu.Lock(); defer mu.Unlock(); return n }
	}
	before := heapAndStacks()
	clients := startClients(b, url, benchRetros, benchPerRetro, false)
	for i := 0; connected() < benchRetros*benchPerRetro; i++ {
		if i > 600 {
			b.Fatalf("%s: only %d connections after a minute", kind, connected())
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second) // presence messages settle
	after := heapAndStacks()
	clients.finish()
	return float64(after-before) / 1024 / float64(benchRetros*benchPerRetro)
}

func heapAndStacks() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}

type receipt struct {
	pos uint64
	at  time.Time
}

// clientProc is a child process holding the benchmark's WebSocket clients,
// so that the server's memory and CPU are measured without them.
type clientProc struct {
	b     *testing.B
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Scanner
}

// startClients opens retros×per connections to base+<r>/live as user-<r>-<k>
// from a child process and returns once all have their snapshot. With
// record, the child notes when each change message arrives.
func startClients(b *testing.B, base string, retros, per int, record bool) *clientProc {
	cmd := exec.Command(os.Args[0], "-test.run=^TestFanoutClientProcess$")
	cmd.Env = append(os.Environ(), "LIVE_FANOUT_URL="+base, fmt.Sprintf("LIVE_FANOUT_SHAPE=%d,%d,%v", retros, per, record))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	p := &clientProc{b: b, cmd: cmd, stdin: stdin, out: bufio.NewScanner(stdout)}
	var said []string
	for p.out.Scan() {
		if p.out.Text() == "ready" {
			return p
		}
		said = append(said, p.out.Text())
	}
	_ = cmd.Wait()
	b.Fatalf("client process ended before it was ready:\n%s", strings.Join(said, "\n"))
	return nil
}

// finish stops the clients and returns what they recorded: the receipts of
// change messages and how many clients were told to resume.
func (p *clientProc) finish() ([]receipt, int) {
	_ = p.stdin.Close()
	var out []receipt
	drops := 0
	for p.out.Scan() {
		f := strings.Fields(p.out.Text())
		switch {
		case len(f) == 2 && f[0] == "drops":
			drops, _ = strconv.Atoi(f[1])
		case len(f) == 2:
			pos, err1 := strconv.ParseUint(f[0], 10, 64)
			ns, err2 := strconv.ParseInt(f[1], 10, 64)
			if err1 == nil && err2 == nil {
				out = append(out, receipt{pos, time.Unix(0, ns)})
			}
		}
	}
	if err := p.cmd.Wait(); err != nil {
		p.b.Fatalf("client process: %v", err)
	}
	return out, drops
}

// TestFanoutClientProcess is the client side of the benchmark, run in a
// child process; it does nothing in a normal test run.
func TestFanoutClientProcess(t *testing.T) {
	base := os.Getenv("LIVE_FANOUT_URL")
	if base == "" {
		t.Skip("only run by BenchmarkFanout")
	}
	var retros, per int
	var record bool
	if _, err := fmt.Sscanf(os.Getenv("LIVE_FANOUT_SHAPE"), "%d,%d,%t", &retros, &per, &record); err != nil {
		t.Fatalf("LIVE_FANOUT_SHAPE: %v", err)
	}
	var conns []*websocket.Conn
	receipts := make([][]receipt, retros*per)
	drops := make([]bool, retros*per)
	var readers sync.WaitGroup
	for r := range retros {
		for k := range per {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+strconv.Itoa(r)+"/live",
				&websocket.DialOptions{HTTPHeader: http.Header{"X-Test-User": {benchUser(r, k)}}})
			if err == nil && record {
				c.SetReadLimit(16 << 20)
				_, _, err = c.Read(ctx) // the snapshot
			}
			cancel()
			if err != nil {
				t.Fatalf("client %d/%d: %v", r, k, err)
			}
			i := len(conns)
			conns = append(conns, c)
			readers.Add(1)
			go func() {
				defer readers.Done()
				for {
					_, data, err := c.Read(context.Background())
					if err != nil {
						return
					}
					now := time.Now()
					if !record {
						continue
					}
					if pos, ok := changePosition(data); ok {
						receipts[i] = append(receipts[i], receipt{pos, now})
					} else if bytes.HasPrefix(data, []byte(`{"type":"resume"`)) {
						drops[i] = true
					}
				}
			}()
		}
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes stdin
	for _, c := range conns {
		_ = c.CloseNow()
	}
	readers.Wait()
	w := bufio.NewWriter(os.Stdout)
	n := 0
	for i, rs := range receipts {
		for _, rc := range rs {
			fmt.Fprintf(w, "%d %d\n", rc.pos, rc.at.UnixNano())
		}
		if drops[i] {
			n++
		}
	}
	fmt.Fprintf(w, "drops %d\n", n)
	_ = w.Flush()
}
