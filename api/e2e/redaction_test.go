//go:build unix

package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"mime"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/hindsight-retro/hindsight/app/mail/mailtest"
)

// The redaction test plays the whole retro and, after every step, gathers
// for each of the four people everything the server sent them by every
// route: the answers to their own commands (errors included), the retro,
// the team, its history and actions, their profile and workspace, and every
// byte of their WebSocket and SSE feeds. Card texts are random markers, so
// a concealed card is looked for in the raw bytes, whatever shape carries it.
func TestNothingConcealedReachesAnyoneByAnyRoute(t *testing.T) {
	for _, anonymous := range []bool{false, true} {
		name := "named"
		if anonymous {
			name = "anonymous"
		}
		t.Run(name, func(t *testing.T) {
			s := newSpy(t, anonymous)
			// Loopback receivers: the team's webhook and Slack bodies are
			// inspected too, every request to Jira and GitHub, and every
			// mail the node sends.
			s.mbox = mailtest.Start(t)
			playRetro(t, []*node{withMail(startNode(t, "node", append(s.flags(), mailFlags(s.mbox)...)...), s.mbox)}, anonymous, s)
			s.finish()
		})
	}
}

// content is something a person wrote: a card, an icebreaker answer or a
// comment on a carried action.
type content struct {
	author *participant
	column string // the card's column; "" for answers and comments, which are never concealed
	id     string
	text   string
	hidden bool // a rewritten draft or a deleted card: nobody else may ever see it
}

// spy knows what the retro holds and who may see what, and checks what
// reached each person against it.
type spy struct {
	t    *testing.T
	anon bool
	g    *game

	contents []*content
	revealed map[string]bool
	open     bool // a voting round is open

	votes    map[*participant]map[string]int // the most votes p had on a topic
	casts    map[*participant]map[string]int // own events p caused, by event type
	scores   map[*participant]map[string]int // health scores by question
	roti     map[*participant]int
	received map[string]map[string]int // events that reached a feed ("Ann/ws feed"), by type
	seen     map[*participant]map[string]bool
	docs     int

	// hooks receives the team's webhook and Slack messages; hook is the
	// team member who wrote nothing, as whom they are inspected.
	hooks *hookSink
	hook  *participant
	// trackers are Jira and GitHub, where every team action gets an
	// issue; what they receive is inspected as hook.
	trackers *trackerSink

	// mbox, when set, is the SMTP server the node mails through: every
	// mail delivered is inspected as its recipient (mailsRead so far).
	mbox      *mailtest.Server
	mailsRead int
}

func newSpy(t *testing.T, anonymous bool) *spy {
	return &spy{t: t, anon: anonymous, revealed: map[string]bool{},
		votes: map[*participant]map[string]int{}, casts: map[*participant]map[string]int{},
		scores: map[*participant]map[string]int{}, roti: map[*participant]int{},
		received: map[string]map[string]int{}, seen: map[*participant]map[string]bool{}, trackers: newTrackerSink(t)}
}

// flags are what a node needs to reach the spy's receivers on loopback.
func (s *spy) flags() []string {
	return append([]string{"--webhook-allow-private"}, s.trackers.flags()...)
}

func (s *spy) watch(g *game) { s.g = g }

func (s *spy) wrote(p *participant, column, id, text string, hidden bool) {
	if s == nil {
		return
	}
	s.contents = append(s.contents, &content{author: p, column: column, id: id, text: text, hidden: hidden})
}

// hide marks a text nobody else may ever see (a rewritten draft).
func (s *spy) hide(text string) {
	if s == nil {
		return
	}
	for _, c := range s.contents {
		if c.text == text {
			c.hidden = true
		}
	}
}

// edited counts a card rewritten by p: CardEdited reaches p alone.
func (s *spy) edited(p *participant) {
	if s != nil {
		s.cast(p, "CardEdited", 1)
	}
}

func (s *spy) cast(p *participant, typ string, n int) {
	if s.casts[p] == nil {
		s.casts[p] = map[string]int{}
	}
	s.casts[p][typ] += n
}

func (s *spy) reveal(col string) {
	if s != nil {
		s.revealed[col] = true
	}
}

func (s *spy) roundOpen(open bool) {
	if s != nil {
		s.open = open
	}
}

