package live_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/hindsight-retro/hindsight/api/live"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

var (
	t0      = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	anonKey = []byte("anonymity-key-of-the-tests")
	columns = []catalog.Column{{ID: "keep", Title: "Keep"}, {ID: "stop", Title: "Stop"}}
)

func actor(u string) domain.Actor {
	return domain.Actor{UserID: u, Pseudonym: domain.Pseudonym(anonKey, u)}
}

// errDenied is the fake authoriser's refusal, a forbidden one as the app's:
// users named intruder-* may not watch any retro.
var errDenied = fmt.Errorf("not a participant: %w", domain.ErrForbidden)

func authorize(_ context.Context, p identity.Principal, _ string) (retro.Viewer, error) {
	if p.UserID == "" || strings.HasPrefix(p.UserID, "intruder") {
		return retro.Viewer{}, errDenied
	}
	a := actor(p.UserID)
	return retro.Viewer{UserID: a.UserID, Pseudonym: a.Pseudonym}, nil
}

// env is a hub behind a real HTTP server on loopback, writing through the
// real aggregate runner.
type env struct {
	t      testing.TB
	store  eventstore.Store
	hub    *live.Hub
	srv    *httptest.Server
	runner *aggregate.Runner[retro.State, retro.Command, retro.Event]
	cmds   atomic.Int64
	// close drains the hub and stops everything; it runs at cleanup, or
	// earlier when a benchmark step is done.
	close func()
}

type envOptions struct {
	store eventstore.Store
	deps  func(*live.Deps)
	// serverWriteBuffer, when set, shrinks the kernel send buffer of the
	// server's sockets, so that a client that stops reading stalls the
	// writer quickly.
	serverWriteBuffer int
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	ownStore := o.store == nil
	if ownStore {
		o.store = memstore.New(nil)
	}
	d := live.Deps{Store: o.store, Authorize: authorize}
	if o.deps != nil {
		o.deps(&d)
	}
	h := live.NewHub(d)
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- h.Run(ctx) }()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/retros/{id}/live", func(w http.ResponseWriter, r *http.Request) {
		p := identity.Principal{UserID: r.Header.Get("X-Test-User")}
		if r.Header.Get("Accept") == "text/event-stream" {
			h.ServeSSE(w, r, p, r.PathValue("id"))
			return
		}
		h.ServeWS(w, r, p, r.PathValue("id"))
	})
	srv := httptest.NewUnstartedServer(mux)
	if o.serverWriteBuffer > 0 {
		srv.Listener = smallBuffers{Listener: srv.Listener, size: o.serverWriteBuffer}
	}
	srv.Start()
	e := &env{t: t, store: o.store, hub: h, srv: srv, runner: &aggregate.Runner[retro.State, retro.Command, retro.Event]{
		Store: o.store, Category: retro.Category, Initial: retro.Initial, Decide: retro.Decide, Evolve: retro.Evolve,
		Codec: aggregate.CodecFuncs(retro.EncodeEvent, retro.DecodeEvent), Cache: aggregate.NewCache[retro.State](0),
		MaxRetries: 100, // concurrent writers of one retro in the tests conflict often
	}}
	var once sync.Once
	e.close = func() {
		once.Do(func() {
			dctx, dcancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer dcancel()
			if err := h.Drain(dctx); err != nil {
				t.Errorf("drain: %v", err)
			}
			cancel()
			if err := <-runErr; err != nil {
				t.Errorf("run: %v", err)
			}
			srv.Close()
			if ownStore { // a store passed in may be shared; its test closes it
				_ = o.store.Close()
			}
		})
	}
	t.Cleanup(e.close)
	return e
}

type smallBuffers struct {
	net.Listener
	size int
}

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(l.size)
	}
	return c, err
}

// do runs a retro command as the actor and returns its commit's position.
func (e *env) do(retroID string, a domain.Actor, cmd retro.Command) uint64 {
	e.t.Helper()
	res, err := e.runner.Handle(context.Background(), retroID, aggregate.Meta{
		CommandID: fmt.Sprintf("cmd-%d", e.cmds.Add(1)), Actor: a.UserID,
	}, cmd)
	if err != nil {
		e.t.Fatalf("command %T on %s: %v", cmd, retroID, err)
	}
	return res.Position
}

// newRetro creates a retro moderated by user-mod and joined by members.
func (e *env) newRetro(id string, anonymous bool, members ...string) uint64 {
	e.t.Helper()
	pos := e.do(id, actor("user-mod"), retro.CreateRetro{Actor: actor("user-mod"), At: t0, RetroID: id, TeamID: "team-1",
		Title: "Sprint " + id, TemplateID: "ks", Columns: columns, Anonymous: anonymous})
	for _, m := range members {
		pos = e.do(id, actor(m), retro.JoinRetro{Actor: actor(m), At: t0, Role: retro.RoleMember})
	}
	return pos
}

func (e *env) addCard(retroID, user, cardID, text string) uint64 {
	e.t.Helper()
	return e.do(retroID, actor(user), retro.AddCard{Actor: actor(user), At: t0, CardID: cardID, ColumnID: "keep", Text: text})
}

// msg is any message of the feed, read loosely.
type msg struct {
	Type     string `json:"type"`
	Position uint64 `json:"position"`
	After    uint64 `json:"after"`
	Events   []struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	} `json:"events"`
	View        *retro.RetroView `json:"view"`
	Here        []string         `json:"here"`
	Typing      []string         `json:"typing"`
	TypingCount int              `json:"typingCount"`
	Done        []string         `json:"done"`

	raw []byte
	id  string // SSE event ID
}

