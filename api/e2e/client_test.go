//go:build unix

package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// feedWait bounds how long a participant waits for a change on a live feed.
const feedWait = 20 * time.Second

// received is one thing that reached a participant: an HTTP answer or a
// live-feed message, with where it came from.
type received struct {
	from string
	raw  []byte
}

// inbox is everything that reached one participant since the last check.
type inbox struct {
	mu   sync.Mutex
	docs []received
}

func (in *inbox) add(from string, raw []byte) {
	in.mu.Lock()
	in.docs = append(in.docs, received{from: from, raw: bytes.Clone(raw)})
	in.mu.Unlock()
}

// take returns what arrived since the last take.
func (in *inbox) take() []received {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := in.docs
	in.docs = nil
	return out
}

// participant is one person at the retro: their account, the node they
// talk to, their live feeds, and everything the server sent them.
type participant struct {
	name, email string
	id, token   string
	node        *node
	client      *http.Client
	in          inbox
	feeds       []*feed
}

func newParticipant(name string, n *node) *participant {
	return &participant{name: name, email: strings.ToLower(name) + "@example.test", node: n,
		client: &http.Client{Timeout: 30 * time.Second}}
}

// answer is an HTTP response as the participant received it.
type answer struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (a answer) str(key string) string { s, _ := a.body[key].(string); return s }

// position is the global position a command answered, 0 if none.
func (a answer) position() uint64 {
	f, _ := a.body["position"].(float64)
	return uint64(f)
}

// request is one HTTP call.
type request struct {
	method, path string
	body         any    // JSON-encoded unless nil
	idemKey      string // Idempotency-Key, if set
	anonymous    bool   // no Authorization header
	via          *node  // another node than the participant's own
}

// do sends the request to the participant's node and records the answer.
func (p *participant) do(t *testing.T, rq request) answer {
	t.Helper()
	var body io.Reader
	if rq.body != nil {
		b, err := json.Marshal(rq.body)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	n := p.node
	if rq.via != nil {
		n = rq.via
	}
	r, err := http.NewRequest(rq.method, n.base+rq.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if rq.body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if p.token != "" && !rq.anonymous {
		r.Header.Set("Authorization", "Bearer "+p.token)
	}
	if rq.idemKey != "" {
		r.Header.Set("Idempotency-Key", rq.idemKey)
	}
	res, err := p.client.Do(r)
	if err != nil {
		t.Fatalf("%s: %s %s: %v", p.name, rq.method, rq.path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s: %s %s: read the answer: %v", p.name, rq.method, rq.path, err)
	}
	p.in.add(fmt.Sprintf("%s %s → %d", rq.method, rq.path, res.StatusCode), raw)
	a := answer{status: res.StatusCode, header: res.Header, raw: raw}
	_ = json.Unmarshal(raw, &a.body)
	return a
}

// must sends the request and fails the test unless the answer has status want.
func (p *participant) must(t *testing.T, want int, rq request) answer {
	t.Helper()
	a := p.do(t, rq)
	if a.status != want {
		t.Fatalf("%s: %s %s = %d %s, want %d", p.name, rq.method, rq.path, a.status, a.raw, want)
	}
	return a
}

// get reads a resource into v.
func (p *participant) get(t *testing.T, path string, v any) {
	t.Helper()
	a := p.must(t, http.StatusOK, request{method: http.MethodGet, path: path})
	if err := json.Unmarshal(a.raw, v); err != nil {
		t.Fatalf("%s: GET %s: %v in %s", p.name, path, err, a.raw)
	}
}

// register creates the participant's account and logs them in.
func (p *participant) register(t *testing.T) {
	t.Helper()
	reg := p.must(t, http.StatusAccepted, request{method: http.MethodPost, path: "/v1/accounts", anonymous: true,
		body: map[string]string{"email": p.email, "password": "correct horse battery staple", "name": p.name}})
	login := p.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/sessions", anonymous: true,
		body: map[string]string{"email": p.email, "password": "correct horse battery staple"}})
	p.id, p.token = login.str("userId"), login.str("token")
	if p.id == "" || p.token == "" {
		t.Fatalf("%s: registration %s, then login %s", p.name, reg.raw, login.raw)
	}
}

// message is a live-feed message, decoded enough to follow the feed.
type message struct {
	Type     string          `json:"type"`
	Position uint64          `json:"position"`
	View     json.RawMessage `json:"view"`
	Events   []struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	} `json:"events"`
	Here        []string `json:"here"`
	Typing      []string `json:"typing"`
	TypingCount int      `json:"typingCount"`
	// Code and Detail say why a revoked feed ended, when it ended for
	// everyone (a quick retro's expiry).
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

// feed is one live connection of a participant, WebSocket or SSE, possibly
// on another node than the participant's commands.
type feed struct {
	owner *participant
	kind  string // "ws" or "sse"
	node  *node
	ws    *websocket.Conn

	// close ends a WebSocket feed from the client's side (idempotent).
	close     func()
	closeOnce sync.Once

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every message
	pos     uint64        // highest position received
	msgs    []message     // every message, in order
	err     error         // why the feed ended
	dropped bool          // closed by the client
}

// closed reports whether the client closed the feed.
func (f *feed) closed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dropped
}

