package live_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-retro/hindsight/api/live"
	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

func TestSnapshotThenEveryChangeWithItsPosition(t *testing.T) {
	e := newEnv(t, envOptions{})
	start := e.newRetro("r1", false, "user-alice", "user-bob")

	alice := e.ws("r1", "user-alice", "")
	snap := alice.next()
	if snap.Type != "snapshot" || snap.Position != start || snap.View == nil || snap.View.Title != "Sprint r1" {
		t.Fatalf("first message = %s, want the snapshot at %d", snap.raw, start)
	}
	if !snap.View.You.Participant || snap.View.You.UserID != "user-alice" {
		t.Fatalf("snapshot is not alice's view: %+v", snap.View.You)
	}

	p1 := e.addCard("r1", "user-bob", "c1", "flaky deploys")
	p2 := e.do("r1", actor("user-mod"), retro.RevealColumn{Actor: actor("user-mod"), At: t0, ColumnID: "keep"})
	got := alice.until(reached(p2))
	if want := []uint64{p1, p2}; !slices.Equal(positions(got), want) {
		t.Fatalf("change positions = %v, want %v", positions(got), want)
	}
	last := got[len(got)-1]
	if len(last.Events) != 1 || last.Events[0].Type != retro.TypeColumnRevealed {
		t.Fatalf("last change = %s, want ColumnRevealed", last.raw)
	}
	if last.View == nil || len(last.View.Columns[0].Cards) != 1 || last.View.Columns[0].Cards[0].Text != "flaky deploys" {
		t.Fatalf("the view after the reveal should show bob's card: %s", last.raw)
	}
}

func TestConcealedTextReachesOnlyItsAuthor(t *testing.T) {
	for _, anonymous := range []bool{false, true} {
		t.Run(fmt.Sprintf("anonymous=%v", anonymous), func(t *testing.T) {
			e := newEnv(t, envOptions{})
			e.newRetro("r1", anonymous, "user-alice", "user-bob")
			alice, bob := e.ws("r1", "user-alice", ""), e.ws("r1", "user-bob", "")
			const secret = "the-secret-text-of-bob"

			pos := e.addCard("r1", "user-bob", "c1", secret)
			edit := e.do("r1", actor("user-bob"), retro.EditCard{Actor: actor("user-bob"), At: t0, CardID: "c1", Text: secret + "-edited"})

			var aliceRaw []byte
			for _, m := range alice.until(reached(edit)) {
				aliceRaw = append(aliceRaw, m.raw...)
				if m.Position == pos && m.Type == "change" {
					var card retro.CardAdded
					if len(m.Events) != 1 || json.Unmarshal(m.Events[0].Data, &card) != nil || card.CardID != "c1" {
						t.Fatalf("alice should learn that a card exists: %s", m.raw)
					}
				}
				if m.Position == edit && len(m.Events) != 0 {
					t.Fatalf("alice received bob's draft edit: %s", m.raw)
				}
			}
			if bytes.Contains(aliceRaw, []byte(secret)) {
				t.Fatalf("alice received the concealed text")
			}
			if bytes.Contains(aliceRaw, []byte(actor("user-bob").Pseudonym)) {
				t.Fatalf("alice received bob's pseudonym")
			}

			bobMsgs := bob.until(reached(edit))
			last := bobMsgs[len(bobMsgs)-1]
			if last.View == nil || last.View.Columns[0].Cards[0].Text != secret+"-edited" || !last.View.Columns[0].Cards[0].Mine {
				t.Fatalf("bob should see his own draft: %s", last.raw)
			}

			// A viewer joining later gets the same redaction in the snapshot.
			late := e.ws("r1", "user-mod", "")
			if snap := late.next(); bytes.Contains(snap.raw, []byte(secret)) {
				t.Fatalf("the moderator's snapshot holds the concealed text: %s", snap.raw)
			}
		})
	}
}

func TestVotesReachOnlyTheVoterUntilTheRoundCloses(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.newRetro("r1", true, "user-alice", "user-bob")
	e.addCard("r1", "user-bob", "c1", "slow reviews")
	mod := actor("user-mod")
	e.do("r1", mod, retro.RevealColumn{Actor: mod, At: t0, ColumnID: "keep"})
	e.do("r1", mod, retro.StartVoting{Actor: mod, At: t0, RoundID: "round-1", Budget: 3})
	alice, bob := e.ws("r1", "user-alice", ""), e.ws("r1", "user-bob", "")

	vote := e.do("r1", actor("user-bob"), retro.CastVote{Actor: actor("user-bob"), At: t0, TopicID: "c1"})
	for _, m := range alice.until(reached(vote)) {
		if m.Position == vote && len(m.Events) != 0 {
			t.Fatalf("alice received bob's open vote: %s", m.raw)
		}
	}
	got := bob.until(reached(vote))
	if m := got[len(got)-1]; len(m.Events) != 1 || m.Events[0].Type != retro.TypeVoteCast || bytes.Contains(m.raw, []byte("anon:")) {
		t.Fatalf("bob should see his own vote, without a pseudonym: %s", m.raw)
	}
}