func parse(t testing.TB, raw []byte) msg {
	t.Helper()
	var m msg
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("message %s: %v", raw, err)
	}
	m.raw = raw
	return m
}

// feedTimeout bounds every wait on the feed; it catches a hang, it is not
// a speed requirement.
const feedTimeout = 20 * time.Second

// wsClient is a real WebSocket client of the feed.
type wsClient struct {
	t  testing.TB
	c  *websocket.Conn
	ok bool
}

func (e *env) url(retroID, query string) string {
	u := e.srv.URL + "/v1/retros/" + retroID + "/live"
	if query != "" {
		u += "?" + query
	}
	return u
}

func (e *env) dialWS(retroID, user, query string, opts *websocket.DialOptions) (*wsClient, *http.Response, error) {
	if opts == nil {
		opts = &websocket.DialOptions{}
	}
	if opts.HTTPHeader == nil {
		opts.HTTPHeader = http.Header{}
	}
	opts.HTTPHeader.Set("X-Test-User", user)
	ctx, cancel := context.WithTimeout(context.Background(), feedTimeout)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.url(retroID, query), "http"), opts)
	if err != nil {
		return nil, resp, err
	}
	c.SetReadLimit(16 << 20)
	e.t.Cleanup(func() { _ = c.CloseNow() })
	return &wsClient{t: e.t, c: c}, resp, nil
}

func (e *env) ws(retroID, user, query string) *wsClient {
	e.t.Helper()
	c, _, err := e.dialWS(retroID, user, query, nil)
	if err != nil {
		e.t.Fatalf("dial as %s: %v", user, err)
	}
	return c
}

func (c *wsClient) next() msg {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), feedTimeout)
	defer cancel()
	_, data, err := c.c.Read(ctx)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return parse(c.t, data)
}

// until reads messages up to and including the first for which stop holds.
func (c *wsClient) until(stop func(msg) bool) []msg {
	c.t.Helper()
	var out []msg
	for {
		m := c.next()
		out = append(out, m)
		if stop(m) {
			return out
		}
	}
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(context.Background(), feedTimeout)
	defer cancel()
	if err := c.c.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// reached stops at the first snapshot or change at or past pos.
func reached(pos uint64) func(msg) bool {
	return func(m msg) bool { return (m.Type == "change" || m.Type == "snapshot") && m.Position >= pos }
}

// sseClient reads an event stream.
type sseClient struct {
	t    testing.TB
	resp *http.Response
	r    *bufio.Reader
}

func (e *env) sse(retroID, user, query string, header http.Header) (*sseClient, *http.Response) {
	e.t.Helper()
	return e.sseVia(e.srv.Client(), retroID, user, query, header)
}

func (e *env) sseVia(client *http.Client, retroID, user, query string, header http.Header) (*sseClient, *http.Response) {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.url(retroID, query), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("X-Test-User", user)
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatalf("sse as %s: %v", user, err)
	}
	e.t.Cleanup(func() { _ = resp.Body.Close() })
	return &sseClient{t: e.t, resp: resp, r: bufio.NewReader(resp.Body)}, resp
}

// next reads one event with data; comments and retry lines are skipped. It
// returns false at the end of the stream.
func (c *sseClient) next() (msg, bool) {
	c.t.Helper()
	var id string
	var data []byte
	for {
		line, err := c.r.ReadBytes('\n')
		if err != nil {
			return msg{}, false
		}
		line = bytes.TrimRight(line, "\n")
		switch {
		case len(line) == 0:
			if data != nil {
				m := parse(c.t, data)
				m.id = id
				return m, true
			}
		case bytes.HasPrefix(line, []byte("id: ")):
			id = string(line[4:])
		case bytes.HasPrefix(line, []byte("data: ")):
			data = append([]byte(nil), line[6:]...)
		}
	}
}

func (c *sseClient) until(stop func(msg) bool) []msg {
	c.t.Helper()
	var out []msg
	for {
		m, ok := c.next()
		if !ok {
			c.t.Fatalf("event stream ended after %d messages", len(out))
		}
		out = append(out, m)
		if stop(m) {
			return out
		}
	}
}

// positions lists the positions of the change messages.
func positions(ms []msg) []uint64 {
	var out []uint64
	for _, m := range ms {
		if m.Type == "change" {
			out = append(out, m.Position)
		}
	}
	return out
}

// commitPositions reads the positions of a retro's commits from the store.
func (e *env) commitPositions(retroID string, after uint64) []uint64 {
	e.t.Helper()
	recs, err := e.store.Load(context.Background(), eventstore.StreamID{Category: retro.Category, ID: retroID}, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []uint64
	for _, r := range recs {
		if r.Position > after && r.LastInCommit() {
			out = append(out, r.Position)
		}
	}
	return out
}

// tinyClient is an HTTP client whose sockets have small receive buffers, so
// that a client that stops reading stalls the server's writer after a few
// messages rather than after megabytes.
//
// The buffer is set before the connection is made. Shrunk afterwards, it
// is smaller than the window the socket has already offered, so the kernel
// drops what the server sends beyond it, and the server's retransmissions
// back off exponentially: after a stall of some seconds the client, reading
// again, waited that long again for the next byte (and under load past the
// tests' deadline). Set before, the window offered is what fits, the
// server stops at a zero window, and a read opens it at once.
func tinyClient() *http.Client {
	d := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		if cerr := rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		}); cerr != nil {
			return cerr
		}
		return err
	}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}
