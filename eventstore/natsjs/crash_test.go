package natsjs_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
)

// The crash test runs a writer in a child process (this test binary again),
// kills it with SIGKILL at a random moment and checks on reopening that every
// commit the child saw acknowledged is in the log, once, where the
// acknowledgement said.
const (
	crashChildEnv = "HINDSIGHT_CRASH_CHILD_DIR"
	crashRoundEnv = "HINDSIGHT_CRASH_ROUND"
	crashSeedEnv  = "HINDSIGHT_CRASH_SEED"
	crashRounds   = "HINDSIGHT_CRASH_ROUNDS"
)

// Streams the child writes: the "exact" ones with the expected version of
// their single writer, the "any" ones by two writers each with Any.
var (
	exactStreams = []eventstore.StreamID{{Category: "crash", ID: "exact-1"}, {Category: "crash", ID: "exact-2"}, {Category: "crash", ID: "exact-3"}}
	anyStreams   = []eventstore.StreamID{{Category: "crash", ID: "any-1"}, {Category: "crash", ID: "any-2"}}
)

// ack is one line the child printed: a commit the store acknowledged.
type ack struct {
	commandID string
	stream    eventstore.StreamID
	version   int64 // of the commit's last event
	position  uint64
	events    int
	expected  int64
}

func (a ack) String() string {
	return fmt.Sprintf("ACK %s %s %d %d %d %d", a.commandID, a.stream, a.version, a.position, a.events, a.expected)
}

func parseAck(line string) (ack, bool, error) {
	f := strings.Fields(line)
	if len(f) == 0 || f[0] != "ACK" {
		return ack{}, false, nil
	}
	if len(f) != 7 {
		return ack{}, false, fmt.Errorf("ack line %q: want 7 fields", line)
	}
	st, err := eventstore.ParseStreamID(f[2])
	if err != nil {
		return ack{}, false, err
	}
	var a ack
	a.commandID, a.stream = f[1], st
	nums := []*int64{&a.version, nil, nil, &a.expected}
	var pos, events int64
	nums[1], nums[2] = &pos, &events
	for i, p := range nums {
		if *p, err = strconv.ParseInt(f[3+i], 10, 64); err != nil {
			return ack{}, false, fmt.Errorf("ack line %q: %w", line, err)
		}
	}
	a.position, a.events = uint64(pos), int(events)
	return a, true, nil
}

// TestCrashChild is the child's body; it only runs when the parent sets the
// environment, and it never returns on its own: it writes until killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("only runs as the child of TestCrashRecovery")
	}
	round := os.Getenv(crashRoundEnv)
	ctx := context.Background()
	st, err := natsjs.Open(ctx, natsjs.Config{DataDir: dir}) // fsync every write
	if err != nil {
		fmt.Fprintf(os.Stderr, "open: %v\n", err)
		os.Exit(2)
	}
	var out sync.Mutex
	// One write per line, unbuffered: a line the parent reads was printed
	// after its append returned.
	report := func(a ack) {
		out.Lock()
		defer out.Unlock()
		if _, err := os.Stdout.WriteString(a.String() + "\n"); err != nil {
			os.Exit(3)
		}
	}
	die := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
		os.Exit(4)
	}
	writer := func(name string, stream eventstore.StreamID, exact bool) {
		var version int64 = eventstore.Any
		if exact {
			evs, err := st.Load(ctx, stream, 0)
			switch {
			case errors.Is(err, eventstore.ErrStreamNotFound):
				version = 0
			case err != nil:
				die("load %s: %v", stream, err)
			default:
				version = evs[len(evs)-1].StreamVersion
			}
		}
		for i := 0; ; i++ {
			n := 1 + i%3
			c := eventstore.Commit{
				Stream: stream, ExpectedVersion: version,
				CommandID: fmt.Sprintf("r%s-%s-%d", round, name, i), Actor: "crash-test",
			}
			for k := range n {
				c.Events = append(c.Events, eventstore.Event{Type: "Counted", SchemaVersion: 1,
					Payload: fmt.Appendf(nil, `{"writer":%q,"i":%d,"k":%d,"pad":"%s"}`, name, i, k, strings.Repeat("x", 100))})
			}
			res, err := st.Append(ctx, c)
			if err != nil {
				die("append %s: %v", c.CommandID, err)
			}
			if res.Duplicate {
				die("append %s: fresh command reported as duplicate", c.CommandID)
			}
			report(ack{commandID: c.CommandID, stream: stream, version: res.StreamVersion, position: res.Position, events: n, expected: c.ExpectedVersion})
			if exact {
				version = res.StreamVersion
			}
		}
	}
	for i, s := range exactStreams {
		go writer(fmt.Sprintf("e%d", i), s, true)
	}
	for i, s := range anyStreams {
		go writer(fmt.Sprintf("a%da", i), s, false)
		go writer(fmt.Sprintf("a%db", i), s, false)
	}
	select {}
}