func TestResumeAfterAPositionIsExactWhileWritesContinue(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.newRetro("r1", false, "user-alice", "user-bob")
	e.newRetro("r2", false, "user-alice") // interleaves positions of another retro
	alice := e.ws("r1", "user-alice", "")
	first := []msg{alice.next()}

	const writers, perWriter = 3, 60
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				e.addCard("r1", "user-bob", fmt.Sprintf("c-%d-%d", w, i), "card")
				e.addCard("r2", "user-alice", fmt.Sprintf("c-%d-%d", w, i), "card")
			}
		}()
	}
	// Disconnect in the middle of the writes, then resume from the last
	// position received.
	first = append(first, alice.until(func(m msg) bool {
		return m.Type == "change" && len(positions([]msg{m})) > 0 && m.Position > first[0].Position+40
	})...)
	_ = alice.c.CloseNow()
	last := first[len(first)-1].Position
	again := e.ws("r1", "user-alice", fmt.Sprintf("after=%d", last))
	wg.Wait()
	end := e.commitPositions("r1", 0)
	second := again.until(func(m msg) bool { return m.Type == "snapshot" })
	if p := second[len(second)-1].Position; p < end[len(end)-1] {
		second = append(second, again.until(reached(end[len(end)-1]))...)
	}

	var seen []uint64
	seen = append(seen, positions(first)...)
	seen = append(seen, positions(second)...)
	if want := e.commitPositions("r1", first[0].Position); !slices.Equal(seen, want) {
		t.Fatalf("positions received over both connections:\n got %v\nwant %v", seen, want)
	}
	var snap *msg
	for i := range second {
		if second[i].Type == "snapshot" {
			snap = &second[i]
		}
	}
	if snap == nil || snap.View == nil {
		t.Fatalf("a resumed connection should get the view after the missed changes")
	}
}

func TestResumeAheadOfThisNodeSendsNothingTwice(t *testing.T) {
	e := newEnv(t, envOptions{})
	start := e.newRetro("r1", false, "user-alice")
	alice := e.ws("r1", "user-alice", fmt.Sprintf("after=%d", start+1))
	p1 := e.addCard("r1", "user-alice", "c1", "one") // start+1: the client claims to have it
	p2 := e.addCard("r1", "user-alice", "c2", "two")
	if p1 != start+1 {
		t.Fatalf("memstore positions are dense: got %d after %d", p1, start)
	}
	got := alice.until(reached(p2))
	if !slices.Equal(positions(got), []uint64{p2}) {
		t.Fatalf("positions = %v, want only %d", positions(got), p2)
	}
}

func TestSSEIsTheSameFeedAndResumesWithLastEventID(t *testing.T) {
	e := newEnv(t, envOptions{})
	start := e.newRetro("r1", false, "user-alice", "user-bob")
	c, resp := e.sse("r1", "user-alice", "", nil)
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type = %q", ct)
	}
	snap, _ := c.next()
	if snap.Type != "snapshot" || snap.Position != start || snap.id != fmt.Sprint(start) {
		t.Fatalf("first event = id %q %s", snap.id, snap.raw)
	}
	const secret = "bob-wrote-this-concealed"
	p1 := e.addCard("r1", "user-bob", "c1", secret)
	got := c.until(reached(p1))
	last := got[len(got)-1]
	if last.id != fmt.Sprint(p1) || bytes.Contains(last.raw, []byte(secret)) {
		t.Fatalf("change event = id %q %s", last.id, last.raw)
	}
	_ = resp.Body.Close()

	p2 := e.addCard("r1", "user-bob", "c2", "two")
	p3 := e.addCard("r1", "user-alice", "c3", "three")
	// The browser keeps the first URL and sends the last ID it saw.
	again, _ := e.sse("r1", "user-alice", "after=0", http.Header{"Last-Event-ID": {last.id}})
	resumed := again.until(func(m msg) bool { return m.Type == "snapshot" })
	snapAt := resumed[len(resumed)-1].Position
	// The snapshot is the hub's view when the client joined, which may not
	// hold p2 or p3 yet (the hub follows the log after the commit returns):
	// what it lacks follows as changes.
	if snapAt < p3 {
		resumed = append(resumed, again.until(reached(p3))...)
	}
	if !slices.Equal(positions(resumed), []uint64{p2, p3}) || snapAt < p1 {
		t.Fatalf("resumed positions = %v with the snapshot at %d, want [%d %d] and the snapshot at %d or later",
			positions(resumed), snapAt, p2, p3, p1)
	}
}