func (s *spy) voted(p *participant, topic string, delta int) {
	if s == nil {
		return
	}
	if s.votes[p] == nil {
		s.votes[p] = map[string]int{}
	}
	if delta > 0 {
		s.votes[p][topic] += delta
		s.cast(p, "VoteCast", 1)
	} else {
		s.cast(p, "VoteRetracted", 1)
	}
}

func (s *spy) scored(p *participant, question string, score int) {
	if s == nil {
		return
	}
	if s.scores[p] == nil {
		s.scores[p] = map[string]int{}
	}
	s.scores[p][question] = score
	s.cast(p, "HealthCheckAnswered", 1)
}

func (s *spy) rated(p *participant, score int) {
	if s == nil {
		return
	}
	s.roti[p] = score
	s.cast(p, "RotiRated", 1)
}

// concealedFrom reports whether c's text may not reach p now.
func (s *spy) concealedFrom(c *content, p *participant) bool {
	if c.author == p {
		return false
	}
	return c.hidden || (c.column != "" && !s.revealed[c.column])
}

// check reads every GET route that returns content as each person, then
// inspects everything that reached them during the step, and what reached
// the team's webhook and Slack channel.
func (s *spy) check(g *game, step string) {
	if s.hooks == nil {
		s.hooks, s.hook = newHookSink(s.t), &participant{name: "the team's webhook"}
		s.hooks.subscribe(g)
		s.trackers.connect(g)
	}
	s.trackers.askForIssues(g)
	defer func() {
		for _, d := range append(s.hooks.in.take(), s.trackers.take()...) {
			s.inspect(step, s.hook, d)
		}
	}()
	for _, p := range g.people {
		if p.token != "" {
			paths := []string{"/v1/me", "/v1/workspaces/" + g.workspace, "/v1/teams/" + g.team,
				"/v1/teams/" + g.team + "/retros", "/v1/teams/" + g.team + "/actions",
				// The read models and the history export (NDJSON, redacted for the caller).
				"/v1/teams/" + g.team + "/action-tracker", "/v1/me/actions", "/v1/teams/" + g.team + "/health",
				"/v1/workspaces/" + g.workspace + "/health/heatmap", "/v1/workspaces/" + g.workspace + "/dashboard",
				"/v1/teams/" + g.team + "/events"}
			for _, id := range []string{g.earlier, g.retro} {
				if id != "" {
					paths = append(paths, "/v1/retros/"+id, "/v1/retros/"+id+"/archive", "/v1/retros/"+id+"/at?time="+time.Now().UTC().Format(time.RFC3339Nano))
					// The documents of a closed retro (409 while it runs).
					for _, ext := range summaryFormats {
						paths = append(paths, "/v1/retros/"+id+"/summary."+ext)
					}
				}
			}
			paths = append(paths, "/v1/teams/"+g.team+"/actions.csv")
			for _, path := range paths {
				if a := p.do(s.t, request{method: http.MethodGet, path: path}); a.status >= 500 {
					s.t.Errorf("step %q: %s: GET %s = %d %s", step, p.name, path, a.status, a.raw)
				}
			}
		}
		for _, d := range p.in.take() {
			s.inspect(step, p, d)
		}
	}
	s.readMails(step)
}

// readMails inspects the mails delivered since the last read, each as
// its recipient: every header decoded, the plain text and the HTML (its
// entities decoded) and the raw message as it travelled.
func (s *spy) readMails(step string) {
	if s.mbox == nil {
		return
	}
	ms := s.mbox.Messages()
	for _, m := range ms[s.mailsRead:] {
		var to *participant
		for _, p := range s.g.people {
			if strings.EqualFold(m.To, p.email) {
				to = p
			}
		}
		if to == nil {
			s.t.Errorf("step %q: a mail to %s, who is none of the people", step, m.To)
			continue
		}
		var b bytes.Buffer
		dec := new(mime.WordDecoder)
		for k, vs := range m.Header {
			for _, v := range vs {
				if d, err := dec.DecodeHeader(v); err == nil {
					v = d
				}
				fmt.Fprintf(&b, "%s: %s\n", k, v)
			}
		}
		fmt.Fprintf(&b, "\n%s\n%s\n%s", m.Text, html.UnescapeString(m.HTML), m.Raw)
		s.inspect(step, to, received{from: "mail " + m.ID(), raw: b.Bytes()})
	}
	s.mailsRead = len(ms)
}

