package kurrent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// fakeServer speaks the part of KurrentDB's gRPC Streams API this backend
// uses, over loopback, so the real v4 client builds its real requests,
// results and error values. It follows the server's documented behaviour
// where this backend depends on it:
//   - every event gets its own commit position in $all (an append's events do
//     not share one), and an append reports the position of its last event;
//   - an append with an expected revision below the current one is
//     idempotent when the events after that revision carry the same IDs;
//     with Any, when the first event's ID is already in the stream;
//   - reading $all from a position that is not an event's fails with
//     InvalidArgument, as KurrentDB's "invalid position" does;
//   - stream reads of a missing stream answer StreamNotFound.
//
// It is not a stand-in for the contract suite, which needs a real server.
type fakeServer struct {
	api.UnimplementedStreamsServer

	mu      sync.Mutex
	log     []fakeEvent
	streams map[string][]int // indexes into log
	next    uint64           // raw position of the next event
	changed chan struct{}

	// appendHook, when set, answers appends instead of the store logic.
	// The hooks are guarded by mu; tests set them with setHooks.
	appendHook func(*api.AppendReq_Options) (*api.AppendResp, error)
	// coldCache makes appends with Any never idempotent, as on a server
	// whose cache of recent event IDs was emptied by a restart.
	coldCache bool
	// readHook, when set, answers reads instead of the store logic.
	readHook func(*api.ReadReq) error
}

type fakeEvent struct {
	stream  string
	rev     uint64
	id      uuid.UUID
	typ     string
	data    []byte
	meta    []byte
	pos     uint64
	created time.Time
}

// startFake serves on a loopback port and returns the connection string.
func startFake(t *testing.T) (*fakeServer, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, _ := serveFake(t, lis)
	return f, "esdb://" + lis.Addr().String() + "?tls=false"
}

// serveFake serves a fresh fake on lis until t ends or stop is called.
func serveFake(t *testing.T, lis net.Listener) (f *fakeServer, stop func()) {
	f = &fakeServer{streams: map[string][]int{}, next: 1000, changed: make(chan struct{})}
	// A fresh KurrentDB log opens with system events.
	f.mu.Lock()
	f.write("$settings", "$settings", nil, []byte(`{}`), nil)
	f.write("$scavenges", "$maxAgeSet", nil, []byte(`{}`), nil)
	f.mu.Unlock()
	srv := grpc.NewServer()
	api.RegisterStreamsServer(srv, f)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return f, srv.Stop
}

// write appends one event; f.mu is held.
func (f *fakeServer) write(stream, typ string, id *uuid.UUID, data, meta []byte) fakeEvent {
	e := fakeEvent{stream: stream, rev: uint64(len(f.streams[stream])), typ: typ, data: data, meta: meta, pos: f.next, created: time.Now().UTC()}
	if id != nil {
		e.id = *id
	} else {
		e.id = uuid.New()
	}
	// Positions are byte offsets in the real log: records are not evenly
	// spaced, so a position plus one is not an event's.
	f.next += uint64(64 + len(data) + len(meta) + len(stream))
	f.streams[stream] = append(f.streams[stream], len(f.log))
	f.log = append(f.log, e)
	return e
}

func (f *fakeServer) Append(srv api.Streams_AppendServer) error {
	first, err := srv.Recv()
	if err != nil {
		return err
	}
	opts := first.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "append without options")
	}
	var proposed []*api.AppendReq_ProposedMessage
	for {
		m, err := srv.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		proposed = append(proposed, m.GetProposedMessage())
	}
	f.mu.Lock()
	hook := f.appendHook
	f.mu.Unlock()
	if hook != nil {
		resp, err := hook(opts)
		if err != nil {
			return err
		}
		return srv.SendAndClose(resp)
	}
	resp, err := f.appendEvents(opts, proposed)
	if err != nil {
		return err
	}
	return srv.SendAndClose(resp)
}

func protoUUID(m *api.AppendReq_ProposedMessage) (uuid.UUID, error) {
	if s := m.GetId().GetString_(); s != "" {
		return uuid.Parse(s)
	}
	st := m.GetId().GetStructured()
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(uint64(st.GetMostSignificantBits()) >> (56 - 8*i))
		b[8+i] = byte(uint64(st.GetLeastSignificantBits()) >> (56 - 8*i))
	}
	return uuid.FromBytes(b[:])
}

