//go:build unix

package e2e_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app/mail/mailtest"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/projections/teamhistory"
)

// A whole retro on one node with its embedded store. The node mails
// through a loopback SMTP server: after the close each person (members and
// the guest) has the summary mail of their own view.
func TestAWholeRetroOnOneNode(t *testing.T) {
	mbox := mailtest.Start(t)
	g := playRetro(t, []*node{withMail(startNode(t, "node", mailFlags(mbox)...), mbox)}, false, nil)
	checkSummaryMails(t, mbox, g.retro, "Sprint 42", g.people...)
}

// The same retro on two nodes sharing one NATS server: half the people
// send their commands to one node and the other half to the other, every
// live feed is watched on both nodes, and each change must reach everyone
// live whichever node it was made on. The retro is anonymous and the
// redaction spy watches it: the nodes must agree on pseudonyms (one key
// store) and each must redact for the viewers it serves, the team's
// webhook and Slack bodies too (receivers on loopback, which both nodes may
// send to), every request to Jira and GitHub, and every mail both nodes
// send through one SMTP server.
func TestAWholeRetroOnTwoNodesSharingNATS(t *testing.T) {
	s := newSpy(t, true)
	s.mbox = mailtest.Start(t)
	nodes := twoNodes(t, append(s.flags(), mailFlags(s.mbox)...)...)
	for _, n := range nodes {
		withMail(n, s.mbox) // the guest joins through the link mailed to them
	}
	playRetro(t, nodes, true, s)
	s.finish()
}

// marker is a unique random string: a text that can be looked for in raw
// bytes without false hits.
func marker(kind string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return kind + "-" + hex.EncodeToString(b)
}

// game is one played retro: its people, what they wrote, and where the
// retro's facts are kept for the checks.
type game struct {
	t     *testing.T
	nodes []*node
	anon  bool
	spy   *spy // checks redaction after every step; nil when not asked

	mod, ann, bob, gus *participant
	people             []*participant

	workspace, team, earlier, retro string
	carried                         string // the action carried from the earlier retro
	pending                         uint64 // the highest position of the step so far
}

// cmd sends a command, expects status want, and remembers its position for
// the step's wait.
func (g *game) cmd(p *participant, want int, rq request) answer {
	g.t.Helper()
	a := p.must(g.t, want, rq)
	if pos := a.position(); pos > g.pending {
		g.pending = pos
	}
	return a
}

// post is a command without an idempotency key.
func (g *game) post(p *participant, path string, body any) answer {
	g.t.Helper()
	return g.cmd(p, http.StatusOK, request{method: http.MethodPost, path: path, body: body})
}

// create is a command that creates something (201), answering its ID.
func (g *game) create(p *participant, path string, body any) string {
	g.t.Helper()
	a := g.cmd(p, http.StatusCreated, request{method: http.MethodPost, path: path, body: body})
	if a.str("id") == "" {
		g.t.Fatalf("%s: POST %s answered no ID: %s", p.name, path, a.raw)
	}
	return a.str("id")
}

// other is the node p does not send commands to (p's own with one node).
func (g *game) other(p *participant) *node {
	for _, n := range g.nodes {
		if n != p.node {
			return n
		}
	}
	return p.node
}

func (g *game) r(path string) string { return "/v1/retros/" + g.retro + path }

// step ends a step: every live feed must deliver the step's last position
// (whichever node it is on), then the spy, if any, checks what reached
// everyone.
func (g *game) step(name string) {
	g.t.Helper()
	// Feeds carry the retro's commits only: a step's last command must be
	// one on the retro once feeds are open.
	for _, p := range g.people {
		for _, f := range p.feeds {
			if f.closed() {
				continue // dropped on purpose; it is resumed later
			}
			f.waitFor(g.t, g.pending)
		}
	}
	if g.spy != nil {
		g.spy.check(g, name)
	}
}

// view reads the retro as p sees it.
func (g *game) view(p *participant) retro.RetroView {
	g.t.Helper()
	var v retro.RetroView
	p.get(g.t, g.r(""), &v)
	return v
}

