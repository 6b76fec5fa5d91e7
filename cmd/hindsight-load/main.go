// Command hindsight-load runs the live-retro workload of issue 15 against
// hindsight binaries it starts, and prints JSON results.
//
// Each run starts `hindsight serve` on a fresh data folder (embedded NATS,
// fsync on every write, default flags but --rate-limit 0), creates the
// retros (participant 0 has an account and moderates, the others are guests
// joined by invite), reveals the "start" column, opens one WebSocket per
// participant, and then participant 0 of every retro posts 64-byte cards
// open-loop: card k (card s of retro b, k = s·retros + b) at k/rate
// seconds. Latency runs from just before each POST to the first feed
// message carrying that card's text, on every feed of its retro. This
// process is the client; the server's CPU and memory are its own, read
// from /proc and /metrics.
//
// With --baseline, every run measures both binaries on the same workload,
// alternating which goes first, so ratios compare like with like.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type options struct {
	binary, baseline string
	runs             int
	retros, people   int
	// perPerson is how many feeds each participant opens (tabs).
	perPerson int
	// idle: open the feeds and measure what they hold, post no cards.
	idle bool
	// Disturbances of retro 0 (see disturbed): feeds that stop reading,
	// feeds joining during the load, cards the retro holds before it.
	stalled, storm, bigRetro int
	rates                    []float64
	duration, grace          time.Duration
	query                    string
	serverArgs               []string
}

// feeds is how many WebSockets a run opens.
func (o options) feeds() int { return o.retros * o.people * o.perPerson }

// feedsPerRetro is how many WebSockets follow one retro.
func (o options) feedsPerRetro() int { return o.people * o.perPerson }