func (s *spy) failf(step string, p *participant, d received, format string, args ...any) {
	s.t.Errorf("step %q, %s, %s: %s\n\t%.600s", step, p.name, d.from, fmt.Sprintf(format, args...), d.raw)
}

// summaryFormats are the extensions of a closed retro's documents.
var summaryFormats = []string{"md", "pdf", "csv", "json"}

func (s *spy) inspect(step string, p *participant, d received) {
	s.docs++
	if strings.Contains(d.from, "/summary.pdf → 200") {
		// Its text is compressed inside the file: read it as a person would.
		d.raw = []byte(pdfText(s.t, d.raw))
	}
	if s.anon && (isDocument(d.from) || d.from == "slack message" || strings.HasPrefix(d.from, "mail ") || isTrackerRequest(d.from)) {
		s.unattributedLines(step, p, d)
	}
	if bytes.Contains(d.raw, []byte("anon:")) {
		s.failf(step, p, d, "a pseudonym left the server")
	}
	if s.seen[p] == nil {
		s.seen[p] = map[string]bool{}
	}
	for _, c := range s.contents {
		if !bytes.Contains(d.raw, []byte(c.text)) {
			continue
		}
		s.seen[p][c.text] = true
		if s.concealedFrom(c, p) {
			s.failf(step, p, d, "%s's concealed text %s reached them", c.author.name, c.text)
		}
	}
	var doc any
	if json.Unmarshal(d.raw, &doc) != nil {
		return // an SSE id: or retry: line
	}
	if s.anon {
		s.unlinked(step, p, d, doc)
	}
	if strings.HasSuffix(d.from, "feed") {
		s.feedMessage(step, p, d)
		return
	}
	if strings.HasPrefix(d.from, "GET /v1/retros/"+s.g.retro+" ") {
		s.view(step, p, d, d.raw)
	}
	if d.from == "webhook hindsight.retro.closed" {
		var ev struct {
			Data struct {
				Retro json.RawMessage `json:"retro"`
			} `json:"data"`
		}
		if err := json.Unmarshal(d.raw, &ev); err != nil || len(ev.Data.Retro) == 0 {
			s.failf(step, p, d, "a retro.closed webhook without the retro (%v)", err)
			return
		}
		s.view(step, p, d, ev.Data.Retro)
	}
	if strings.HasPrefix(d.from, "GET /v1/retros/"+s.g.retro+"/summary.json → 200") {
		var sum struct {
			Retro json.RawMessage `json:"retro"`
		}
		if err := json.Unmarshal(d.raw, &sum); err != nil || len(sum.Retro) == 0 {
			s.failf(step, p, d, "a JSON summary without its view (%v)", err)
			return
		}
		s.view(step, p, d, sum.Retro)
	}
}

// isDocument reports whether an answer is a document: a summary or a CSV.
func isDocument(from string) bool {
	return strings.Contains(from, "/summary.") || strings.Contains(from, ".csv ")
}

// unattributedLines checks, in an anonymous retro, that no line of a
// document (Markdown, PDF text, CSV row) that holds someone's writing
// also names a person: by user ID, by the short form documents use, or by
// their name as a word.
func (s *spy) unattributedLines(step string, p *participant, d received) {
	var traces []string
	for _, who := range s.g.people {
		if who.id != "" {
			traces = append(traces, who.id, "user "+strings.SplitN(who.id, "-", 2)[0])
		}
	}
	for _, line := range strings.Split(string(d.raw), "\n") {
		holds := false
		for _, c := range s.contents {
			if strings.Contains(line, c.text) {
				holds = true
			}
		}
		if !holds {
			continue
		}
		for _, tr := range traces {
			if strings.Contains(line, tr) {
				s.failf(step, p, d, "a line of anonymous writing names someone (%q): %q", tr, line)
			}
		}
		for _, w := range strings.FieldsFunc(line, func(r rune) bool { return !unicode.IsLetter(r) }) {
			for _, who := range s.g.people {
				if w == who.name {
					s.failf(step, p, d, "a line of anonymous writing names %s: %q", who.name, line)
				}
			}
		}
	}
}

// userIDs are the four people's IDs (those known so far).
func (s *spy) userIDs() map[string]*participant {
	out := map[string]*participant{}
	for _, p := range s.g.people {
		if p.id != "" {
			out[p.id] = p
		}
	}
	return out
}