// liveView is the newest view p's feed carried, after the step's wait.
func (g *game) liveView(f *feed) retro.RetroView {
	g.t.Helper()
	raw := f.lastView()
	var v retro.RetroView
	if err := json.Unmarshal(raw, &v); err != nil || v.RetroID != g.retro {
		g.t.Fatalf("%s carries no view of the retro (%v): %.300s", f.label(), err, raw)
	}
	return v
}

func cardWith(v retro.RetroView, id string) (retro.CardView, bool) {
	for _, c := range v.Columns {
		for _, card := range c.Cards {
			if card.ID == id {
				return card, true
			}
		}
	}
	return retro.CardView{}, false
}

// playRetro plays the whole retro of issue 4 with a moderator, two members
// and a guest, spread over the nodes. With a spy it checks, after every
// step, what reached each of them.
func playRetro(t *testing.T, nodes []*node, anonymous bool, s *spy) *game {
	g := &game{t: t, nodes: nodes, anon: anonymous, spy: s}
	on := func(i int) *node { return nodes[i%len(nodes)] }
	g.mod, g.ann, g.bob, g.gus = newParticipant("Mo", on(0)), newParticipant("Ann", on(1)), newParticipant("Bob", on(0)), newParticipant("Gus", on(1))
	g.people = []*participant{g.mod, g.ann, g.bob, g.gus}
	if s != nil {
		s.watch(g)
	}
	for _, p := range g.people[:3] {
		p.register(t)
	}

	// A workspace and a team; the team's admin adds two members. The team
	// is created with an idempotency key and the request retried: the
	// retry answers the same team and creates no second one.
	g.workspace = g.create(g.mod, "/v1/workspaces", map[string]string{"name": "Acme"})
	teamReq := request{method: http.MethodPost, path: "/v1/workspaces/" + g.workspace + "/teams", idemKey: marker("team-cmd"),
		body: map[string]string{"name": "Platform", "templateId": "scrum-team"}}
	first := g.cmd(g.mod, http.StatusCreated, teamReq)
	again := g.cmd(g.mod, http.StatusCreated, teamReq)
	g.team = first.str("id")
	if again.str("id") != g.team || again.position() != first.position() {
		t.Fatalf("a retried team creation answered %s, the first %s: want the same team at the same position", again.raw, first.raw)
	}
	for _, p := range []*participant{g.ann, g.bob} {
		g.post(g.mod, "/v1/teams/"+g.team+"/members", map[string]string{"userId": p.id})
	}
	var ws struct {
		Teams []any `json:"teams"`
	}
	g.mod.get(t, "/v1/workspaces/"+g.workspace, &ws)
	if len(ws.Teams) != 1 {
		t.Fatalf("the workspace lists %d teams after a retried creation, want 1", len(ws.Teams))
	}
	g.step("team")

	// An earlier retro leaves an open action assigned to Ann.
	g.earlier = g.create(g.mod, "/v1/teams/"+g.team+"/retros", map[string]any{"title": "Sprint 41"})
	g.post(g.ann, "/v1/retros/"+g.earlier+"/join", nil)
	g.carried = g.create(g.mod, "/v1/retros/"+g.earlier+"/actions", map[string]string{"title": "Automate the release notes", "assignee": g.ann.id})
	g.post(g.mod, "/v1/retros/"+g.earlier+"/close", nil)
	g.step("earlier retro")

	// This retro: created with a retried idempotency key, it carries the
	// open action into its review.
	retroReq := request{method: http.MethodPost, path: "/v1/teams/" + g.team + "/retros", idemKey: marker("retro-cmd"),
		body: map[string]any{"title": "Sprint 42", "anonymous": anonymous}}
	first = g.cmd(g.mod, http.StatusCreated, retroReq)
	again = g.cmd(g.mod, http.StatusCreated, retroReq)
	g.retro = first.str("id")
	if again.str("id") != g.retro {
		t.Fatalf("a retried retro creation answered %s, the first %s", again.raw, first.raw)
	}
	v := g.view(g.mod)
	if len(v.ActionReview) != 1 || v.ActionReview[0].ID != g.carried || v.Anonymous != anonymous {
		t.Fatalf("the new retro's review: %+v (anonymous %v), want the earlier retro's open action %s", v.ActionReview, v.Anonymous, g.carried)
	}
	g.step("retro created")

	// The guest joins with the invite code and an e-mail address only.
	inv := g.cmd(g.mod, http.StatusCreated, request{method: http.MethodPost, path: g.r("/invites"), body: map[string]any{}})
	join := joinByInvite(t, g.gus, inv.str("code"))
	g.gus.id, g.gus.token = join.str("userId"), join.str("token")
	if join.str("kind") != "guest" || join.str("retroId") != g.retro || g.gus.id == "" {
		t.Fatalf("the guest's token: %s", join.raw)
	}
	for _, p := range g.people[1:] {
		g.post(p, g.r("/join"), nil)
	}
	// Everyone follows the retro live: a WebSocket on their own node and
	// Server-Sent Events on the other one (the same node when there is one).
	for _, p := range g.people {
		p.openWS(t, p.node, g.retro)
		p.openSSE(t, g.other(p), g.retro)
	}
	g.step("everyone joined")
	for _, p := range g.people {
		if lv := g.liveView(p.feeds[0]); len(lv.Participants) != 4 || !lv.You.Participant || lv.You.UserID != p.id {
			t.Fatalf("%s's live snapshot: participants %+v, you %+v", p.name, lv.Participants, lv.You)
		}
	}

	g.icebreaker()
	g.review()
	g.health()
	cards := g.cards()
	cards.group = g.group(cards)
	g.vote(cards)
	actions := g.actions(cards)
	g.roti()

	closed := g.post(g.mod, g.r("/close"), nil)
	g.step("retro closed")
	for _, p := range g.people {
		if lv := g.liveView(p.feeds[1]); !lv.Closed {
			t.Errorf("%s's live view after closing: not closed", p.name)
		}
	}

	// The team's history shows both retros, on every node (each node's
	// read model catches up with the log on its own).
	for i := range nodes {
		reader := g.people[i] // Mo on the first node, Ann on the second
		var hist struct{ Items []teamhistory.Entry }
		reader.get(t, "/v1/teams/"+g.team+"/retros?after="+itoa(closed.position()), &hist)
		if len(hist.Items) != 2 || hist.Items[0].RetroID != g.earlier || hist.Items[1].RetroID != g.retro {
			t.Fatalf("history on %s: %+v, want the earlier retro and this one", reader.node.name, hist.Items)
		}
		h := hist.Items[1]
		if h.ClosedAt == nil || h.Title != "Sprint 42" || h.Anonymous != anonymous || h.Participants != 4 || h.Cards != 8 ||
			h.Votes != 6 || h.Actions != 3 || h.RotiRatings != 4 || h.RotiAverage == nil || *h.RotiAverage != 3.5 {
			t.Errorf("history entry on %s: %+v, want closed, 4 participants, 8 cards, 6 votes, 3 actions, ROTI 3.5 from 4", reader.node.name, h)
		}
	}
	// The team's actions: the carried one done (from the review), the new
	// ones open with the members they were created for or assigned to
	// afterwards; the guest's assignment stays on the retro only.
	var acts struct{ Items []team.Action }
	g.ann.get(t, "/v1/teams/"+g.team+"/actions", &acts)
	byID := map[string]team.Action{}
	for _, a := range acts.Items {
		byID[a.ID] = a
	}
	want := map[string][2]string{
		g.carried: {string(team.StatusDone), g.ann.id}, actions[0]: {"open", g.bob.id},
		actions[1]: {"open", ""}, actions[2]: {"open", g.ann.id},
	}
	for id, w := range want {
		a, ok := byID[id]
		if !ok || string(a.Status) != w[0] || a.Assignee != w[1] {
			t.Errorf("team action %s: %+v (present %v), want status %s, assignee %q", id, a, ok, w[0], w[1])
		}
	}
	if len(acts.Items) != 4 {
		t.Errorf("the team has %d actions, want 4: %+v", len(acts.Items), acts.Items)
	}
	g.step("history read")
	return g
}