// runCrashChild starts the child on dir, reads its acknowledgements and kills
// it after killAfter of them. It returns every acknowledgement printed before
// the kill.
func runCrashChild(t *testing.T, dir string, round, killAfter int) []ack {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashRoundEnv+"="+strconv.Itoa(round))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	// A child that stops acknowledging (a hang) must not hang the test.
	watchdog := time.AfterFunc(30*time.Second, func() { _ = cmd.Process.Kill() })
	defer watchdog.Stop()
	var acks []ack
	killed := false
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		a, ok, err := parseAck(sc.Text())
		if err != nil {
			_ = cmd.Process.Kill()
			t.Fatal(err)
		}
		if !ok {
			continue
		}
		acks = append(acks, a)
		if len(acks) == killAfter && !killed {
			// SIGKILL: no deferred code, no clean shutdown of the server.
			if err := cmd.Process.Kill(); err != nil {
				t.Fatalf("kill child: %v", err)
			}
			killed = true
		}
		// Lines already in the pipe were printed before the kill: they
		// are acknowledged too, so keep reading them.
	}
	werr := cmd.Wait()
	if !killed {
		t.Fatalf("child exited after %d acknowledgements before it was killed: %v\n%s", len(acks), werr, stderr.String())
	}
	return acks
}

// logCommit is a commit as read back from the log.
type logCommit struct {
	stream   eventstore.StreamID
	position uint64
	first    int64
	last     int64
	events   int
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a child process many times")
	}
	rounds := 10
	if v := os.Getenv(crashRounds); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", crashRounds, v)
		}
		rounds = n
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(crashSeedEnv); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("%s=%q: %v", crashSeedEnv, v, err)
		}
	}
	t.Logf("seed %d (set %s to repeat)", seed, crashSeedEnv)
	rng := rand.New(rand.NewPCG(seed, seed))

	// One data folder for all rounds: each round starts from what the
	// previous crashes left behind, so recovery is tested on recovered data.
	dir := t.TempDir()
	acked := map[string]ack{}
	for round := 1; round <= rounds; round++ {
		killAfter := 20 + rng.IntN(381)
		acks := runCrashChild(t, dir, round, killAfter)
		for _, a := range acks {
			if prev, dup := acked[a.commandID]; dup {
				t.Fatalf("round %d: command %s acknowledged twice: %v and %v", round, a.commandID, prev, a)
			}
			acked[a.commandID] = a
		}
		t.Logf("round %d: killed after %d acknowledgements (%d read)", round, killAfter, len(acks))
		verifyAfterCrash(t, dir, round, acked, acks)
	}
}