func TestBadResumePositionIsRefused(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.newRetro("r1", false, "user-alice")
	_, resp, err := e.dialWS("r1", "user-alice", "after=-3", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("dial with after=-3: %v, %v; want 400", err, resp)
	}
}

func TestAStalledClientIsDroppedWithAResumeAndDoesNotSlowTheOthers(t *testing.T) {
	stallAndResume(t, 0, 0)
}

// A client stalled for longer than the library gives a keepalive ping to
// start writing (5 s) is still told where to resume: it used to be cut off
// by the failed ping (when a test's stall outlasted the first ping). The
// first ping comes due while the writer is stuck (on a machine that is not
// too busy: else it is sent before and waits for its pong, harmlessly).
func TestAClientStalledAcrossAKeepaliveIsStillToldWhereToResume(t *testing.T) {
	stallAndResume(t, time.Second, 7*time.Second)
}

// stallAndResume stalls one client while another reads every change, and
// checks that the stalled one is dropped and, reading again after the
// stall, finds where to resume. ping is the keepalive interval (0: the
// default); stall how long the client stays stalled after it is dropped.
func stallAndResume(t *testing.T, ping, stall time.Duration) {
	e := newEnv(t, envOptions{serverWriteBuffer: 4096, deps: func(d *live.Deps) {
		d.QueueSize = 8
		d.WriteTimeout = time.Minute // the stalled client reads again long before
		d.PingInterval = ping
	}})
	e.newRetro("r1", false, "user-alice", "user-bob")
	mod := actor("user-mod")
	e.do("r1", mod, retro.RevealColumn{Actor: mod, At: t0, ColumnID: "keep"})

	// Small socket buffers on both ends, so the stalled client blocks its
	// writer after a few messages rather than after megabytes.
	tiny := tinyClient()
	stalled, _, err := e.dialWS("r1", "user-bob", "", &websocket.DialOptions{HTTPClient: tiny})
	if err != nil {
		t.Fatal(err)
	}
	normal := e.ws("r1", "user-alice", "")
	got := []msg{normal.next()}
	from := got[0].Position

	// The normal client reads each change as it comes, while the stalled
	// one never reads: the stalled one overflows, the normal one goes on.
	text := strings.Repeat("lorem ipsum ", 25)
	for i := range 60 {
		pos := e.addCard("r1", "user-alice", fmt.Sprintf("c%d", i), text)
		got = append(got, normal.until(reached(pos))...)
	}
	for _, m := range got {
		if m.Type == "resume" {
			t.Fatalf("the normal client was told to resume")
		}
	}
	if want := e.commitPositions("r1", from); !slices.Equal(positions(got), want) {
		t.Fatalf("the normal client got %v, want %v", positions(got), want)
	}
	if s := e.hub.Stats(); s.SlowConsumersDropped != 1 {
		t.Fatalf("slow consumers dropped = %d, want 1", s.SlowConsumersDropped)
	}
	// The stall itself, not a wait for something to happen: keepalives
	// come due meanwhile.
	time.Sleep(stall)

	// Reading again, the stalled client finds a resume at the last position
	// it was sent, then the close.
	var lastPos uint64
	for {
		ctx, cancel := context.WithTimeout(context.Background(), feedTimeout)
		_, data, err := stalled.c.Read(ctx)
		cancel()
		if err != nil {
			if websocket.CloseStatus(err) != websocket.StatusTryAgainLater {
				t.Fatalf("stalled client closed with %v, want 1013", err)
			}
			t.Fatalf("closed without a resume message")
		}
		m := parse(t, data)
		if m.Type == "resume" {
			if m.After != lastPos {
				t.Fatalf("resume after %d, but the last position sent was %d", m.After, lastPos)
			}
			break
		}
		if m.Type == "change" || m.Type == "snapshot" {
			lastPos = m.Position
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), feedTimeout)
	defer cancel()
	if _, _, err := stalled.c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusTryAgainLater {
		t.Fatalf("after the resume: %v, want close 1013", err)
	}
}