func (g *game) goTo(step string) {
	g.t.Helper()
	g.post(g.mod, g.r("/steps/"+step+"/go"), nil)
}

// icebreaker: entering the step draws a question; everyone answers.
func (g *game) icebreaker() {
	g.goTo("icebreaker")
	if v := g.view(g.ann); v.CurrentStep != "icebreaker" || v.Icebreaker == nil || v.Icebreaker.Text == "" {
		g.t.Fatalf("after entering the icebreaker step: step %q, icebreaker %+v", v.CurrentStep, v.Icebreaker)
	}
	for _, p := range g.people {
		text := marker("ice")
		id := g.create(p, g.r("/icebreaker/answers"), map[string]string{"text": text})
		g.spy.wrote(p, "", id, text, false)
	}
	g.step("icebreaker answered")
	if v := g.liveView(g.gus.feeds[0]); len(v.Icebreaker.Answers) != 4 {
		g.t.Errorf("gus's live view has %d icebreaker answers, want 4", len(v.Icebreaker.Answers))
	}
}

// review: the carried action is reviewed and commented on.
func (g *game) review() {
	g.goTo("action-review")
	g.post(g.ann, g.r("/review/"+g.carried), map[string]string{"outcome": "done"})
	text := marker("comment")
	id := g.create(g.bob, g.r("/review/"+g.carried+"/comments"), map[string]string{"text": text})
	g.spy.wrote(g.bob, "", id, text, false)
	g.step("action reviewed")
	if v := g.liveView(g.mod.feeds[0]); v.ActionReview[0].Outcome != retro.OutcomeDone || len(v.ActionReview[0].Comments) != 1 {
		g.t.Errorf("mo's live review: %+v, want done with one comment", v.ActionReview[0])
	}
}

