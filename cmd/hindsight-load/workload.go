package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"
)

// column is the column the cards go to; it is revealed before the load, so
// every card is visible to everyone at once.
const column = "start"

// cardText is a 64-byte card text carrying the card's number, so that any
// feed message holding the text names the card.
func cardText(n int) string {
	s := fmt.Sprintf("%s%08d ", marker, n)
	return s + strings.Repeat("x", 64-len(s))
}

const marker = "LOADCARD"

// client talks to one server over HTTP.
type client struct {
	base string
	http *http.Client
}

func newClient(base string) *client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 512, 512
	return &client{base: base, http: &http.Client{Transport: tr, Timeout: time.Minute}}
}

// call sends a JSON request of the setup; it fails on any status but
// want. A busy server's 503 or 429, or a lost connection, is retried with
// the same Idempotency-Key, so the command acts once.
func (c *client) call(ctx context.Context, method, path, token string, body any, want int) (map[string]any, error) {
	key := uuid.NewString()
	var status int
	var out []byte
	var err error
	for attempt, wait := 0, time.Second; ; attempt, wait = attempt+1, wait*2 {
		status, out, err = c.sendKey(ctx, method, path, token, key, body)
		retry := err != nil || status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests
		if !retry || attempt == 5 || ctx.Err() != nil {
			break
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
	if err != nil {
		return nil, err
	}
	if status != want {
		return nil, fmt.Errorf("%s %s: %d, want %d: %s", method, path, status, want, out)
	}
	var m map[string]any
	if len(out) > 0 {
		if err := json.Unmarshal(out, &m); err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return m, nil
}

func (c *client) send(ctx context.Context, method, path, token string, body any) (int, []byte, error) {
	return c.sendKey(ctx, method, path, token, "", body)
}

func (c *client) sendKey(ctx context.Context, method, path, token, key string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, out, err
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

// retro is one retro of the workload: its moderator (participant 0, who
// posts the cards) and every participant's token.
type retro struct {
	id     string
	tokens []string
}

// setup creates a retro with participants people (the moderator, who has
// an account, and guests joined by invite), reveals the cards' column and
// returns it.
func setup(ctx context.Context, c *client, i, participants int) (retro, error) {
	email := fmt.Sprintf("mod%d@load.example", i)
	const pw = "load generator password"
	if _, err := c.call(ctx, "POST", "/v1/accounts", "", map[string]string{"email": email, "password": pw, "name": fmt.Sprintf("Mod %d", i)}, http.StatusAccepted); err != nil {
		return retro{}, err
	}
	s, err := c.call(ctx, "POST", "/v1/sessions", "", map[string]string{"email": email, "password": pw}, http.StatusCreated)
	if err != nil {
		return retro{}, err
	}
	mod := str(s, "token")
	ws, err := c.call(ctx, "POST", "/v1/workspaces", mod, map[string]string{"name": fmt.Sprintf("Load %d", i)}, http.StatusCreated)
	if err != nil {
		return retro{}, err
	}
	team, err := c.call(ctx, "POST", "/v1/workspaces/"+str(ws, "id")+"/teams", mod, map[string]string{"name": "Team", "templateId": "scrum-team"}, http.StatusCreated)
	if err != nil {
		return retro{}, err
	}
	rt, err := c.call(ctx, "POST", "/v1/teams/"+str(team, "id")+"/retros", mod, map[string]string{"title": "Load"}, http.StatusCreated)
	if err != nil {
		return retro{}, err
	}
	r := retro{id: str(rt, "id"), tokens: []string{mod}}
	path := "/v1/retros/" + r.id
	inv, err := c.call(ctx, "POST", path+"/invites", mod, map[string]string{}, http.StatusCreated)
	if err != nil {
		return retro{}, err
	}
	for g := 1; g < participants; g++ {
		t, err := c.call(ctx, "POST", "/v1/invites/"+str(inv, "code")+"/join", "",
			map[string]string{"email": fmt.Sprintf("guest%d.%d@load.example", i, g), "name": fmt.Sprintf("Guest %d", g)}, http.StatusCreated)
		if err != nil {
			return retro{}, err
		}
		if _, err := c.call(ctx, "POST", path+"/join", str(t, "token"), nil, http.StatusOK); err != nil {
			return retro{}, err
		}
		r.tokens = append(r.tokens, str(t, "token"))
	}
	if _, err := c.call(ctx, "POST", path+"/columns/"+column+"/reveal", mod, nil, http.StatusOK); err != nil {
		return retro{}, err
	}
	return r, nil
}

// card is one posted card: when its POST started, and when each feed of
// its retro first held its text (0: not yet).
type card struct {
	retro int
	sent  atomic.Int64 // unix nanoseconds just before the POST
	seen  []atomic.Int64
}

// feed is one participant's WebSocket.
type feed struct {
	retro int
	slot  int // index into each card's seen
}

// counters of the feeds, shared by all of them.
type feedStats struct {
	changeMsgs, changeBytes atomic.Int64
	snapshots, dropped      atomic.Int64
}

// openFeed connects one participant's WebSocket and reads it until ctx
// ends, recording when each card's text first arrives. It returns once the
// snapshot arrived.
func openFeed(ctx context.Context, c *client, r retro, token string, query string, f feed, cards func() []*card, st *feedStats, wg *sync.WaitGroup) error {
	u := strings.Replace(c.base, "http", "ws", 1) + "/v1/retros/" + r.id + "/live" + query
	var ws *websocket.Conn
	var err error
	// A busy server may refuse or drop a connection while the feeds open;
	// try again a few times before giving up on the run.
	for attempt, wait := 0, time.Second; ; attempt, wait = attempt+1, wait*2 {
		ws, err = dialFeed(ctx, c, u, token)
		if err == nil || attempt == 5 || ctx.Err() != nil {
			break
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
	if err != nil {
		return err
	}
	st.snapshots.Add(1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer ws.CloseNow()
		for {
			_, msg, err := ws.Read(ctx)
			now := time.Now().UnixNano()
			if err != nil {
				if ctx.Err() == nil {
					st.dropped.Add(1)
				}
				return
			}
			if bytes.HasPrefix(msg, []byte(`{"type":"change"`)) {
				st.changeMsgs.Add(1)
				st.changeBytes.Add(int64(len(msg)))
			} else if bytes.HasPrefix(msg, []byte(`{"type":"resume"`)) {
				st.dropped.Add(1)
				return
			}
			all := cards()
			for rest := msg; ; {
				i := bytes.Index(rest, []byte(marker))
				if i < 0 {
					break
				}
				rest = rest[i+len(marker):]
				if len(rest) < 8 {
					break
				}
				n, err := strconv.Atoi(string(rest[:8]))
				if err != nil || n >= len(all) || all[n] == nil {
					continue
				}
				all[n].seen[f.slot].CompareAndSwap(0, now)
			}
		}
	}()
	return nil
}

// dialFeed opens a WebSocket and reads its snapshot.
func dialFeed(ctx context.Context, c *client, u, token string) (*websocket.Conn, error) {
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{
		HTTPClient: c.http, HTTPHeader: http.Header{"Authorization": {"Bearer " + token}},
	})
	if err != nil {
		return nil, fmt.Errorf("open feed: %w", err)
	}
	ws.SetReadLimit(64 << 20)
	_, first, err := ws.Read(ctx)
	if err != nil || !bytes.HasPrefix(first, []byte(`{"type":"snapshot"`)) {
		ws.CloseNow()
		return nil, fmt.Errorf("open feed: no snapshot first (%v): %.80s", err, first)
	}
	return ws, nil
}

// errorCounts counts failed POSTs by what went wrong.
type errorCounts struct {
	mu sync.Mutex
	m  map[string]int
}

func (e *errorCounts) add(kind string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m == nil {
		e.m = map[string]int{}
	}
	e.m[kind]++
}

// post sends cards open-loop: card k (k = s·retros + b, card s of retro b)
// is due k/rate seconds after the start, whether or not earlier POSTs have
// answered.
func post(ctx context.Context, c *client, rs []retro, rate float64, d time.Duration, register func(int, int) *card, errs *errorCounts, postLat *[]time.Duration) int {
	start := time.Now()
	total := int(rate * d.Seconds())
	var wg sync.WaitGroup
	var mu sync.Mutex
	for k := 0; k < total; k++ {
		due := start.Add(time.Duration(float64(k) / rate * float64(time.Second)))
		if w := time.Until(due); w > 0 {
			select {
			case <-time.After(w):
			case <-ctx.Done():
				return k
			}
		}
		b := k % len(rs)
		cd := register(k, b)
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			cd.sent.Store(t0.UnixNano())
			status, out, err := c.send(ctx, "POST", "/v1/retros/"+rs[b].id+"/cards", rs[b].tokens[0],
				map[string]string{"columnId": column, "text": cardText(k)})
			el := time.Since(t0)
			switch {
			case err != nil:
				errs.add("network")
			case status != http.StatusCreated:
				var p struct {
					Code string `json:"code"`
				}
				_ = json.Unmarshal(out, &p)
				errs.add(strconv.Itoa(status) + " " + p.Code)
			default:
				mu.Lock()
				*postLat = append(*postLat, el)
				mu.Unlock()
				return
			}
			cd.sent.Store(-1) // failed: not waited for
		}()
	}
	wg.Wait()
	return total
}

var errNoCards = errors.New("no card was posted")

// stormWindow is how long a join storm takes: its feeds join evenly over it.
const stormWindow = 10 * time.Second

// joinStorm opens n feeds of retro r evenly over stormWindow, whether or
// not earlier ones have their snapshot yet, and reads each (discarding what
// comes) until ctx ends. It returns how long each took to get its snapshot;
// one that failed is counted in errs.
func joinStorm(ctx context.Context, c *client, r retro, n, people int, query string, errs *errorCounts, wg *sync.WaitGroup) []time.Duration {
	if n == 0 {
		return nil
	}
	u := strings.Replace(c.base, "http", "ws", 1) + "/v1/retros/" + r.id + "/live" + query
	var mu sync.Mutex
	var joins []time.Duration
	var all sync.WaitGroup
	start := time.Now()
	defer all.Wait()
	for i := range n {
		if w := time.Until(start.Add(stormWindow * time.Duration(i) / time.Duration(n))); w > 0 {
			select {
			case <-time.After(w):
			case <-ctx.Done():
				return nil
			}
		}
		all.Add(1)
		go func() {
			defer all.Done()
			t0 := time.Now()
			ws, err := dialFeed(ctx, c, u, r.tokens[i%people])
			if err != nil {
				errs.add("storm feed refused")
				return
			}
			mu.Lock()
			joins = append(joins, time.Since(t0))
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer ws.CloseNow()
				for {
					if _, _, err := ws.Read(ctx); err != nil {
						return
					}
				}
			}()
		}()
	}
	all.Wait()
	mu.Lock()
	defer mu.Unlock()
	return joins
}

// stallFeed opens a feed of retro r whose socket takes little (a 4 KiB
// receive buffer, set before connecting so the server sees a window that
// small), reads its snapshot and then nothing, until ctx ends.
func stallFeed(ctx context.Context, c *client, r retro, token, query string, wg *sync.WaitGroup) error {
	d := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		if cerr := rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		}); cerr != nil {
			return cerr
		}
		return err
	}}
	tiny := &client{base: c.base, http: &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}}
	ws, err := dialFeed(ctx, tiny, strings.Replace(c.base, "http", "ws", 1)+"/v1/retros/"+r.id+"/live"+query, token)
	if err != nil {
		return err
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-ctx.Done()
		ws.CloseNow()
	}()
	return nil
}