// verifyAfterCrash reopens dir and checks the log against every
// acknowledgement so far, then that writing on goes on where it should.
func verifyAfterCrash(t *testing.T, dir string, round int, acked map[string]ack, latest []ack) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := natsjs.Open(ctx, natsjs.Config{DataDir: dir})
	if err != nil {
		t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
	}
	defer st.Close()

	commits := map[string]logCommit{}
	var lastPos uint64
	var lastIndex int = -1
	err = st.ReadAll(ctx, 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		if e.Position < lastPos || (e.Position == lastPos && e.Index != lastIndex+1) {
			return fmt.Errorf("event %s out of order: position %d index %d after position %d index %d", e.EventID, e.Position, e.Index, lastPos, lastIndex)
		}
		if e.Position > lastPos && e.Index != 0 {
			return fmt.Errorf("commit at %d starts with index %d", e.Position, e.Index)
		}
		lastPos, lastIndex = e.Position, e.Index
		c, seen := commits[e.CommandID]
		if e.Index == 0 {
			if seen {
				return fmt.Errorf("command %s stored twice: at %d and %d", e.CommandID, c.position, e.Position)
			}
			c = logCommit{stream: e.Stream, position: e.Position, first: e.StreamVersion, events: e.CommitSize}
		}
		c.last = e.StreamVersion
		commits[e.CommandID] = c
		return nil
	})
	if err != nil {
		t.Fatalf("round %d: read the log: %v", round, err)
	}

	for id, a := range acked {
		c, ok := commits[id]
		switch {
		case !ok:
			t.Errorf("round %d: acknowledged commit %v is missing", round, a)
		case c.stream != a.stream || c.position != a.position || c.last != a.version || c.events != a.events:
			t.Errorf("round %d: acknowledged %v, stored as %+v", round, a, c)
		}
	}

	// Every stream holds versions 1..n without gap, in position order.
	for _, s := range append(append([]eventstore.StreamID{}, exactStreams...), anyStreams...) {
		evs, err := st.Load(ctx, s, 0)
		if err != nil {
			t.Fatalf("round %d: load %s: %v", round, s, err)
		}
		for i, e := range evs {
			if e.StreamVersion != int64(i+1) {
				t.Fatalf("round %d: %s: event %d has version %d", round, s, i, e.StreamVersion)
			}
			if i > 0 && e.Position < evs[i-1].Position {
				t.Fatalf("round %d: %s: version %d at position %d, before version %d at %d", round, s, e.StreamVersion, e.Position, i, evs[i-1].Position)
			}
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// A client that lost its acknowledgement retries the same command: it
	// must be told where the first attempt landed, and nothing is written.
	for _, a := range latest[max(0, len(latest)-5):] {
		retry := eventstore.Commit{Stream: a.stream, ExpectedVersion: a.expected, CommandID: a.commandID, Actor: "crash-test",
			Events: []eventstore.Event{{Type: "Counted", SchemaVersion: 1, Payload: []byte(`{"retry":true}`)}}}
		for len(retry.Events) < a.events {
			retry.Events = append(retry.Events, retry.Events[0])
		}
		res, err := st.Append(ctx, retry)
		if err != nil {
			t.Fatalf("round %d: retry of acknowledged %v: %v", round, a, err)
		}
		if !res.Duplicate || res.Position != a.position || res.StreamVersion != a.version {
			t.Fatalf("round %d: retry of acknowledged %v gave %+v", round, a, res)
		}
	}

	// Writing goes on with the right versions: a stale expected version is
	// a conflict, the current one appends right after.
	for _, s := range exactStreams {
		evs, err := st.Load(ctx, s, 0)
		if err != nil {
			t.Fatal(err)
		}
		v := evs[len(evs)-1].StreamVersion
		c := eventstore.Commit{Stream: s, ExpectedVersion: v - 1, CommandID: fmt.Sprintf("r%d-after-stale-%s", round, s.ID),
			Events: []eventstore.Event{{Type: "Counted", SchemaVersion: 1, Payload: []byte(`{"after":"crash"}`)}}}
		if _, err := st.Append(ctx, c); !errors.Is(err, eventstore.ErrConflict) {
			t.Fatalf("round %d: append to %s expecting stale version %d: want a conflict, got %v", round, s, v-1, err)
		}
		c.ExpectedVersion, c.CommandID = v, fmt.Sprintf("r%d-after-%s", round, s.ID)
		res, err := st.Append(ctx, c)
		if err != nil {
			t.Fatalf("round %d: append to %s at version %d after reopening: %v", round, s, v, err)
		}
		if res.StreamVersion != v+1 || res.Position <= lastPos {
			t.Fatalf("round %d: append to %s after reopening gave %+v; want version %d past position %d", round, s, res, v+1, lastPos)
		}
	}
}