// health: entering the step starts the team's health check; everyone
// scores three questions, and only ann and bob a fourth; the moderator
// reveals the results. The fourth shows its count only (the server's
// minimum group is 3): ann must not read bob's score off it.
func (g *game) health() {
	g.goTo("health-check")
	v := g.view(g.bob)
	if v.Health == nil || len(v.Health.Questions) < 4 {
		g.t.Fatalf("after entering the health check: %+v", v.Health)
	}
	answer := func(p *participant, q string, score int) {
		g.post(p, g.r("/health/answers"), map[string]any{"questionId": q, "score": score})
		g.spy.scored(p, q, score)
	}
	for i, p := range g.people {
		for j, q := range v.Health.Questions[:3] {
			answer(p, q.ID, 2+(i+j)%4)
		}
	}
	few := v.Health.Questions[3].ID
	answer(g.ann, few, 5)
	answer(g.bob, few, 1)
	g.step("health answered")
	g.post(g.mod, g.r("/health/reveal"), nil)
	g.step("health revealed")
	lv := g.liveView(g.ann.feeds[0])
	if r := lv.Health.Questions[0].Result; !lv.Health.Revealed || r == nil || r.Count != 4 || r.Withheld || r.Average == nil {
		g.t.Errorf("ann's live health view after the reveal: %+v", lv.Health.Questions[0])
	}
	for who, q := range map[string]retro.HealthQuestionView{
		"ann's live view": lv.Health.Questions[3],
		"bob's view":      g.view(g.bob).Health.Questions[3],
	} {
		if r := q.Result; r == nil || !r.Withheld || r.Count != 2 || r.Average != nil || r.Distribution != nil {
			g.t.Errorf("%s of a question two answered: %+v, want the count only", who, r)
		}
	}
}

