package kurrent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hindsight-retro/hindsight/eventstore"
)

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func commitOf(stream eventstore.StreamID, expected int64, cmd string, n int) eventstore.Commit {
	c := eventstore.Commit{Stream: stream, ExpectedVersion: expected, CommandID: cmd}
	for i := 0; i < n; i++ {
		c.Events = append(c.Events, eventstore.Event{Type: "Happened", SchemaVersion: 1,
			Payload: json.RawMessage(fmt.Sprintf(`{"cmd":%q,"i":%d}`, cmd, i))})
	}
	return c
}

func wrongExpected(current *uint64) *api.AppendResp {
	w := &api.AppendResp_WrongExpectedVersion{
		ExpectedRevisionOption: &api.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: 1},
	}
	if current == nil {
		w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
	} else {
		w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: *current}
	}
	return &api.AppendResp{Result: &api.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: w}}
}

// The error values come from the real v4 client, built from what a server
// sends; only the server is played.
func TestTranslateClientErrors(t *testing.T) {
	s, f := openFake(t)
	ctx := ctxFor(t)
	c := commitOf(eventstore.StreamID{Category: "retro", ID: "e1"}, 2, "cmd", 1)
	data, err := toEventData(c, "w")
	if err != nil {
		t.Fatal(err)
	}
	appendErr := func(resp *api.AppendResp, serr error) error {
		f.setHooks(func(*api.AppendReq_Options) (*api.AppendResp, error) { return resp, serr }, nil)
		defer f.setHooks(nil, nil)
		_, err := s.client.AppendToStream(ctx, streamName(c.Stream), esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(1)}, data...)
		if err == nil {
			t.Fatal("the client reported success")
		}
		return translateAppendError(err, c)
	}

	four := uint64(4)
	var conflict *eventstore.ConflictError
	if err := appendErr(wrongExpected(&four), nil); !errors.As(err, &conflict) || conflict.Actual != 5 || conflict.Expected != 2 || conflict.Stream != c.Stream {
		t.Errorf("wrong expected version, current revision 4: got %v, want a conflict at actual version 5", err)
	}
	if err := appendErr(wrongExpected(nil), nil); !errors.As(err, &conflict) || conflict.Actual != 0 {
		t.Errorf("wrong expected version, no stream: got %v, want a conflict at actual version 0", err)
	}
	if !errors.Is(appendErr(wrongExpected(nil), nil), eventstore.ErrConflict) {
		t.Error("a conflict does not match ErrConflict")
	}
	if err := appendErr(nil, status.Error(codes.InvalidArgument, "Maximum Append Size of 1048576 Exceeded.")); !errors.Is(err, eventstore.ErrInvalidArgument) {
		t.Errorf("oversized append: got %v, want ErrInvalidArgument", err)
	}
	err = appendErr(nil, status.Error(codes.PermissionDenied, "Access denied"))
	var es *esdb.Error
	if errors.Is(err, eventstore.ErrConflict) || errors.Is(err, eventstore.ErrInvalidArgument) || !errors.As(err, &es) || es.Code() != esdb.ErrorCodeAccessDenied {
		t.Errorf("access denied: got %v, want the client's error passed through", err)
	}

	// Reads.
	rs, err := s.client.ReadStream(ctx, "retro-missing", esdb.ReadStreamOptions{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	_, err = rs.Recv()
	rs.Close()
	if got := translateReadError(err, eventstore.StreamID{Category: "retro", ID: "missing"}); !errors.Is(got, eventstore.ErrStreamNotFound) {
		t.Errorf("stream not found: got %v, want ErrStreamNotFound", got)
	}
	f.setHooks(nil, func(*api.ReadReq) error { return status.Error(codes.PermissionDenied, "Access denied") })
	_, err = s.Load(ctx, eventstore.StreamID{Category: "retro", ID: "secret"}, 0)
	f.setHooks(nil, nil)
	if errors.Is(err, eventstore.ErrStreamNotFound) || !errors.As(err, &es) || es.Code() != esdb.ErrorCodeAccessDenied {
		t.Errorf("read denied: got %v, want the client's error passed through", err)
	}
}

func TestAppendLoadOnFake(t *testing.T) {
	s, _ := openFake(t)
	ctx := ctxFor(t)
	stream := eventstore.StreamID{Category: "retro", ID: "r1"}
	if _, err := s.Load(ctx, stream, 0); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("load of a missing stream: %v, want ErrStreamNotFound", err)
	}
	c1 := commitOf(stream, eventstore.NoStream, "cmd-1", 3)
	r1, err := s.Append(ctx, c1)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := s.Append(ctx, commitOf(stream, 3, "cmd-2", 2))
	if err != nil {
		t.Fatal(err)
	}
	if r1.StreamVersion != 3 || r2.StreamVersion != 5 || r1.Duplicate || r2.Duplicate || r2.Position <= r1.Position {
		t.Fatalf("results %+v then %+v", r1, r2)
	}
	evs, err := s.Load(ctx, stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range evs {
		want := r1.Position
		if i >= 3 {
			want = r2.Position
		}
		if e.StreamVersion != int64(i+1) || e.Position != want {
			t.Errorf("event %d: version %d position %d, want %d and %d", i, e.StreamVersion, e.Position, i+1, want)
		}
	}
	// Loading from inside a commit still gives the commit's position.
	tail, err := s.Load(ctx, stream, 4)
	if err != nil || len(tail) != 1 || tail[0].Position != r2.Position || tail[0].Index != 1 {
		t.Errorf("load after version 4: %+v, %v", tail, err)
	}
	if none, err := s.Load(ctx, stream, 5); err != nil || len(none) != 0 {
		t.Errorf("load after the last version: %v, %v; want empty", none, err)
	}
	if last, err := s.LastPosition(ctx); err != nil || last != r2.Position {
		t.Errorf("LastPosition = %d, %v; want %d, the newest commit's", last, err, r2.Position)
	}
}

func TestIdempotencyOnFake(t *testing.T) {
	s, _ := openFake(t)
	ctx := ctxFor(t)
	stream := eventstore.StreamID{Category: "retro", ID: "r2"}
	c1 := commitOf(stream, eventstore.NoStream, "cmd-1", 2)
	r1, err := s.Append(ctx, c1)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Append(ctx, c1)
	if err != nil || !again.Duplicate || again.Position != r1.Position || again.StreamVersion != 2 {
		t.Fatalf("immediate retry: %+v, %v; want a duplicate of %+v", again, err, r1)
	}
	if _, err := s.Append(ctx, commitOf(stream, 2, "cmd-2", 1)); err != nil {
		t.Fatal(err)
	}
	// A retry with other event IDs (the caller generated fresh ones) after
	// later commits: KurrentDB reports a conflict, the store recognises the
	// command after the expected version.
	retry := c1
	retry.Events = append([]eventstore.Event(nil), c1.Events...)
	retry.Events[0].ID = "fresh-id"
	got, err := s.Append(ctx, retry)
	if err != nil || !got.Duplicate || got.Position != r1.Position || got.StreamVersion != 2 {
		t.Errorf("retry with new event IDs after later commits: %+v, %v; want a duplicate of %+v", got, err, r1)
	}
	anyRetry := c1
	anyRetry.ExpectedVersion = eventstore.Any
	if got, err := s.Append(ctx, anyRetry); err != nil || !got.Duplicate || got.StreamVersion != 2 {
		t.Errorf("retry with Any: %+v, %v", got, err)
	}
	// A real conflict stays one, with the actual version.
	_, err = s.Append(ctx, commitOf(stream, 1, "cmd-3", 1))
	var conflict *eventstore.ConflictError
	if !errors.As(err, &conflict) || conflict.Actual != 3 {
		t.Errorf("stale append: %v, want a conflict at actual version 3", err)
	}
	if evs, err := s.Load(ctx, stream, 0); err != nil || len(evs) != 3 {
		t.Errorf("stream holds %d events (%v), want 3", len(evs), err)
	}
}

func TestReadAllOnFake(t *testing.T) {
	s, f := openFake(t)
	ctx := ctxFor(t)
	a := eventstore.StreamID{Category: "retro", ID: "a"}
	b := eventstore.StreamID{Category: "team", ID: "b"}
	ra, err := s.Append(ctx, commitOf(a, eventstore.NoStream, "cmd-a", 2))
	if err != nil {
		t.Fatal(err)
	}
	f.appendRaw("$stats-127.0.0.1:2113", "$statsCollected", nil)
	f.appendRaw("Orders-1", "OrderPlaced", []byte(`{}`))
	f.appendRaw("retro-foreign", "Written", []byte(`{"by":"another app"}`))
	rb, err := s.Append(ctx, commitOf(b, eventstore.NoStream, "cmd-b", 3))
	if err != nil {
		t.Fatal(err)
	}
	collect := func(after uint64) []eventstore.RecordedEvent {
		var out []eventstore.RecordedEvent
		err := s.ReadAll(ctx, after, func(_ context.Context, e eventstore.RecordedEvent) error {
			out = append(out, e)
			return nil
		})
		if err != nil {
			t.Fatalf("ReadAll(%d): %v", after, err)
		}
		return out
	}
	all := collect(0)
	if len(all) != 5 {
		t.Fatalf("ReadAll(0) gave %d events, want our 5", len(all))
	}
	for i, e := range all {
		want := ra.Position
		if i >= 2 {
			want = rb.Position
		}
		if e.Position != want {
			t.Errorf("event %d of %s: position %d, want %d", i, e.Stream, e.Position, want)
		}
	}
	for _, c := range []struct {
		after uint64
		n     int
	}{{ra.Position, 3}, {ra.Position - 1, 5}, {ra.Position + 1, 3}, {rb.Position - 1, 3}, {rb.Position, 0}} {
		if got := collect(c.after); len(got) != c.n {
			t.Errorf("ReadAll(%d) gave %d events, want %d", c.after, len(got), c.n)
		}
	}
	stop := errors.New("stop")
	n := 0
	err = s.ReadAll(ctx, 0, func(context.Context, eventstore.RecordedEvent) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("handler error: ReadAll returned %v after %d calls", err, n)
	}
	// The log ends with events of others: LastPosition still names our
	// newest commit.
	f.appendRaw("$stats-127.0.0.1:2113", "$statsCollected", nil)
	if last, err := s.LastPosition(ctx); err != nil || last != rb.Position {
		t.Errorf("LastPosition = %d, %v; want %d", last, err, rb.Position)
	}
}

func TestSubscribeOnFake(t *testing.T) {
	s, _ := openFake(t)
	ctx := ctxFor(t)
	stream := eventstore.StreamID{Category: "retro", ID: "live"}
	r1, err := s.Append(ctx, commitOf(stream, eventstore.NoStream, "cmd-1", 2))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []eventstore.RecordedEvent
	seen := make(chan struct{}, 16)
	done := make(chan error, 1)
	go func() {
		done <- s.Subscribe(ctx, r1.Position-1, func(_ context.Context, e eventstore.RecordedEvent) error {
			mu.Lock()
			got = append(got, e)
			mu.Unlock()
			seen <- struct{}{}
			return nil
		})
	}()
	waitN := func(n int) {
		for i := 0; i < n; i++ {
			select {
			case <-seen:
			case err := <-done:
				t.Fatalf("subscription ended: %v", err)
			case <-ctx.Done():
				t.Fatalf("waiting for event %d of %d: %v", i+1, n, ctx.Err())
			}
		}
	}
	waitN(2)
	r2, err := s.Append(ctx, commitOf(stream, 2, "cmd-2", 3))
	if err != nil {
		t.Fatal(err)
	}
	waitN(3)
	mu.Lock()
	for i, e := range got {
		want := r1.Position
		if i >= 2 {
			want = r2.Position
		}
		if e.StreamVersion != int64(i+1) || e.Position != want {
			t.Errorf("event %d: version %d position %d, want %d and %d", i, e.StreamVersion, e.Position, i+1, want)
		}
	}
	mu.Unlock()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, eventstore.ErrClosed) {
			t.Errorf("subscription ended by Close returned %v, want ErrClosed", err)
		}
	case <-ctx.Done():
		t.Fatal("Close did not end the subscription")
	}
	if _, err := s.Append(ctx, commitOf(stream, 5, "cmd-3", 1)); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("append after close: %v", err)
	}
}