func (f *feed) label() string { return f.owner.name + "'s " + f.kind + " feed on " + f.node.name }

// record keeps a message and wakes whoever waits for one.
func (f *feed) record(raw []byte) {
	f.owner.in.add(f.kind+" feed", raw)
	var m message
	err := json.Unmarshal(raw, &m)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.err = fmt.Errorf("a message is not JSON: %s", raw)
	} else {
		f.msgs = append(f.msgs, m)
		if m.Position > f.pos {
			f.pos = m.Position
		}
	}
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *feed) end(err error) {
	f.mu.Lock()
	if f.err == nil {
		f.err = err
	}
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
}

// waitFor waits until the feed has delivered position pos.
func (f *feed) waitFor(t *testing.T, pos uint64) {
	t.Helper()
	deadline := time.After(feedWait)
	for {
		f.mu.Lock()
		got, err, ch := f.pos, f.err, f.changed
		f.mu.Unlock()
		if got >= pos {
			return
		}
		if err != nil {
			t.Fatalf("%s ended at position %d, waiting for %d: %v", f.label(), got, pos, err)
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("%s did not deliver position %d (it is at %d)", f.label(), pos, got)
		}
	}
}

// position is the highest position the feed delivered.
func (f *feed) position() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pos
}

// changes are the positions of the changes the feed delivered in (from, to].
func (f *feed) changes(from, to uint64) []uint64 {
	var out []uint64
	for _, m := range f.messages() {
		if m.Type == "change" && m.Position > from && m.Position <= to {
			out = append(out, m.Position)
		}
	}
	return out
}

// messages is a copy of what the feed received so far.
func (f *feed) messages() []message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]message(nil), f.msgs...)
}

// lastView is the newest view the feed carried.
func (f *feed) lastView() json.RawMessage {
	msgs := f.messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if len(msgs[i].View) > 0 {
			return msgs[i].View
		}
	}
	return nil
}

// openWS follows the retro over a WebSocket on node n, the token in the
// query as a browser must send it.
func (p *participant) openWS(t *testing.T, n *node, retroID string) *feed {
	t.Helper()
	f := p.dialWS(t, n, retroID, "")
	p.feeds = append(p.feeds, f)
	return f
}

// resumeWS reconnects a WebSocket on node n after position after, as a
// client that lost its connection does.
func (p *participant) resumeWS(t *testing.T, n *node, retroID string, after uint64) *feed {
	t.Helper()
	return p.dialWS(t, n, retroID, fmt.Sprintf("&after=%d", after))
}

func (p *participant) dialWS(t *testing.T, n *node, retroID, query string) *feed {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	url := "ws" + strings.TrimPrefix(n.base, "http") + "/v1/retros/" + retroID + "/live?token=" + p.token + query
	dialCtx, cancelDial := context.WithTimeout(ctx, feedWait)
	defer cancelDial()
	ws, res, err := websocket.Dial(dialCtx, url, nil)
	if err != nil {
		cancel()
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("%s: open the live WebSocket on %s: %v (status %d)", p.name, n.name, err, status)
	}
	ws.SetReadLimit(4 << 20)
	f := &feed{owner: p, kind: "ws", node: n, ws: ws, changed: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			_, data, err := ws.Read(ctx)
			if err != nil {
				f.end(err)
				return
			}
			f.record(data)
		}
	}()
	f.close = func() {
		f.closeOnce.Do(func() {
			f.mu.Lock()
			f.dropped = true
			f.mu.Unlock()
			cancel()
			_ = ws.CloseNow()
			<-done
		})
	}
	t.Cleanup(f.close)
	return f
}

// openSSE follows the retro as Server-Sent Events on node n.
func (p *participant) openSSE(t *testing.T, n *node, retroID string) *feed {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, n.base+"/v1/retros/"+retroID+"/live", nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	r.Header.Set("Accept", "text/event-stream")
	r.Header.Set("Authorization", "Bearer "+p.token)
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		cancel()
		t.Fatalf("%s: open the live SSE stream on %s: %v", p.name, n.name, err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		cancel()
		t.Fatalf("%s: live SSE on %s = %d %s %s", p.name, n.name, res.StatusCode, res.Header.Get("Content-Type"), raw)
	}
	f := &feed{owner: p, kind: "sse", node: n, changed: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64*1024), 4<<20)
		for sc.Scan() {
			line := sc.Bytes()
			if data, ok := bytes.CutPrefix(line, []byte("data: ")); ok {
				f.record(data)
			} else if len(line) > 0 && line[0] != ':' {
				// id: and retry: lines reach the client too.
				f.owner.in.add("sse feed", line)
			}
		}
		f.end(fmt.Errorf("the stream ended: %v", sc.Err()))
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	p.feeds = append(p.feeds, f)
	return f
}

// sendPresence tells the participant's WebSocket feed that they type (or not).
func (f *feed) sendPresence(t *testing.T, typing bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), feedWait)
	defer cancel()
	b, _ := json.Marshal(map[string]any{"type": "presence", "typing": typing})
	if err := f.ws.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatalf("%s: send presence: %v", f.label(), err)
	}
}
