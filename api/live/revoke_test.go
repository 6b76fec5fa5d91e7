package live_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/hindsight-retro/hindsight/api/live"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// gate is an authoriser whose refusals the test decides, on top of the
// default one.
type gate struct {
	mu      sync.Mutex
	refused map[string]bool
	asked   map[string]int
}

func newGate() *gate { return &gate{refused: map[string]bool{}, asked: map[string]int{}} }

func (g *gate) refuse(user string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.refused[user] = true
}

func (g *gate) authorize(ctx context.Context, p identity.Principal, retroID string) (retro.Viewer, error) {
	g.mu.Lock()
	refused := g.refused[p.UserID]
	g.asked[p.UserID]++
	g.mu.Unlock()
	if refused {
		return retro.Viewer{}, errDenied
	}
	return authorize(ctx, p, retroID)
}

func (g *gate) timesAsked(user string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.asked[user]
}

// removeMember writes what the team aggregate writes when a member is
// removed; the gate must already refuse them, as the app would once the
// event is stored.
func (e *env) removeMember(teamID, user string) {
	e.t.Helper()
	typ, sv, payload, err := team.EncodeEvent(team.MemberRemoved{UserID: user, RemovedBy: "user-mod", At: t0})
	if err != nil {
		e.t.Fatal(err)
	}
	_, err = e.store.Append(context.Background(), eventstore.Commit{
		Stream:          eventstore.StreamID{Category: team.Category, ID: teamID},
		ExpectedVersion: eventstore.Any, CommandID: fmt.Sprintf("remove-%s-%d", user, e.cmds.Add(1)), Actor: "user-mod",
		Events: []eventstore.Event{{Type: typ, SchemaVersion: sv, Payload: payload}},
	})
	if err != nil {
		e.t.Fatalf("remove %s from %s: %v", user, teamID, err)
	}
}

// closedWith reads until the server closes the WebSocket and returns the
// close status and the messages read before it.
func (c *wsClient) closedWith() (websocket.StatusCode, []msg) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), feedTimeout)
	defer cancel()
	var got []msg
	for {
		_, data, err := c.c.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				c.t.Fatalf("the connection stayed open; read %d messages", len(got))
			}
			return websocket.CloseStatus(err), got
		}
		got = append(got, parse(c.t, data))
	}
}

func TestAMemberRemovedFromTheTeamStopsReceivingWhileOthersGoOn(t *testing.T) {
	g := newGate()
	e := newEnv(t, envOptions{deps: func(d *live.Deps) { d.Authorize = g.authorize }})
	e.newRetro("r1", false, "user-alice", "user-bob", "user-carol")
	alice, bob := e.ws("r1", "user-alice", ""), e.ws("r1", "user-bob", "")
	carol, _ := e.sse("r1", "user-carol", "", nil)
	alice.until(reached(0))
	bob.until(reached(0))
	carol.until(reached(0))

	g.refuse("user-alice")
	e.removeMember("team-1", "user-alice")
	secret := e.addCard("r1", "user-bob", "c1", "said after alice left")

	status, got := alice.closedWith()
	if status != websocket.StatusPolicyViolation {
		t.Fatalf("removed member's WebSocket closed with %v, want 1008 (policy violation)", status)
	}
	if len(got) == 0 || got[len(got)-1].Type != "revoked" {
		t.Fatalf("removed member was not told the access was revoked: %v", got)
	}
	for _, m := range got {
		if (m.Type == "change" || m.Type == "snapshot") && m.Position >= secret {
			t.Fatalf("removed member received position %d, committed after the removal: %s", m.Position, m.raw)
		}
	}
	if ms := bob.until(reached(secret)); ms[len(ms)-1].Position != secret {
		t.Fatalf("the remaining member did not receive the card: %v", positions(ms))
	}
	carol.until(reached(secret))

	g.refuse("user-carol")
	e.removeMember("team-1", "user-carol")
	for {
		m, ok := carol.next()
		if !ok {
			t.Fatal("the SSE stream of a removed member ended without a revoked event")
		}
		if m.Type == "revoked" {
			break
		}
	}
	if m, ok := carol.next(); ok {
		t.Fatalf("the SSE stream went on after the revoked event: %s", m.raw)
	}
	if n := e.hub.Stats().Revoked; n != 2 {
		t.Fatalf("Stats().Revoked = %d, want 2", n)
	}
	// Bob, still a member, still receives.
	last := e.addCard("r1", "user-bob", "c2", "still here")
	bob.until(reached(last))
}

func TestRemovalFromAnotherTeamLeavesTheConnectionOpen(t *testing.T) {
	g := newGate()
	e := newEnv(t, envOptions{deps: func(d *live.Deps) { d.Authorize = g.authorize }})
	e.newRetro("r1", false, "user-alice")
	alice := e.ws("r1", "user-alice", "")
	alice.until(reached(0))
	before := g.timesAsked("user-alice")
	e.removeMember("team-other", "user-alice")
	pos := e.addCard("r1", "user-alice", "c1", "hello")
	alice.until(reached(pos))
	if n := g.timesAsked("user-alice"); n != before {
		t.Fatalf("a removal from another team asked about alice %d more times", n-before)
	}
}

func TestPeriodicReauthorisationClosesAConnectionThatLostAccess(t *testing.T) {
	g := newGate()
	e := newEnv(t, envOptions{deps: func(d *live.Deps) {
		d.Authorize = g.authorize
		d.ReauthorizeInterval = 20 * time.Millisecond
	}})
	e.newRetro("r1", false, "user-alice", "user-bob")
	alice, bob := e.ws("r1", "user-alice", ""), e.ws("r1", "user-bob", "")
	alice.until(reached(0))
	bob.until(reached(0))

	// No event tells the hub: only the periodic check can notice.
	g.refuse("user-alice")
	if status, _ := alice.closedWith(); status != websocket.StatusPolicyViolation {
		t.Fatalf("closed with %v, want 1008", status)
	}
	pos := e.addCard("r1", "user-bob", "c1", "after")
	bob.until(reached(pos))
}