func TestPresenceCountsPeopleAndHidesWhoTypesInAnonymousRetros(t *testing.T) {
	for _, anonymous := range []bool{false, true} {
		t.Run(fmt.Sprintf("anonymous=%v", anonymous), func(t *testing.T) {
			e := newEnv(t, envOptions{})
			e.newRetro("r1", anonymous, "user-alice", "user-bob")
			bob := e.ws("r1", "user-bob", "")
			alice1 := e.ws("r1", "user-alice", "")
			alice2 := e.ws("r1", "user-alice", "") // a second tab counts once
			bob.until(func(m msg) bool { return m.Type == "presence" && len(m.Here) == 2 })

			alice2.send(map[string]any{"type": "presence", "typing": true, "done": false})
			got := bob.until(func(m msg) bool { return m.Type == "presence" && m.TypingCount == 1 })
			p := got[len(got)-1]
			if !slices.Equal(p.Here, []string{"user-alice", "user-bob"}) {
				t.Fatalf("here = %v", p.Here)
			}
			if anonymous && (p.Typing != nil || bytes.Contains(p.raw, []byte(`"typing":`))) {
				t.Fatalf("an anonymous retro names who is typing: %s", p.raw)
			}
			if !anonymous && !slices.Equal(p.Typing, []string{"user-alice"}) {
				t.Fatalf("typing = %v, want alice", p.Typing)
			}

			alice1.send(map[string]any{"type": "presence", "typing": false, "done": true})
			got = bob.until(func(m msg) bool { return m.Type == "presence" && len(m.Done) == 1 })
			if p := got[len(got)-1]; !slices.Equal(p.Done, []string{"user-alice"}) || p.TypingCount != 1 {
				t.Fatalf("presence = %s, want alice done and still typing in her other tab", p.raw)
			}

			_ = alice1.c.Close(websocket.StatusNormalClosure, "")
			_ = alice2.c.Close(websocket.StatusNormalClosure, "")
			got = bob.until(func(m msg) bool { return m.Type == "presence" && len(m.Here) == 1 })
			if p := got[len(got)-1]; p.TypingCount != 0 || len(p.Done) != 0 {
				t.Fatalf("after alice left: %s", p.raw)
			}
		})
	}
}

func TestClientMessagesAreLimited(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.newRetro("r1", false, "user-alice")
	for name, tc := range map[string]struct {
		payload []byte
		want    websocket.StatusCode
	}{
		"unknown type": {[]byte(`{"type":"cheat"}`), websocket.StatusPolicyViolation},
		"not JSON":     {[]byte(`typing`), websocket.StatusPolicyViolation},
		"too large":    {append([]byte(`{"type":"presence","x":"`), bytes.Repeat([]byte("x"), 5000)...), websocket.StatusMessageTooBig},
	} {
		t.Run(name, func(t *testing.T) {
			c := e.ws("r1", "user-alice", "")
			ctx, cancel := context.WithTimeout(context.Background(), feedTimeout)
			defer cancel()
			_ = c.c.Write(ctx, websocket.MessageText, tc.payload)
			for {
				if _, _, err := c.c.Read(ctx); err != nil {
					if got := websocket.CloseStatus(err); got != tc.want {
						t.Fatalf("closed with %v, want %v", err, tc.want)
					}
					return
				}
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.newRetro("r1", false, "user-alice")
	if _, resp, err := e.dialWS("r1", "intruder-mallory", "", nil); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("websocket as an unauthorised user: %v, %v; want 403", err, resp)
	}
	if _, resp := e.sse("r1", "intruder-mallory", "", nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("SSE as an unauthorised user: %d, want 403", resp.StatusCode)
	}
	if _, resp, err := e.dialWS("nope", "user-alice", "", nil); err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("websocket on a retro with no events: %v, %v; want 404", err, resp)
	}
}

// A refused client reads the same RFC 9457 problems as from every other
// route, whichever transport it asked for, and learns nothing of a failure
// behind the refusal.
func TestTheFeedRefusesWithTheProblemsOfTheRestOfTheAPI(t *testing.T) {
	e := newEnv(t, envOptions{deps: func(d *live.Deps) {
		d.Authorize = func(ctx context.Context, p identity.Principal, retroID string) (retro.Viewer, error) {
			switch p.UserID {
			case "stranger-sam":
				return retro.Viewer{}, fmt.Errorf("retro %s is not one sam is in: %w", retroID, domain.ErrNotFound)
			case "user-broken":
				return retro.Viewer{}, errors.New("membership index at 10.0.0.7 unreachable")
			}
			return authorize(ctx, p, retroID)
		}
	}})
	e.newRetro("r1", false, "user-alice")
	for _, c := range []struct {
		name, retro, user, query string
		status                   int
		kind                     string
	}{
		{"a resume position that is no number", "r1", "user-alice", "after=-3", 400, "validation"},
		{"a retro ID the log cannot hold", "r%20%2F1", "user-alice", "", 400, "validation"},
		{"a user who may not watch", "r1", "intruder-mallory", "", 403, "forbidden"},
		{"a user who may not know of the retro", "r1", "stranger-sam", "", 404, "not-found"},
		{"a retro with no events", "nope", "user-alice", "", 404, "not-found"},
		{"a failure while authorising", "r1", "user-broken", "", 403, "forbidden"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, transport := range []string{"websocket", "SSE"} {
				var resp *http.Response
				if transport == "SSE" {
					_, resp = e.sse(c.retro, c.user, c.query, nil)
				} else {
					_, resp, _ = e.dialWS(c.retro, c.user, c.query, nil)
				}
				p := readProblem(t, resp)
				if resp.StatusCode != c.status || p.Type != problem.TypeBase+c.kind || p.Status != c.status || p.Detail == "" {
					t.Errorf("%s: %d %+v; want %d %s", transport, resp.StatusCode, p, c.status, c.kind)
				}
				if strings.Contains(p.Detail, "10.0.0.7") || strings.Contains(p.Detail, "sam") {
					t.Errorf("%s: the detail %q shows what the server keeps to itself", transport, p.Detail)
				}
			}
		})
	}

	ctx, cancel := context.WithTimeout(context.Background(), feedTimeout)
	defer cancel()
	if err := e.hub.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	_, resp := e.sse("r1", "user-alice", "", nil)
	if p := readProblem(t, resp); resp.StatusCode != 503 || p.Type != problem.TypeBase+"unavailable" || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("while draining: %d %+v, Retry-After %q; want 503 unavailable, retry after 1 s", resp.StatusCode, p, resp.Header.Get("Retry-After"))
	}
}