func (f *fakeServer) appendEvents(opts *api.AppendReq_Options, proposed []*api.AppendReq_ProposedMessage) (*api.AppendResp, error) {
	stream := string(opts.GetStreamIdentifier().GetStreamName())
	ids := make([]uuid.UUID, len(proposed))
	for i, m := range proposed {
		id, err := protoUUID(m)
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, "bad event id")
		}
		ids[i] = id
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	existing := f.streams[stream]
	current := int64(len(existing)) - 1 // -1: no stream
	expected := int64(-2)               // any
	switch {
	case opts.GetNoStream() != nil:
		expected = -1
	case opts.GetAny() != nil:
	default:
		expected = int64(opts.GetRevision())
	}
	// matchFrom says whether the proposed IDs are the stream's events from
	// revision from on.
	matchFrom := func(from int64) bool {
		if from < 0 || from+int64(len(ids)) > int64(len(existing)) {
			return false
		}
		for i, id := range ids {
			if f.log[existing[from+int64(i)]].id != id {
				return false
			}
		}
		return true
	}
	success := func(last uint64) *api.AppendResp {
		pos := f.log[f.streams[stream][last]].pos
		return &api.AppendResp{Result: &api.AppendResp_Success_{Success: &api.AppendResp_Success{
			CurrentRevisionOption: &api.AppendResp_Success_CurrentRevision{CurrentRevision: last},
			PositionOption: &api.AppendResp_Success_Position{Position: &api.AppendResp_Position{
				CommitPosition: pos, PreparePosition: pos}},
		}}}
	}
	if expected == -2 {
		for rev := range existing {
			if !f.coldCache && f.log[existing[rev]].id == ids[0] && matchFrom(int64(rev)) {
				return success(uint64(rev + len(ids) - 1)), nil
			}
		}
	} else if expected != current {
		if expected < current && matchFrom(expected+1) {
			return success(uint64(expected + int64(len(ids)))), nil
		}
		wrong := &api.AppendResp_WrongExpectedVersion{}
		if current < 0 {
			wrong.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
		} else {
			wrong.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: uint64(current)}
		}
		if expected < 0 {
			wrong.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
		} else {
			wrong.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: uint64(expected)}
		}
		return &api.AppendResp{Result: &api.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: wrong}}, nil
	}
	var last fakeEvent
	for i, m := range proposed {
		last = f.write(stream, m.GetMetadata()["type"], &ids[i], m.GetData(), m.GetCustomMetadata())
	}
	close(f.changed)
	f.changed = make(chan struct{})
	return success(last.rev), nil
}

func (f *fakeServer) Read(req *api.ReadReq, srv api.Streams_ReadServer) error {
	f.mu.Lock()
	hook := f.readHook
	f.mu.Unlock()
	if hook != nil {
		return hook(req)
	}
	o := req.GetOptions()
	if o.GetSubscription() != nil {
		return f.subscribe(o, srv)
	}
	send := func(e fakeEvent) error { return srv.Send(readResp(e)) }
	count := o.GetCount()
	backwards := o.GetReadDirection() == api.ReadReq_Options_Backwards
	f.mu.Lock()
	var evs []fakeEvent
	if s := o.GetStream(); s != nil {
		name := string(s.GetStreamIdentifier().GetStreamName())
		idx, ok := f.streams[name]
		if !ok {
			f.mu.Unlock()
			return srv.Send(&api.ReadResp{Content: &api.ReadResp_StreamNotFound_{StreamNotFound: &api.ReadResp_StreamNotFound{
				StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)}}}})
		}
		if backwards {
			if s.GetEnd() == nil {
				f.mu.Unlock()
				return status.Error(codes.Unimplemented, "fake: backwards stream reads from a revision")
			}
			for i := len(idx) - 1; i >= 0; i-- {
				evs = append(evs, f.log[idx[i]])
			}
		} else {
			from := uint64(0)
			if s.GetStart() == nil && s.GetEnd() == nil {
				from = s.GetRevision()
			}
			for _, i := range idx {
				if f.log[i].rev >= from {
					evs = append(evs, f.log[i])
				}
			}
		}
	} else {
		a := o.GetAll()
		start, ok := f.allStart(a, backwards)
		if !ok {
			f.mu.Unlock()
			return status.Error(codes.InvalidArgument, "Trying to read from an invalid position.")
		}
		if backwards {
			for i := start - 1; i >= 0; i-- {
				evs = append(evs, f.log[i])
			}
		} else {
			evs = append(evs, f.log[start:]...)
		}
	}
	f.mu.Unlock()
	for i, e := range evs {
		if uint64(i) >= count {
			break
		}
		if err := send(e); err != nil {
			return err
		}
	}
	return nil
}