// unlinked checks, in an anonymous retro, that no JSON object holding
// someone's writing (its text, or its ID as id/cardId) also holds a
// person's user ID: a card, an answer or a comment is never tied to anyone.
func (s *spy) unlinked(step string, p *participant, d received, doc any) {
	texts, ids := map[string]bool{}, map[string]bool{}
	for _, c := range s.contents {
		texts[c.text], ids[c.id] = true, true
	}
	users := s.userIDs()
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			holds := false
			for k, x := range v {
				if str, ok := x.(string); ok && (texts[str] || ((k == "id" || k == "cardId") && ids[str])) {
					holds = true
				}
			}
			if holds {
				for k, x := range v {
					if str, ok := x.(string); ok && users[str] != nil {
						s.failf(step, p, d, "anonymous writing sits next to %s's user ID (field %q)", users[str].name, k)
					}
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
}

// authored are the events about what someone wrote or chose: in an
// anonymous retro they name nobody.
var authored = []string{"CardAdded", "CardEdited", "CardDeleted", "IcebreakerAnswered", "CarriedActionCommented",
	"VoteCast", "VoteRetracted", "HealthCheckAnswered", "RotiRated"}

// private are the events that belong to one person: only they may receive them.
var private = []string{"VoteCast", "VoteRetracted", "HealthCheckAnswered", "RotiRated", "CardEdited"}

func (s *spy) feedMessage(step string, p *participant, d received) {
	var m message
	if err := json.Unmarshal(d.raw, &m); err != nil {
		s.failf(step, p, d, "not a feed message: %v", err)
		return
	}
	key := p.name + "/" + d.from
	if s.received[key] == nil {
		s.received[key] = map[string]int{}
	}
	users := s.userIDs()
	for _, e := range m.Events {
		s.received[key][e.Type]++
		for _, typ := range private {
			if e.Type == typ && s.received[key][typ] > s.casts[p][typ] {
				s.failf(step, p, d, "%d %s events reached them, they caused %d: someone else's", s.received[key][typ], typ, s.casts[p][typ])
			}
		}
		if s.anon && slices.Contains(authored, e.Type) {
			for id, who := range users {
				if bytes.Contains(e.Data, []byte(id)) {
					s.failf(step, p, d, "a %s event of an anonymous retro names %s", e.Type, who.name)
				}
			}
		}
	}
	if s.anon && m.Type == "presence" && len(m.Typing) > 0 {
		s.failf(step, p, d, "presence in an anonymous retro names who is typing")
	}
	if len(m.View) > 0 {
		s.view(step, p, d, m.View)
	}
}

// retroView is the part of a view the checks read.
type retroView struct {
	Columns []struct {
		Cards []struct {
			ID    string `json:"id"`
			Votes int    `json:"votes"`
		} `json:"cards"`
	} `json:"columns"`
	Groups []struct {
		ID    string `json:"id"`
		Votes int    `json:"votes"`
	} `json:"groups"`
	Topics []struct {
		ID    string `json:"id"`
		Votes int    `json:"votes"`
	} `json:"topics"`
	Voting *struct {
		Open      bool           `json:"open"`
		YourVotes map[string]int `json:"yourVotes"`
	} `json:"voting"`
	Health *struct {
		Revealed  bool `json:"revealed"`
		Questions []struct {
			ID        string          `json:"id"`
			YourScore *int            `json:"yourScore"`
			Result    json.RawMessage `json:"result"`
		} `json:"questions"`
	} `json:"health"`
	Roti struct {
		YourScore *int `json:"yourScore"`
	} `json:"roti"`
}

// view checks a view of the retro for p: while the round is open no
// topic shows votes and p's own votes are only theirs; health and ROTI
// show p's own answers only, and health results only once revealed.
func (s *spy) view(step string, p *participant, d received, raw json.RawMessage) {
	var v retroView
	if err := json.Unmarshal(raw, &v); err != nil {
		s.failf(step, p, d, "a view that does not decode: %v", err)
		return
	}
	if v.Voting != nil && v.Voting.Open {
		for _, c := range v.Columns {
			for _, card := range c.Cards {
				if card.Votes != 0 {
					s.failf(step, p, d, "card %s shows %d votes while the round is open", card.ID, card.Votes)
				}
			}
		}
		for _, gr := range v.Groups {
			if gr.Votes != 0 {
				s.failf(step, p, d, "group %s shows %d votes while the round is open", gr.ID, gr.Votes)
			}
		}
		for _, tp := range v.Topics {
			if tp.Votes != 0 {
				s.failf(step, p, d, "topic %s shows %d votes while the round is open", tp.ID, tp.Votes)
			}
		}
		for topic, n := range v.Voting.YourVotes {
			if n > s.votes[p][topic] {
				s.failf(step, p, d, "their own votes on %s: %d, they cast %d", topic, n, s.votes[p][topic])
			}
		}
	}
	if v.Health != nil {
		for _, q := range v.Health.Questions {
			if q.YourScore != nil {
				if own, ok := s.scores[p][q.ID]; !ok || own != *q.YourScore {
					s.failf(step, p, d, "their score on %s shows as %d, they gave %d (%v)", q.ID, *q.YourScore, own, ok)
				}
			}
			if !v.Health.Revealed && len(q.Result) > 0 && string(q.Result) != "null" {
				s.failf(step, p, d, "health results of %s before the reveal", q.ID)
			}
		}
	}
	if r := v.Roti.YourScore; r != nil {
		if own, ok := s.roti[p]; !ok || own != *r {
			s.failf(step, p, d, "their ROTI shows as %d, they gave %d (%v)", *r, own, ok)
		}
	}
}

// finish checks that the spy saw what it should have: everyone's own
// writing reached them, everything revealed reached everyone, and their
// own private events reached their own feeds. Without this, a spy that
// received nothing would pass.
func (s *spy) finish() {
	// The webhook and Slack were told of the close, and told everything a
	// member who wrote nothing may see of it.
	s.hooks.waitClosed(s.t, s.g.retro, "Sprint 42")
	for _, d := range s.hooks.in.take() {
		s.inspect("after the close", s.hook, d)
	}
	for _, c := range s.contents {
		if c.column != "" && !s.concealedFrom(c, s.hook) && !s.seen[s.hook][c.text] {
			s.t.Errorf("the team's webhook never received %s's revealed card %s", c.author.name, c.text)
		}
	}
	// Jira and GitHub made every action's issue, and the spy read what they were sent.
	s.trackers.waitMade(s.t)
	for _, d := range s.trackers.take() {
		s.inspect("after the close", s.hook, d)
	}
	s.trackers.checkTold(s.t)
	// Everyone was mailed the summary of the closed retro, and read.
	if s.mbox != nil {
		s.mbox.Wait(s.t, "everyone's summary", func(ms []mailtest.Message) bool {
			for _, p := range s.g.people {
				if len(summaries(mailtest.To(ms, p.email), "Sprint 42")) == 0 {
					return false
				}
			}
			return true
		})
		s.readMails("after the close")
		// Nodes sharing a log may each send a mail once (at least once),
		// always under the one Message-ID of its cause and recipient.
		for _, p := range s.g.people {
			ids := map[string]bool{}
			for _, m := range summaries(mailtest.To(s.mbox.Messages(), p.email), "Sprint 42") {
				ids[m.ID()] = true
			}
			if len(ids) != 1 {
				s.t.Errorf("%s got summary mails under %d Message-IDs, want 1", p.name, len(ids))
			}
		}
	}
	for _, p := range s.g.people {
		for _, c := range s.contents {
			if !s.concealedFrom(c, p) && !s.seen[p][c.text] {
				s.t.Errorf("%s never received %s's %s (column %q), which they may see", p.name, c.author.name, c.text, c.column)
			}
		}
		for _, f := range p.feeds {
			key := p.name + "/" + f.kind + " feed"
			for _, typ := range []string{"VoteCast", "HealthCheckAnswered", "RotiRated"} {
				if s.received[key][typ] != s.casts[p][typ] {
					s.t.Errorf("%s: %d of their own %s events reached them, they caused %d", key, s.received[key][typ], typ, s.casts[p][typ])
				}
			}
		}
	}
	s.t.Logf("inspected %d answers and feed messages", s.docs)
}

// pdfText is a PDF's text as poppler's pdftotext reads it (Debian's
// poppler-utils; .ci/run installs it).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "summary.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}
