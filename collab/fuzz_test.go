package collab

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/automerge/automerge-go"
	"github.com/coder/websocket"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// FuzzSyncFromAClient sends arbitrary bytes as a sync message over a real
// WebSocket to a real server, for a board that already has content. Whatever
// the bytes do to a validation worker, this process (the server) survives,
// keeps the board's content, and the board still saves and loads.
func FuzzSyncFromAClient(f *testing.F) {
	files, _ := filepath.Glob("testdata/crashers/*.bin")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0x42, 0, 0, 0, 0})

	store := memstore.New(nil)
	s, err := New(context.Background(), Deps{
		Authenticate: func(*http.Request) (Identity, error) { return Identity{UserID: "fuzzer"}, nil },
		Authorize:    func(context.Context, string, string) bool { return true },
		Store:        store,
		WorkerCommand: func() *exec.Cmd {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "HINDSIGHT_TEST_COLLAB_WORKER=1")
			return cmd
		},
		Workers:      1,
		CheckTimeout: 2 * time.Second,
	})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close(context.Background())
	srv := httptest.NewServer(s)
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")

	// A board with one note, written through the server like any client would.
	docID := wire.NewDocumentID()
	seed := automerge.New()
	if err := seed.RootMap().Set("note", "keep me"); err != nil {
		f.Fatal(err)
	}
	if _, err := seed.Commit("seed"); err != nil {
		f.Fatal(err)
	}
	syncOnce(f, url, docID, seed)

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ws, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			t.Fatalf("the server stopped answering: %v", err)
		}
		defer ws.CloseNow()
		write := func(m wire.Message) {
			m.SenderID = "fuzz"
			b, _ := wire.Encode(m)
			_ = ws.Write(ctx, websocket.MessageBinary, b)
		}
		write(wire.Message{Type: wire.TypeJoin, SupportedProtocolVersions: []string{"1"}})
		write(wire.Message{Type: wire.TypeSync, TargetID: "server", DocumentID: docID, Data: data})
		// Read until the server answers the sync or closes on us.
		for {
			rctx, rcancel := context.WithTimeout(ctx, 3*time.Second)
			_, b, err := ws.Read(rctx)
			rcancel()
			if err != nil {
				break
			}
			if m, err := wire.Decode(b); err == nil && (m.Type == wire.TypeSync || m.Type == wire.TypeError) {
				break
			}
		}
		s.mu.Lock()
		bd := s.boards[docID]
		s.mu.Unlock()
		if bd == nil {
			t.Fatal("the board is gone")
		}
		bd.mu.Lock()
		saved := bd.doc.Save()
		bd.mu.Unlock()
		doc, err := automerge.Load(saved)
		if err != nil {
			t.Fatalf("the board no longer loads: %v", err)
		}
		if v, err := doc.Path("note").Get(); err != nil || v.Str() != "keep me" {
			t.Fatalf("the board lost its content: %v, %v", v, err)
		}
	})
}

// syncOnce plays the sync protocol with the server until d's content is there.
func syncOnce(t testing.TB, url, docID string, d *automerge.Doc) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	send := func(m wire.Message) {
		m.SenderID = "seeder"
		b, _ := wire.Encode(m)
		if err := ws.Write(ctx, websocket.MessageBinary, b); err != nil {
			t.Fatal(err)
		}
	}
	send(wire.Message{Type: wire.TypeJoin, SupportedProtocolVersions: []string{"1"}})
	ss := automerge.NewSyncState(d)
	for {
		if m, ok := ss.GenerateMessage(); ok {
			send(wire.Message{Type: wire.TypeSync, TargetID: "server", DocumentID: docID, Data: m.Bytes()})
		}
		rctx, rcancel := context.WithTimeout(ctx, time.Second)
		_, b, err := ws.Read(rctx)
		rcancel()
		if err != nil {
			return // quiet: in sync
		}
		m, err := wire.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if m.Type == wire.TypeSync {
			if _, err := ss.ReceiveMessage(m.Data); err != nil {
				t.Fatal(err)
			}
		}
	}
}