// allStart is the log index a read of $all starts at: the first event
// read forwards, or one past the first event read backwards. f.mu is held.
func (f *fakeServer) allStart(a *api.ReadReq_Options_AllOptions, backwards bool) (int, bool) {
	switch {
	case a.GetStart() != nil:
		return 0, true
	case a.GetEnd() != nil:
		return len(f.log), true
	}
	p := a.GetPosition().GetCommitPosition()
	for i, e := range f.log {
		if e.pos == p {
			return i, true
		}
	}
	if p == f.next {
		return len(f.log), true
	}
	return 0, false
}

func readResp(e fakeEvent) *api.ReadResp {
	return &api.ReadResp{Content: &api.ReadResp_Event{Event: &api.ReadResp_ReadEvent{
		Event: &api.ReadResp_ReadEvent_RecordedEvent{
			Id:               &shared.UUID{Value: &shared.UUID_String_{String_: e.id.String()}},
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(e.stream)},
			StreamRevision:   e.rev, CommitPosition: e.pos, PreparePosition: e.pos,
			Metadata: map[string]string{
				"type": e.typ, "content-type": "application/json",
				"created": strconv.FormatInt(e.created.UnixNano()/100, 10),
			},
			CustomMetadata: e.meta, Data: e.data,
		},
		Position: &api.ReadResp_ReadEvent_CommitPosition{CommitPosition: e.pos},
	}}}
}

// subscribe serves a catch-up subscription to $all: events after the start
// (exclusive), then live ones, filtered by a stream-name regex if given.
func (f *fakeServer) subscribe(o *api.ReadReq_Options, srv api.Streams_ReadServer) error {
	a := o.GetAll()
	if a == nil {
		return status.Error(codes.Unimplemented, "fake: stream subscriptions")
	}
	var filter *regexp.Regexp
	if expr := o.GetFilter().GetStreamIdentifier(); expr != nil {
		re, err := regexp.Compile(expr.GetRegex())
		if err != nil {
			return status.Error(codes.InvalidArgument, err.Error())
		}
		filter = re
	}
	f.mu.Lock()
	next, ok := f.allStart(a, false)
	if ok && a.GetPosition() != nil {
		next++ // exclusive of the start
	}
	f.mu.Unlock()
	if err := srv.Send(&api.ReadResp{Content: &api.ReadResp_Confirmation{Confirmation: &api.ReadResp_SubscriptionConfirmation{SubscriptionId: "fake"}}}); err != nil {
		return err
	}
	if !ok {
		return status.Error(codes.InvalidArgument, "Trying to read from an invalid position.")
	}
	for {
		f.mu.Lock()
		evs := append([]fakeEvent(nil), f.log[next:]...)
		changed := f.changed
		f.mu.Unlock()
		for _, e := range evs {
			next++
			if filter != nil && !filter.MatchString(e.stream) {
				continue
			}
			if err := srv.Send(readResp(e)); err != nil {
				return err
			}
		}
		select {
		case <-srv.Context().Done():
			return srv.Context().Err()
		case <-changed:
		}
	}
}

// appendRaw writes events as another application would, bypassing the
// store.
func (f *fakeServer) appendRaw(stream, typ string, meta []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.write(stream, typ, nil, []byte(`{}`), meta)
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *fakeServer) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprintf("fake KurrentDB with %d events", len(f.log))
}

// openFake opens a store on a fresh fake server.
func openFake(t *testing.T) (*Store, *fakeServer) {
	t.Helper()
	f, url := startFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, Config{URL: url, Logger: discardLogger()})
	if err != nil {
		t.Fatalf("open on %s: %v", url, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, f
}

func (f *fakeServer) setHooks(a func(*api.AppendReq_Options) (*api.AppendResp, error), r func(*api.ReadReq) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.appendHook, f.readHook = a, r
}