func readProblem(t *testing.T, resp *http.Response) problem.Problem {
	t.Helper()
	if resp == nil {
		t.Fatal("no response")
	}
	if ct := resp.Header.Get("Content-Type"); ct != problem.ContentType {
		t.Fatalf("%d answered as %q, want %s", resp.StatusCode, ct, problem.ContentType)
	}
	var p problem.Problem
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatalf("problem body: %v", err)
	}
	return p
}

func TestDrainTellsEveryClientToResumeAndRefusesNewOnes(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.newRetro("r1", false, "user-alice", "user-bob")
	ws := e.ws("r1", "user-alice", "")
	sse, _ := e.sse("r1", "user-bob", "", nil)
	pos := e.addCard("r1", "user-alice", "c1", "x")
	ws.until(reached(pos))
	sse.until(reached(pos))

	ctx, cancel := context.WithTimeout(context.Background(), feedTimeout)
	defer cancel()
	if err := e.hub.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := ws.until(func(m msg) bool { return m.Type == "resume" }); got[len(got)-1].After != pos {
		t.Fatalf("websocket resume = %s, want after %d", got[len(got)-1].raw, pos)
	}
	if _, _, err := ws.c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusServiceRestart {
		t.Fatalf("websocket closed with %v, want 1012", err)
	}
	if got := sse.until(func(m msg) bool { return m.Type == "resume" }); got[len(got)-1].After != pos || got[len(got)-1].id != fmt.Sprint(pos) {
		t.Fatalf("SSE resume = %s", got[len(got)-1].raw)
	}
	if m, ok := sse.next(); ok {
		t.Fatalf("SSE went on after the resume: %s", m.raw)
	}
	if _, resp, err := e.dialWS("r1", "user-alice", "", nil); err == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("dial while draining: %v; want 503", err)
	}
	if s := e.hub.Stats(); s.Connections != 0 || s.Rooms != 0 {
		t.Fatalf("after drain: %+v", s)
	}
}

// gatedStore calls a hook inside the hub's load of retro r1, before or
// after its read, so a test can write while the room is loading.
type gatedStore struct {
	eventstore.Store
	before, after func()
}

func (g *gatedStore) Load(ctx context.Context, s eventstore.StreamID, v int64) ([]eventstore.RecordedEvent, error) {
	if s.ID == "r1" && g.before != nil {
		g.before()
	}
	evs, err := g.Store.Load(ctx, s, v)
	if s.ID == "r1" && g.after != nil {
		g.after()
	}
	return evs, err
}