// disturbed says whether retro 0 is disturbed: the figures of the other
// retros then show whether that costs them.
func (o options) disturbed() bool { return o.stalled > 0 || o.storm > 0 || o.bigRetro > 0 }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hindsight-load:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("hindsight-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.binary, "binary", "", "`path` of the hindsight binary to measure (required)")
	fs.StringVar(&o.baseline, "baseline", "", "`path` of a baseline hindsight binary, measured in the same runs, alternating")
	fs.IntVar(&o.runs, "runs", 1, "how many `times` to run the whole workload")
	fs.IntVar(&o.retros, "retros", 50, "`retros` live at once")
	fs.IntVar(&o.people, "participants", 20, "`participants` per retro, each with one WebSocket")
	fs.IntVar(&o.perPerson, "feeds-per-participant", 1, "WebSockets each participant opens (as several tabs would), to reach many `feeds` with few retros")
	fs.BoolVar(&o.idle, "idle", false, "open the feeds and measure what each idle one holds; post no cards")
	fs.IntVar(&o.stalled, "stalled", 0, "disturb retro 0 with this many more `feeds` that read their snapshot and then nothing")
	fs.IntVar(&o.storm, "storm", 0, "disturb retro 0 with this many more `feeds` joining during the first 10 s of the cards")
	fs.IntVar(&o.bigRetro, "big-retro", 0, "disturb retro 0 with this many `cards` posted to it before the load")
	rates := fs.String("rates", "100", "comma-separated card `rates` per second (all retros together), each on a fresh server")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long cards are posted at each rate")
	fs.DurationVar(&o.grace, "grace", 10*time.Second, "how long to wait after the last POST for deliveries")
	fs.StringVar(&o.query, "query", "", "`query` string added to every feed's URL, e.g. ?changes=patch")
	extra := fs.String("server-args", "", "extra `flags` for hindsight serve, space-separated")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if o.binary == "" || o.runs < 1 || o.retros < 1 || o.people < 2 || o.perPerson < 1 || o.duration <= 0 ||
		o.stalled < 0 || o.storm < 0 || o.bigRetro < 0 || (o.disturbed() && o.retros < 2) {
		fs.Usage()
		return fmt.Errorf("%w: --binary is required; runs ≥ 1, retros ≥ 1 (≥ 2 with a disturbance), participants ≥ 2, feeds per participant ≥ 1, duration > 0", errUsage)
	}
	for _, r := range strings.Split(*rates, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
		if err != nil || v <= 0 {
			return fmt.Errorf("%w: bad rate %q", errUsage, r)
		}
		o.rates = append(o.rates, v)
	}
	if o.idle {
		o.rates = []float64{0} // one measurement per run and binary, no cards
	}
	o.serverArgs = strings.Fields(*extra)

	rep := report{Retros: o.retros, Participants: o.people, Feeds: o.feeds(), Idle: o.idle,
		Stalled: o.stalled, Storm: o.storm, BigRetro: o.bigRetro,
		DurationS: o.duration.Seconds(), Query: o.query, Binary: o.binary, Baseline: o.baseline}
	for i := 0; i < o.runs; i++ {
		type side struct {
			bin     string
			base    bool
			disturb bool
		}
		sides := []side{{o.binary, false, o.disturbed()}}
		switch {
		case o.baseline != "":
			sides = []side{{o.baseline, true, o.disturbed()}, {o.binary, false, o.disturbed()}}
		case o.disturbed():
			// The baseline is the same binary, undisturbed.
			sides = []side{{o.binary, true, false}, {o.binary, false, true}}
		}
		if len(sides) == 2 && i%2 == 1 {
			sides[0], sides[1] = sides[1], sides[0]
		}
		for _, rate := range o.rates {
			for _, sd := range sides {
				bin := sd.bin
				fmt.Fprintf(stderr, "run %d, %s, %g cards/s\n", i+1, bin, rate)
				mo := o
				if !sd.disturb {
					mo.stalled, mo.storm, mo.bigRetro = 0, 0, 0
				}
				res, err := measure(ctx, mo, bin, rate)
				if err != nil {
					return fmt.Errorf("run %d, %s at %g cards/s: %w", i+1, bin, rate, err)
				}
				res.Run, res.Baseline = i+1, sd.base
				if o.idle {
					fmt.Fprintf(stderr, "  %d idle feeds: Go heap+stacks %g KB/conn, RSS %g KB/conn\n", o.feeds(), res.GoPerConnKB, res.RSSPerConnKB)
					rep.Results = append(rep.Results, res)
					continue
				}
				fmt.Fprintf(stderr, "  delivery p50/p99/p99.9 %g/%g/%g ms, %d missing, errors %v, CPU %g ms/card (user %g), change %g B, RSS %g KB/conn, peak RSS %g MB\n",
					res.Delivery.P50, res.Delivery.P99, res.Delivery.P999, res.Missing, res.Errors, res.CPUPerCardMs, res.UserCPUPerCardMs, res.ChangeBytes, res.RSSPerConnKB, res.PeakRSSMB)
				rep.Results = append(rep.Results, res)
			}
		}
	}
	rep.summarise()
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// report is the JSON the command prints.
type report struct {
	Binary       string `json:"binary"`
	Baseline     string `json:"baseline,omitempty"`
	Retros       int    `json:"retros"`
	Participants int    `json:"participants"`
	Feeds        int    `json:"feeds"`
	Idle         bool   `json:"idle,omitempty"`
	// Disturbances of retro 0; without --baseline, the baseline is the
	// same binary undisturbed.
	Stalled   int      `json:"stalledFeeds,omitempty"`
	Storm     int      `json:"stormFeeds,omitempty"`
	BigRetro  int      `json:"bigRetroCards,omitempty"`
	DurationS float64  `json:"durationSeconds"`
	Query     string   `json:"query,omitempty"`
	Results   []result `json:"results"`
	// Ratios are candidate / baseline of the same run and rate.
	Ratios []ratio `json:"ratios,omitempty"`
}

type result struct {
	Run      int     `json:"run"`
	Binary   string  `json:"binary"`
	Baseline bool    `json:"baseline"`
	Rate     float64 `json:"rate"`
	Cards    int     `json:"cards"`
	// Delivery latency in ms over every (card, feed) pair that arrived.
	Delivery percentiles `json:"deliveryMs"`
	// DeliveryOthers is Delivery over the retros other than retro 0, the
	// one a disturbance hits.
	DeliveryOthers percentiles `json:"deliveryOthersMs"`
	// StormJoin is how long each storm feed took to get its snapshot.
	StormJoin percentiles `json:"stormJoinMs,omitempty"`
	// Missing counts (card, feed) pairs of stored cards never seen.
	Missing int         `json:"missing"`
	Post    percentiles `json:"postMs"`
	// Errors are failed POSTs by status and problem code.
	Errors map[string]int `json:"errors"`
	// FeedsDropped counts feeds that ended or were told to resume.
	FeedsDropped int64 `json:"feedsDropped"`
	// CPUPerCardMs is the server's CPU time during the posting and grace
	// period, divided by the cards posted.
	CPUPerCardMs float64 `json:"cpuPerCardMs"`
	// UserCPUPerCardMs is the part of it spent in user space (the rest is
	// the kernel's: sockets, and the fsyncs of a shared disk).
	UserCPUPerCardMs float64 `json:"userCpuPerCardMs"`
	// ChangeBytes is the mean size of a change message.
	ChangeBytes float64 `json:"changeMessageBytes"`
	// Per idle connection, the server's growth from before the feeds
	// opened to after: resident set, and Go heap plus stacks in use.
	RSSPerConnKB float64 `json:"rssPerConnectionKB"`
	GoPerConnKB  float64 `json:"goHeapStackPerConnectionKB"`
	// PeakRSSMB is the server's highest resident set over the whole run
	// (setup, feeds, posting), what a memory limit must allow for.
	PeakRSSMB float64 `json:"peakRSSMB"`
}

type ratio struct {
	Run  int     `json:"run"`
	Rate float64 `json:"rate"`
	P50  float64 `json:"deliveryP50"`
	P99  float64 `json:"deliveryP99"`
	P999 float64 `json:"deliveryP999"`
	// OthersP99: delivery p99 of the retros other than retro 0.
	OthersP99 float64 `json:"deliveryOthersP99"`
	CPU       float64 `json:"cpuPerCard"`
	UserCPU   float64 `json:"userCpuPerCard"`
	Bytes     float64 `json:"changeMessageBytes"`
	RSS       float64 `json:"rssPerConnection"`
}

func (r *report) summarise() {
	for _, c := range r.Results {
		if c.Baseline {
			continue
		}
		for _, b := range r.Results {
			if !b.Baseline || b.Run != c.Run || b.Rate != c.Rate {
				continue
			}
			r.Ratios = append(r.Ratios, ratio{Run: c.Run, Rate: c.Rate,
				P50: div(c.Delivery.P50, b.Delivery.P50), P99: div(c.Delivery.P99, b.Delivery.P99),
				P999: div(c.Delivery.P999, b.Delivery.P999), OthersP99: div(c.DeliveryOthers.P99, b.DeliveryOthers.P99),
				CPU: div(c.CPUPerCardMs, b.CPUPerCardMs), UserCPU: div(c.UserCPUPerCardMs, b.UserCPUPerCardMs),
				Bytes: div(c.ChangeBytes, b.ChangeBytes), RSS: div(c.RSSPerConnKB, b.RSSPerConnKB)})
		}
	}
}

func div(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return round(a / b)
}

func round(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }

type percentiles struct {
	N    int     `json:"n"`
	P50  float64 `json:"p50"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
}

func percentilesOf(ds []time.Duration) percentiles {
	if len(ds) == 0 {
		return percentiles{}
	}
	slices.Sort(ds)
	at := func(q float64) float64 {
		i := int(q * float64(len(ds)-1))
		return round(float64(ds[i]) / float64(time.Millisecond))
	}
	return percentiles{N: len(ds), P50: at(0.5), P99: at(0.99), P999: at(0.999), Max: at(1)}
}

// measure runs the workload once at one rate against a fresh server.
func measure(ctx context.Context, o options, bin string, rate float64) (result, error) {
	res := result{Binary: bin, Rate: rate}
	srv, err := startServer(ctx, bin, o.serverArgs)
	if err != nil {
		return res, err
	}
	defer srv.stop()
	c := newClient(srv.base)

	rs := make([]retro, o.retros)
	if err := parallel(ctx, o.retros, 8, func(i int) error {
		r, err := setup(ctx, c, i, o.people)
		rs[i] = r
		return err
	}); err != nil {
		return res, fmt.Errorf("set up the retros: %w; server log:\n%s", err, srv.logTail())
	}
	if err := parallel(ctx, o.bigRetro, 8, func(i int) error {
		_, err := c.call(ctx, "POST", "/v1/retros/"+rs[0].id+"/cards", rs[0].tokens[0],
			map[string]string{"columnId": column, "text": fmt.Sprintf("%-64s", fmt.Sprintf("card %d held before the load", i))}, http.StatusCreated)
		return err
	}); err != nil {
		return res, fmt.Errorf("fill retro 0: %w; server log:\n%s", err, srv.logTail())
	}

	var (
		mu    sync.Mutex
		cards []*card
		st    feedStats
		wg    sync.WaitGroup
	)
	snapshot := func() []*card {
		mu.Lock()
		defer mu.Unlock()
		return cards
	}
	register := func(k, b int) *card {
		cd := &card{retro: b, seen: make([]atomic.Int64, o.feedsPerRetro())}
		mu.Lock()
		defer mu.Unlock()
		cards = append(cards, cd)
		if len(cards) != k+1 {
			panic("cards registered out of order")
		}
		return cd
	}
	feedCtx, closeFeeds := context.WithCancel(ctx)
	defer func() { closeFeeds(); wg.Wait() }()

	before, err := srv.memory(ctx)
	if err != nil {
		return res, err
	}
	if err := parallel(ctx, o.feeds(), 32, func(i int) error {
		b, slot := i/o.feedsPerRetro(), i%o.feedsPerRetro()
		return openFeed(feedCtx, c, rs[b], rs[b].tokens[slot%o.people], o.query, feed{retro: b, slot: slot}, snapshot, &st, &wg)
	}); err != nil {
		return res, fmt.Errorf("open the feeds: %w; server log:\n%s", err, srv.logTail())
	}
	// Let the snapshots' garbage settle before reading what idle feeds hold.
	waitCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	<-waitCtx.Done()
	cancel()
	after, err := srv.memory(ctx)
	if err != nil {
		return res, err
	}
	n := float64(o.feeds())
	res.RSSPerConnKB = round((after.RSS - before.RSS) / n / 1024)
	res.GoPerConnKB = round((after.Heap + after.Stack - before.Heap - before.Stack) / n / 1024)
	if o.idle {
		return res, nil
	}

	if err := parallel(ctx, o.stalled, 8, func(i int) error {
		return stallFeed(feedCtx, c, rs[0], rs[0].tokens[i%o.people], o.query, &wg)
	}); err != nil {
		return res, fmt.Errorf("open the stalled feeds: %w; server log:\n%s", err, srv.logTail())
	}

	user0, sys0, err := srv.cpu()
	if err != nil {
		return res, err
	}
	var errs errorCounts
	var postLat []time.Duration
	storm := make(chan []time.Duration, 1)
	go func() { storm <- joinStorm(feedCtx, c, rs[0], o.storm, o.people, o.query, &errs, &wg) }()
	res.Cards = post(ctx, c, rs, rate, o.duration, register, &errs, &postLat)
	res.StormJoin = percentilesOf(<-storm)
	if res.Cards == 0 {
		return res, errNoCards
	}
	// Wait for the deliveries, at most grace.
	deadline := time.Now().Add(o.grace)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if missing(snapshot()) == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	user1, sys1, err := srv.cpu()
	if err != nil {
		return res, err
	}
	perCard := func(d time.Duration) float64 {
		return round(float64(d) / float64(time.Millisecond) / float64(res.Cards))
	}
	res.CPUPerCardMs = perCard(user1 + sys1 - user0 - sys0)
	res.UserCPUPerCardMs = perCard(user1 - user0)
	if end, err := srv.memory(ctx); err == nil {
		res.PeakRSSMB = round(end.PeakRSS / (1 << 20))
	}
	var lat, others []time.Duration
	for _, cd := range snapshot() {
		sent := cd.sent.Load()
		if sent <= 0 {
			continue
		}
		for i := range cd.seen {
			if s := cd.seen[i].Load(); s > 0 {
				lat = append(lat, time.Duration(s-sent))
				if cd.retro != 0 {
					others = append(others, time.Duration(s-sent))
				}
			} else {
				res.Missing++
			}
		}
	}
	res.Delivery, res.DeliveryOthers, res.Post = percentilesOf(lat), percentilesOf(others), percentilesOf(postLat)
	res.Errors = errs.m
	if res.Errors == nil {
		res.Errors = map[string]int{}
	}
	res.FeedsDropped = st.dropped.Load()
	if m := st.changeMsgs.Load(); m > 0 {
		res.ChangeBytes = round(float64(st.changeBytes.Load()) / float64(m))
	}
	return res, nil
}

// missing counts (card, feed) pairs of stored cards not yet delivered.
func missing(cards []*card) int {
	n := 0
	for _, cd := range cards {
		if cd.sent.Load() <= 0 {
			continue
		}
		for i := range cd.seen {
			if cd.seen[i].Load() == 0 {
				n++
			}
		}
	}
	return n
}

// parallel runs f(0..n-1) on up to width goroutines and returns the first error.
func parallel(ctx context.Context, n, width int, f func(int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < width; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					cancel(err)
				}
			}
		}()
	}
loop:
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			break loop
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}