// board is the cards of the retro by who wrote them where.
type board struct {
	start, stop map[*participant]string // card IDs
	texts       map[string]string       // card ID → its text now
	group       string                  // the group formed from two start cards
}

// cards: everyone writes a concealed card in "start" and in "stop"; Ann
// rewrites her draft, Gus deletes one, Bob's card is sent twice with one
// idempotency key; the moderator reveals "start", then "stop".
func (g *game) cards() board {
	t := g.t
	g.goTo("collect")
	b := board{start: map[*participant]string{}, stop: map[*participant]string{}, texts: map[string]string{}}
	// Ann starts typing: presence reaches the others, without her name in
	// an anonymous retro. Gus shares her node, so presence reaches him
	// without another node relaying it.
	g.ann.feeds[0].sendPresence(t, true)
	g.waitPresence(g.gus.feeds[0])
	for _, p := range g.people {
		for _, col := range []string{"start", "stop"} {
			text := marker("card-" + col)
			rq := request{method: http.MethodPost, path: g.r("/cards"), body: map[string]string{"columnId": col, "text": text}}
			if p == g.bob && col == "start" {
				rq.idemKey = marker("card-cmd")
			}
			a := g.cmd(p, http.StatusCreated, rq)
			id := a.str("id")
			if rq.idemKey != "" {
				retried := g.cmd(p, http.StatusCreated, rq)
				if retried.str("id") != id || retried.position() != a.position() {
					t.Fatalf("a retried card answered %s, the first %s: want the same card at the same position", retried.raw, a.raw)
				}
			}
			if col == "start" {
				b.start[p] = id
			} else {
				b.stop[p] = id
			}
			b.texts[id] = text
			g.spy.wrote(p, col, id, text, false)
		}
	}
	g.ann.feeds[0].sendPresence(t, false)
	// Ann rewrites her draft: the first text must never reach anyone else.
	// She does it through the other node, which must know her as the
	// author (in an anonymous retro: derive the same pseudonym).
	rewritten := marker("card-start")
	g.cmd(g.ann, http.StatusOK, request{method: http.MethodPatch, path: g.r("/cards/" + b.start[g.ann]), via: g.other(g.ann),
		body: map[string]string{"text": rewritten}})
	g.spy.hide(b.texts[b.start[g.ann]])
	g.spy.edited(g.ann)
	g.spy.wrote(g.ann, "start", b.start[g.ann], rewritten, false)
	b.texts[b.start[g.ann]] = rewritten
	// Gus writes a card and thinks better of it: its text never reaches anyone.
	gone := marker("card-stop")
	goneID := g.create(g.gus, g.r("/cards"), map[string]string{"columnId": "stop", "text": gone})
	g.spy.wrote(g.gus, "stop", goneID, gone, true)
	g.cmd(g.gus, http.StatusOK, request{method: http.MethodDelete, path: g.r("/cards/" + goneID)})
	g.step("cards written")

	bv := g.view(g.bob)
	if c, ok := cardWith(bv, b.start[g.bob]); !ok || c.Text != b.texts[b.start[g.bob]] || !c.Mine {
		t.Errorf("bob's own concealed card: %+v, want its text and mine", c)
	}
	n := 0
	for _, col := range bv.Columns {
		for _, c := range col.Cards {
			if c.Text == b.texts[b.start[g.bob]] {
				n++
			}
		}
	}
	if n != 1 {
		t.Errorf("bob's retried card is on the board %d times, want once", n)
	}
	if c, ok := cardWith(bv, b.start[g.ann]); !ok || c.Text != "" || !c.Concealed || c.Author != "" {
		t.Errorf("bob sees ann's concealed card as %+v, want it there without text or author", c)
	}

	g.post(g.mod, g.r("/columns/start/reveal"), nil)
	g.spy.reveal("start")
	g.step("start revealed")
	// Gus watches on the second node: the reveal made on the first reaches him live.
	gv := g.liveView(g.gus.feeds[0])
	if c, _ := cardWith(gv, b.start[g.ann]); c.Text != b.texts[b.start[g.ann]] || c.Concealed {
		t.Errorf("gus's live view after the reveal of start: ann's card %+v, want its text", c)
	}
	if c, _ := cardWith(gv, b.stop[g.ann]); c.Text != "" || !c.Concealed {
		t.Errorf("gus's live view after the reveal of start: ann's stop card %+v, want it still concealed", c)
	}
	wantAuthor := g.ann.id
	if g.anon {
		wantAuthor = ""
	}
	if c, _ := cardWith(gv, b.start[g.ann]); c.Author != wantAuthor {
		t.Errorf("gus sees the author of ann's revealed card as %q, want %q", c.Author, wantAuthor)
	}

	g.post(g.mod, g.r("/columns/stop/reveal"), nil)
	g.spy.reveal("stop")
	g.step("stop revealed")
	if c, _ := cardWith(g.liveView(g.bob.feeds[1]), b.stop[g.gus]); c.Text != b.texts[b.stop[g.gus]] {
		t.Errorf("bob's SSE view after the reveal of stop: gus's card %+v", c)
	}
	return b
}