func TestCommitsDuringARoomsLoadAreNeitherLostNorDoubled(t *testing.T) {
	for _, when := range []string{"before the read", "after the read"} {
		t.Run(when, func(t *testing.T) {
			g := &gatedStore{Store: memstore.New(nil)}
			e := newEnv(t, envOptions{store: g})
			e.runner.Store = g.Store // the hook's own writes must not call it again
			start := e.newRetro("r1", false, "user-alice", "user-bob")
			e.newRetro("r9", false, "user-alice")
			watcher := e.ws("r9", "user-alice", "")
			watcher.next()

			var during []uint64
			hook := func() {
				for i := range 5 {
					during = append(during, e.addCard("r1", "user-bob", fmt.Sprintf("during-%d", i), "x"))
				}
				// The subscription is in log order: once the watcher of r9
				// sees a later commit, the hub has handed the r1 commits to
				// the loading room.
				p := e.addCard("r9", "user-alice", fmt.Sprintf("mark-%d", len(during)), "x")
				watcher.until(reached(p))
			}
			if when == "before the read" {
				g.before = hook
			} else {
				g.after = hook
			}
			alice := e.ws("r1", "user-alice", "")
			g.before, g.after = nil, nil
			snap := alice.next()
			after := e.addCard("r1", "user-bob", "after", "x")
			got := alice.until(reached(after))

			seen := append([]uint64{snap.Position}, positions(got)...)
			want := append([]uint64{start}, e.commitPositions("r1", start)...)
			// The snapshot may hold some of the commits written during the
			// load; what follows it must be exactly the rest.
			i := slices.Index(want, snap.Position)
			if i < 0 || !slices.Equal(seen, want[i:]) {
				t.Fatalf("snapshot then changes = %v, want a suffix of %v starting at the snapshot", seen, want)
			}
			// Written before the room was ready, read or buffered: the
			// snapshot holds them either way.
			if snap.Position != during[len(during)-1] {
				t.Fatalf("snapshot at %d, want %d (the last commit written during the load)", snap.Position, during[len(during)-1])
			}
			cards := 0
			for _, col := range got[len(got)-1].View.Columns {
				cards += len(col.Cards)
			}
			if cards != len(during)+1 {
				t.Fatalf("the view holds %d cards, want %d", cards, len(during)+1)
			}
		})
	}
}

func TestRunEndsConnectionsWhenItStops(t *testing.T) {
	mem := memstore.New(nil)
	h := live.NewHub(live.Deps{Store: mem, Authorize: authorize})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
	if err := h.Run(context.Background()); err == nil {
		t.Fatalf("a second Run should fail")
	}
	dctx, dcancel := context.WithTimeout(context.Background(), feedTimeout)
	defer dcancel()
	if err := h.Drain(dctx); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

func TestMetricsCountConnectionsMessagesAndDrops(t *testing.T) {
	e := newEnv(t, envOptions{})
	reg := prometheus.NewPedanticRegistry()
	for _, c := range e.hub.Collectors() {
		if err := reg.Register(c); err != nil {
			t.Fatal(err)
		}
	}
	start := e.newRetro("r1", false, "user-alice")
	alice := e.ws("r1", "user-alice", "")
	alice.until(reached(start))
	// The counter moves just after the write returns, so the client can read
	// the message a moment before it is counted: gather until it shows.
	gather := func() map[string]float64 {
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, f := range families {
			m := f.GetMetric()[0]
			if g := m.GetGauge(); g != nil {
				got[f.GetName()] = g.GetValue()
			} else {
				got[f.GetName()] = m.GetCounter().GetValue()
			}
		}
		return got
	}
	deadline := time.Now().Add(feedTimeout)
	got := gather()
	for got["hindsight_live_messages_sent_total"] < 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		got = gather()
	}
	if got["hindsight_live_connections"] != 1 || got["hindsight_live_rooms"] != 1 ||
		got["hindsight_live_messages_sent_total"] < 1 || got["hindsight_live_slow_consumers_dropped_total"] != 0 {
		t.Fatalf("metrics = %v", got)
	}
}

// presenceAcrossNodes runs two hubs on one log, sharing presence on bus.
func presenceAcrossNodes(t *testing.T, store eventstore.Store, busA, busB live.PresenceBus) {
	a := newEnv(t, envOptions{store: store, deps: func(d *live.Deps) { d.Presence, d.NodeID = busA, "node-a" }})
	b := newEnv(t, envOptions{store: store, deps: func(d *live.Deps) { d.Presence, d.NodeID = busB, "node-b" }})
	a.newRetro("r1", true, "user-alice", "user-bob")
	alice := a.ws("r1", "user-alice", "")
	bob := b.ws("r1", "user-bob", "")
	both := []string{"user-alice", "user-bob"}
	bob.until(func(m msg) bool { return m.Type == "presence" && slices.Equal(m.Here, both) })
	alice.until(func(m msg) bool { return m.Type == "presence" && slices.Equal(m.Here, both) })

	alice.send(map[string]any{"type": "presence", "typing": true})
	got := bob.until(func(m msg) bool { return m.Type == "presence" && m.TypingCount == 1 })
	if p := got[len(got)-1]; bytes.Contains(p.raw, []byte(`"typing":`)) {
		t.Fatalf("an anonymous retro names who is typing: %s", p.raw)
	}
	// And a change made through node A reaches bob on node B.
	pos := a.addCard("r1", "user-alice", "c1", "x")
	bob.until(reached(pos))

	_ = alice.c.Close(websocket.StatusNormalClosure, "")
	bob.until(func(m msg) bool { return m.Type == "presence" && slices.Equal(m.Here, []string{"user-bob"}) })
}