func TestOpenRejectsBadURL(t *testing.T) {
	ctx := ctxFor(t)
	for _, url := range []string{"", "   ", "http://127.0.0.1:2113", "esdb://127.0.0.1:2113?tls=maybe", "esdb://"} {
		s, err := Open(ctx, Config{URL: url, Logger: discardLogger()})
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", url)
			continue
		}
		if !strings.Contains(err.Error(), "kurrent") {
			t.Errorf("Open(%q): %v; want an error that names the backend", url, err)
		}
	}
}

func TestOpenFailsOnClosedPort(t *testing.T) {
	// Reserve a loopback port, then free it: nothing listens there.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, err := Open(ctx, Config{URL: "esdb://" + addr + "?tls=false", Logger: discardLogger()})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded with no server listening")
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("error %q does not say which server it could not reach", err)
	}
}

func TestOpenGivesUpWhenServerIsSilent(t *testing.T) {
	// A port that accepts connections and never answers: the client's own
	// discovery would wait its full timeouts, Open must not.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		lis.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	s, err := Open(ctx, Config{URL: "esdb://" + lis.Addr().String() + "?tls=false", Logger: discardLogger()})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded against a silent server")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Open against a silent server: %v, want the context's deadline", err)
	}
}

func TestRecoversWhenServerReturns(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_, stop := serveFake(t, lis)
	ctx := ctxFor(t)
	s, err := Open(ctx, Config{URL: "esdb://" + addr + "?tls=false", Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stop()
	// While the server is away calls fail; depending on where the loss is
	// seen, gRPC redials by itself or the client rediscovers the node,
	// gives up and closes itself for good.
	for i := 0; i < 3; i++ {
		if _, err := s.LastPosition(ctx); err == nil {
			t.Fatal("LastPosition succeeded with the server gone")
		}
	}
	lis2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	serveFake(t, lis2)
	// gRPC waits out its redial backoff (seconds) before it tries again.
	for {
		_, err := s.LastPosition(ctx)
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the store did not reconnect once the server was back: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func TestReplacesAClientThatClosedItself(t *testing.T) {
	s, _ := openFake(t)
	ctx := ctxFor(t)
	// What the client does after failing to rediscover the server.
	s.client.Close()
	_, err := s.LastPosition(ctx)
	if !clientGaveUp(err) {
		t.Fatalf("LastPosition on a closed client: %v, want the client's connection-closed error", err)
	}
	if _, err := s.LastPosition(ctx); err != nil {
		t.Errorf("the next call still fails: %v", err)
	}
}

func TestAnyRetryWithColdServerCache(t *testing.T) {
	s, f := openFake(t)
	f.mu.Lock()
	f.coldCache = true
	f.mu.Unlock()
	ctx := ctxFor(t)
	stream := eventstore.StreamID{Category: "retro", ID: "any"}
	if _, err := s.Append(ctx, commitOf(stream, eventstore.NoStream, "cmd-0", 1)); err != nil {
		t.Fatal(err)
	}
	c := commitOf(stream, eventstore.Any, "cmd-1", 2)
	first, err := s.Append(ctx, c)
	if err != nil || first.Duplicate || first.StreamVersion != 3 {
		t.Fatalf("first append with Any: %+v, %v", first, err)
	}
	again, err := s.Append(ctx, c)
	if err != nil || !again.Duplicate || again.StreamVersion != 3 || again.Position != first.Position {
		t.Errorf("retry with Any: %+v, %v; want a duplicate of %+v", again, err, first)
	}
	if evs, err := s.Load(ctx, stream, 0); err != nil || len(evs) != 3 {
		t.Errorf("the stream holds %d events (%v), want 3", len(evs), err)
	}
}