// waitPresence waits until f reports someone typing.
func (g *game) waitPresence(f *feed) {
	g.t.Helper()
	deadline := time.After(feedWait)
	for {
		for _, m := range f.messages() {
			if m.Type == "presence" && (len(m.Typing) > 0 || m.TypingCount > 0) {
				return
			}
		}
		f.mu.Lock()
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			g.t.Fatalf("%s reported nobody typing", f.label())
		}
	}
}

// group: Ann drops Bob's start card on Mo's; Bob names the group.
func (g *game) group(b board) string {
	g.goTo("group")
	g.post(g.ann, g.r("/cards/"+b.start[g.bob]+"/merge"), map[string]string{"targetId": b.start[g.mod]})
	v := g.view(g.bob)
	if len(v.Groups) != 1 || !slices.Contains(v.Groups[0].CardIDs, b.start[g.bob]) || !slices.Contains(v.Groups[0].CardIDs, b.start[g.mod]) {
		g.t.Fatalf("groups after the merge: %+v", v.Groups)
	}
	g.cmd(g.bob, http.StatusOK, request{method: http.MethodPatch, path: g.r("/groups/" + v.Groups[0].ID), body: map[string]string{"name": "Release pain"}})
	g.step("grouped")
	return v.Groups[0].ID
}