func TestPresenceAcrossNodesInOneProcess(t *testing.T) {
	bus := live.NewMemoryPresenceBus()
	presenceAcrossNodes(t, memstore.New(nil), bus, bus)
}

func TestANodeThatStopsRenewingDisappearsFromPresence(t *testing.T) {
	bus := live.NewMemoryPresenceBus()
	e := newEnv(t, envOptions{deps: func(d *live.Deps) {
		d.Presence, d.NodeID, d.PresenceRenew = bus, "node-a", 20*time.Millisecond
	}})
	e.newRetro("r1", false, "user-alice", "user-bob")
	alice := e.ws("r1", "user-alice", "")
	alice.until(func(m msg) bool { return m.Type == "presence" })

	// Another node announces bob once and then dies.
	err := bus.Publish(context.Background(), live.PresenceAnnouncement{Node: "node-dead", RetroID: "r1",
		Users: []live.PresentUser{{UserID: "user-bob", Typing: true}}, Expires: time.Now().Add(100 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	got := alice.until(func(m msg) bool { return m.Type == "presence" && len(m.Here) == 2 })
	if p := got[len(got)-1]; !slices.Equal(p.Typing, []string{"user-bob"}) {
		t.Fatalf("presence = %s, want bob typing on the other node", p.raw)
	}
	alice.until(func(m msg) bool {
		return m.Type == "presence" && slices.Equal(m.Here, []string{"user-alice"}) && m.TypingCount == 0
	})
}

func TestPresenceReportsAreCoalesced(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.newRetro("r1", false, "user-alice", "user-bob")
	bob := e.ws("r1", "user-bob", "")
	alice := e.ws("r1", "user-alice", "")
	bob.until(func(m msg) bool { return m.Type == "presence" && len(m.Here) == 2 })
	for i := range 200 {
		alice.send(map[string]any{"type": "presence", "typing": i%2 == 0})
	}
	alice.send(map[string]any{"type": "presence", "typing": true, "done": true})
	got := bob.until(func(m msg) bool { return m.Type == "presence" && len(m.Done) == 1 })
	if len(got) > 100 { // one per report would be 201
		t.Fatalf("201 reports reached bob as %d presence messages; they should be coalesced", len(got))
	}
	if p := got[len(got)-1]; p.TypingCount != 1 {
		t.Fatalf("the latest report should win: %s", p.raw)
	}
}

func TestWebSocketsFromOtherOriginsNeedToBeAllowed(t *testing.T) {
	e := newEnv(t, envOptions{deps: func(d *live.Deps) { d.OriginPatterns = []string{"retro.example"} }})
	e.newRetro("r1", false, "user-alice")
	for origin, want := range map[string]int{"https://evil.example": http.StatusForbidden, "https://retro.example": http.StatusSwitchingProtocols} {
		c, resp, err := e.dialWS("r1", "user-alice", "", &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}})
		if resp == nil || resp.StatusCode != want {
			t.Fatalf("origin %s: %v, %v; want %d", origin, err, resp, want)
		}
		if c != nil {
			_ = c.c.CloseNow()
		}
	}
}

func TestAStalledSSEClientIsDroppedWithAResume(t *testing.T) {
	e := newEnv(t, envOptions{serverWriteBuffer: 4096, deps: func(d *live.Deps) {
		d.QueueSize = 8
		d.WriteTimeout = time.Minute
	}})
	e.newRetro("r1", false, "user-alice", "user-bob")
	mod := actor("user-mod")
	e.do("r1", mod, retro.RevealColumn{Actor: mod, At: t0, ColumnID: "keep"})
	stalled, _ := e.sseVia(tinyClient(), "r1", "user-bob", "", nil)
	// The client reads its snapshot, then stops reading. (Without waiting
	// for it, a busy machine may drop the client before its writer sent
	// anything, and the resume is rightly after 0 with no event ID.)
	snap, ok := stalled.next()
	if !ok || snap.Type != "snapshot" || snap.id == "" {
		t.Fatalf("first SSE event %+v, want the snapshot with its position as ID", snap)
	}
	normal := e.ws("r1", "user-alice", "")
	normal.next()
	text := strings.Repeat("lorem ipsum ", 25)
	for i := range 60 {
		pos := e.addCard("r1", "user-alice", fmt.Sprintf("c%d", i), text)
		normal.until(reached(pos))
	}
	if s := e.hub.Stats(); s.SlowConsumersDropped != 1 {
		t.Fatalf("slow consumers dropped = %d, want 1", s.SlowConsumersDropped)
	}
	lastID := snap.id
	for {
		m, ok := stalled.next()
		if !ok {
			t.Fatalf("the stream ended without a resume event")
		}
		if m.Type == "resume" {
			if m.id != lastID || fmt.Sprint(m.After) != lastID {
				t.Fatalf("resume after %d (id %q), but the last event ID was %q", m.After, m.id, lastID)
			}
			break
		}
		if m.id != "" {
			lastID = m.id
		}
	}
	if m, ok := stalled.next(); ok {
		t.Fatalf("the stream went on after the resume: %s", m.raw)
	}
}

// A client may send its first message right behind its handshake, in the
// same packet; the server has then read it along with the request, and
// must still act on it after the upgrade.
func TestAMessageSentWithTheHandshakeCounts(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.newRetro("r1", false, "user-alice", "user-bob")
	bob := e.ws("r1", "user-bob", "")

	raw, err := net.Dial("tcp", strings.TrimPrefix(e.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	payload := []byte(`{"type":"presence","typing":true,"done":false}`)
	mask := [4]byte{0x12, 0x34, 0x56, 0x78}
	frame := append([]byte{0x81, 0x80 | byte(len(payload))}, mask[:]...) // a masked text frame, as clients send
	for i, b := range payload {
		frame = append(frame, b^mask[i%4])
	}
	req := "GET /v1/retros/r1/live HTTP/1.1\r\nHost: " + strings.TrimPrefix(e.srv.URL, "http://") + "\r\n" +
		"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Test-User: user-alice\r\n\r\n"
	if _, err := raw.Write(append([]byte(req), frame...)); err != nil { // one write: one packet on loopback
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(raw), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v, %v; want 101", resp, err)
	}
	bob.until(func(m msg) bool { return m.Type == "presence" && slices.Equal(m.Typing, []string{"user-alice"}) })
}

// A client that stops reading, with room left in its queue (so it is not a
// slow consumer yet), is cut off once one write to it has waited the write
// timeout, and does not get the rest of the feed when it reads again.
func TestAWriteBlockedForTheWriteTimeoutClosesTheConnection(t *testing.T) {
	e := newEnv(t, envOptions{serverWriteBuffer: 4096, deps: func(d *live.Deps) {
		d.QueueSize = 1000
		d.WriteTimeout = 300 * time.Millisecond
	}})
	e.newRetro("r1", false, "user-alice", "user-bob")
	mod := actor("user-mod")
	e.do("r1", mod, retro.RevealColumn{Actor: mod, At: t0, ColumnID: "keep"})
	stalled, _, err := e.dialWS("r1", "user-bob", "", &websocket.DialOptions{HTTPClient: tinyClient()})
	if err != nil {
		t.Fatal(err)
	}
	normal := e.ws("r1", "user-alice", "")
	normal.next()
	text := strings.Repeat("lorem ipsum ", 25)
	var last uint64
	for i := range 60 {
		last = e.addCard("r1", "user-alice", fmt.Sprintf("c%d", i), text)
		normal.until(reached(last))
	}
	if s := e.hub.Stats(); s.SlowConsumersDropped != 0 {
		t.Fatalf("slow consumers dropped = %d, want 0: the queue had room", s.SlowConsumersDropped)
	}
	// Stalled for longer than the write timeout.
	time.Sleep(2 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), feedTimeout)
		_, data, err := stalled.c.Read(ctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatal("the stalled connection is still open")
		}
		if err != nil {
			return // cut off
		}
		if m := parse(t, data); m.Position == last {
			t.Fatalf("the stalled client got the whole feed: its blocked write was not cut off")
		}
	}
}

// A feed's writer waits a little for the next change rather than starting
// afresh for each (a retro in use changes every second or so), but a feed
// with nothing to send for longer holds no writer goroutine: thousands of
// open, quiet feeds cost their sockets and little else.
func TestQuietFeedsHoldNoWriterOnceTheirLastChangeIsSent(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.newRetro("r1", false, "user-alice", "user-bob")
	const feeds = 40
	clients := make([]*wsClient, feeds)
	for i := range clients {
		clients[i] = e.ws("r1", []string{"user-alice", "user-bob", "user-mod"}[i%3], "")
		clients[i].next() // the snapshot
	}
	// Then the writers that sent the snapshots end.
	waitNoWriters(t, e.hub)

	// When two cards come one after the other, every feed gets both, and
	// its writer ends again once they are sent.
	e.addCard("r1", "user-alice", "c1", "flaky deploys")
	pos := e.addCard("r1", "user-bob", "c2", "slow reviews")
	for _, c := range clients {
		c.until(reached(pos))
	}
	waitNoWriters(t, e.hub)
}

func waitNoWriters(t *testing.T, h *live.Hub) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		n := h.Stats().Writers
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d feeds' writers still run 20 s after their last change", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