// Joins are authorised on state that may be a moment behind the log
// (Deps.AuthorizeJoin: the app's followers, no store read). A user the
// hub saw removed from the team is still refused at once, before any
// snapshot, though that state admits them; everyone else joins without
// the store-reading Authorize being asked.
func TestAJoinDecidedOnAStateBehindTheLogStillRefusesAMemberJustRemoved(t *testing.T) {
	g := newGate()
	behind := newGate() // a follower that has not applied the removal: it admits alice
	e := newEnv(t, envOptions{deps: func(d *live.Deps) {
		d.Authorize = g.authorize
		d.AuthorizeJoin = behind.authorize
	}})
	e.newRetro("r1", false, "user-alice", "user-bob")
	bob := e.ws("r1", "user-bob", "")
	bob.until(reached(0))
	if n := g.timesAsked("user-bob"); n != 0 || behind.timesAsked("user-bob") != 1 {
		t.Fatalf("bob's join asked Authorize %d times and AuthorizeJoin %d, want 0 and 1", n, behind.timesAsked("user-bob"))
	}

	g.refuse("user-alice")
	e.removeMember("team-1", "user-alice")
	// The hub reads the log in order: bob receiving a later card means it
	// has seen the removal.
	pos := e.addCard("r1", "user-bob", "c1", "said after alice left")
	bob.until(reached(pos))

	alice := e.ws("r1", "user-alice", "")
	status, got := alice.closedWith()
	if status != websocket.StatusPolicyViolation {
		t.Fatalf("the removed member's join closed with %v, want 1008 (policy violation)", status)
	}
	for _, m := range got {
		if m.Type == "snapshot" || m.Type == "change" {
			t.Fatalf("the removed member received %s", m.raw)
		}
	}
	if behind.timesAsked("user-alice") != 1 || g.timesAsked("user-alice") == 0 {
		t.Fatalf("alice's join asked AuthorizeJoin %d times and Authorize %d, want 1 and at least 1",
			behind.timesAsked("user-alice"), g.timesAsked("user-alice"))
	}
}

// A retro that ends for everyone (a quick retro erased at its expiry)
// closes every connection to it at once, each told why in words it can
// show: the revoked message carries the code and detail, the WebSocket's
// close reason the same; another retro's feed goes on.
func TestARetroEndedForEveryoneClosesItsFeedsWithTheReason(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.newRetro("r1", false, "user-alice", "user-bob")
	e.newRetro("r2", false, "user-alice")
	alice, other := e.ws("r1", "user-alice", ""), e.ws("r2", "user-alice", "")
	bob, _ := e.sse("r1", "user-bob", "", nil)
	alice.until(reached(0))
	other.until(reached(0))
	bob.until(reached(0))

	e.hub.End("r1", "quick-retro-expired", "this quick retro expired and what was written in it was erased")
	ctx, cancel := context.WithTimeout(context.Background(), feedTimeout)
	defer cancel()
	var last msg
	for {
		_, data, err := alice.c.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation || !strings.HasPrefix(ce.Reason, "quick-retro-expired: this quick retro expired") {
				t.Fatalf("the WebSocket ended with %v, want close 1008 with the reason", err)
			}
			break
		}
		last = parse(t, data)
	}
	if last.Type != "revoked" || !strings.Contains(string(last.raw), `"code":"quick-retro-expired"`) || !strings.Contains(string(last.raw), `"detail":"this quick retro expired`) {
		t.Fatalf("the WebSocket's last message = %s, want revoked with the code and detail", last.raw)
	}
	for {
		m, ok := bob.next()
		if !ok {
			t.Fatal("the SSE stream ended without a revoked event")
		}
		if m.Type == "revoked" {
			if !strings.Contains(string(m.raw), `"code":"quick-retro-expired"`) {
				t.Fatalf("the SSE revoked event = %s, want the code", m.raw)
			}
			break
		}
	}
	if m, ok := bob.next(); ok {
		t.Fatalf("the SSE stream went on after the revoked event: %s", m.raw)
	}
	pos := e.addCard("r2", "user-alice", "c1", "in another retro")
	other.until(reached(pos))
}

// A connection that the periodic check finds refused with one of EndCodes
// (its quick retro expired before this node's End) is told the same as
// End tells, not merely revoked.
func TestAFeedRefusedWithAnEndCodeIsToldWhyItEnded(t *testing.T) {
	var ended atomic.Bool
	e := newEnv(t, envOptions{deps: func(d *live.Deps) {
		d.EndCodes, d.ReauthorizeInterval = []string{"quick-retro-expired"}, 50*time.Millisecond
		d.Authorize = func(ctx context.Context, p identity.Principal, id string) (retro.Viewer, error) {
			if ended.Load() {
				return retro.Viewer{}, domain.Errorf(domain.NotFound, "quick-retro-expired", "this quick retro expired")
			}
			return authorize(ctx, p, id)
		}
	}})
	e.newRetro("r1", false, "user-alice")
	alice := e.ws("r1", "user-alice", "")
	alice.until(reached(0))
	ended.Store(true)
	status, got := alice.closedWith()
	if status != websocket.StatusPolicyViolation || len(got) == 0 || !strings.Contains(string(got[len(got)-1].raw), `"code":"quick-retro-expired"`) {
		t.Fatalf("the refused feed closed with %v after %v, want 1008 after revoked with the code", status, got)
	}
}