// vote: a round with a budget of 3 and a cap of 2 per voter and topic.
func (g *game) vote(b board) {
	t := g.t
	grp := b.group
	g.goTo("vote")
	g.create(g.mod, g.r("/voting"), map[string]int{"budget": 3, "cap": 2})
	g.spy.roundOpen(true)
	g.step("voting opened")
	vote := func(p *participant, topic string) {
		g.post(p, g.r("/votes"), map[string]string{"topicId": topic})
		g.spy.voted(p, topic, +1)
	}
	refused := func(p *participant, topic, code string) {
		a := p.must(t, http.StatusConflict, request{method: http.MethodPost, path: g.r("/votes"), body: map[string]string{"topicId": topic}})
		if a.str("code") != code {
			t.Errorf("%s's refused vote: %s, want code %s", p.name, a.raw, code)
		}
	}
	// Bob's WebSocket drops while the first votes come in; he reconnects
	// on the other node with the last position he had, and must receive
	// exactly the commits he missed (as his SSE feed, which stayed up, saw
	// them): no gap, no duplicate.
	dropped := g.bob.feeds[0]
	from := dropped.position()
	dropped.close()
	vote(g.mod, grp)
	vote(g.ann, grp)
	g.step("first votes")
	resumed := g.bob.resumeWS(t, g.other(g.bob), g.retro, from)
	resumed.waitFor(t, g.pending)
	missed, got := g.bob.feeds[1].changes(from, g.pending), resumed.changes(from, g.pending)
	if len(missed) == 0 || !slices.Equal(got, missed) {
		t.Errorf("bob resumed after %d and received changes at %v; his SSE feed had %v", from, got, missed)
	}
	if msgs := resumed.messages(); len(msgs) == 0 || msgs[0].Type != "change" {
		t.Errorf("a resumed feed starts with %+v, want the missed changes first", msgs[:min(1, len(msgs))])
	}
	g.bob.feeds[0] = resumed
	// The cap is bob's own: mo and ann voting for the group does not stop
	// him giving it two votes, and only his third is refused.
	vote(g.bob, grp)
	vote(g.bob, grp)
	refused(g.bob, grp, "vote-cap-reached")
	vote(g.bob, b.stop[g.ann])
	refused(g.bob, b.start[g.gus], "vote-budget-exhausted")
	vote(g.gus, b.start[g.ann])
	g.cmd(g.gus, http.StatusOK, request{method: http.MethodDelete, path: g.r("/votes/" + b.start[g.ann])})
	g.spy.voted(g.gus, b.start[g.ann], -1)
	vote(g.gus, b.start[g.gus])
	g.step("cap and budget")
	if vv := g.view(g.bob).Voting; vv == nil || vv.YourRemaining != 0 || vv.YourVotes[grp] != 2 || vv.YourVotes[b.stop[g.ann]] != 1 || vv.Cast != 6 {
		t.Errorf("bob's voting view: %+v, want his 3 votes spent, 2 on the group, 1 on ann's card, 6 cast in all", vv)
	}
	g.post(g.mod, g.r("/voting/close"), nil)
	g.spy.roundOpen(false)
	g.step("voting closed")
	lv := g.liveView(g.gus.feeds[1])
	totals := map[string]int{}
	for _, tp := range lv.Topics {
		totals[tp.ID] = tp.Votes
	}
	want := map[string]int{grp: 4, b.stop[g.ann]: 1, b.start[g.gus]: 1}
	for id, n := range want {
		if totals[id] != n {
			t.Errorf("published votes on %s: %d, want %d (all topics: %v)", id, totals[id], n, totals)
		}
	}
}

// actions: three actions with assignees, one of them the guest.
func (g *game) actions(b board) []string {
	g.goTo("discuss")
	a1 := g.create(g.mod, g.r("/actions"), map[string]string{"title": "Split the release job", "topicId": b.group, "assignee": g.bob.id})
	a2 := g.create(g.ann, g.r("/actions"), map[string]string{"title": "Write down the on-call swap", "topicId": b.stop[g.ann], "assignee": g.gus.id})
	a3 := g.create(g.bob, g.r("/actions"), map[string]string{"title": "Ask ops for a staging slot"})
	g.post(g.bob, g.r("/actions/"+a3+"/assignee"), map[string]string{"assignee": g.ann.id})
	g.step("actions created")
	lv := g.liveView(g.ann.feeds[0])
	assignees := map[string]string{}
	for _, a := range lv.Actions {
		assignees[a.ID] = a.Assignee
	}
	if assignees[a1] != g.bob.id || assignees[a2] != g.gus.id || assignees[a3] != g.ann.id {
		g.t.Errorf("ann's live actions: %+v", lv.Actions)
	}
	return []string{a1, a2, a3}
}

// roti: everyone rates; the moderator closes the ROTI.
func (g *game) roti() {
	g.goTo("roti")
	for i, p := range g.people {
		score := 2 + i // 2, 3, 4, 5: average 3.5
		g.post(p, g.r("/roti"), map[string]int{"score": score})
		g.spy.rated(p, score)
	}
	g.step("roti rated")
	g.post(g.mod, g.r("/roti/close"), nil)
	g.step("roti closed")
	if r := g.liveView(g.bob.feeds[0]).Roti; !r.Closed || r.Result == nil || r.Result.Average == nil || *r.Result.Average != 3.5 {
		g.t.Errorf("bob's live ROTI: %+v, want closed with average 3.5", r)
	}
}

func itoa(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
