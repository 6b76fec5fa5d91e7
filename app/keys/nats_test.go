package keys

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func startNATS(t testing.TB) *server.Server {
	t.Helper()
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, NoSigs: true, NoLog: true,
		JetStream: true, StoreDir: t.TempDir(),
	})
	if err != nil {
		t.Fatalf("configure server: %v", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		t.Fatal("server not ready")
	}
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	return srv
}

func connect(t testing.TB, srv *server.Server) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func TestNATS(t *testing.T) {
	srv := startNATS(t)
	buckets := map[Store]string{}
	n := 0
	open := func(t *testing.T, bucket string) Store {
		s, err := NewNATS(context.Background(), connect(t, srv), bucket)
		if err != nil {
			t.Fatal(err)
		}
		buckets[s] = bucket
		return s
	}
	testContract(t,
		func(t *testing.T) Store {
			n++
			return open(t, "KEYS_"+string(rune('A'+n)))
		},
		func(t *testing.T, s Store) Store { return open(t, buckets[s]) })
}

func TestNATSBucketHasFileStorage(t *testing.T) {
	srv := startNATS(t)
	js := connect(t, srv)
	ctx := context.Background()
	if _, err := NewNATS(ctx, js, ""); err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(ctx, DefaultBucket)
	if err != nil {
		t.Fatalf("bucket %s not created: %v", DefaultBucket, err)
	}
	st, err := kv.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	info := st.(*jetstream.KeyValueBucketStatus).StreamInfo()
	if info.Config.Storage != jetstream.FileStorage {
		t.Fatalf("bucket storage = %v, want file", info.Config.Storage)
	}
}

// The key's bytes must not stay retrievable through the bucket's history
// once destroyed, even in a bucket someone made with a long history.
func TestNATSDestroyErasesHistory(t *testing.T) {
	srv := startNATS(t)
	js := connect(t, srv)
	ctx := context.Background()
	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "KEYS_HIST", History: 5}); err != nil {
		t.Fatal(err)
	}
	s, err := NewNATS(ctx, js, "KEYS_HIST")
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.GetOrCreate(ctx, "user:u1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Destroy(ctx, "user:u1"); err != nil {
		t.Fatal(err)
	}
	kv, _ := js.KeyValue(ctx, "KEYS_HIST")
	hist, err := kv.History(ctx, encodeSubject("user:u1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range hist {
		if bytes.Contains(e.Value(), k) {
			t.Fatalf("revision %d still holds the destroyed key", e.Revision())
		}
	}
	stream, _ := js.Stream(ctx, "KV_KEYS_HIST")
	for seq := uint64(1); seq <= 3; seq++ {
		if m, err := stream.GetMsg(ctx, seq); err == nil && bytes.Contains(m.Data, k) {
			t.Fatalf("stream message %d still holds the destroyed key", seq)
		}
	}
}

func TestEveryWriteToTheKeyBucketsWaitsForSync(t *testing.T) {
	srv := startNATS(t)
	var syncs atomic.Int64
	s, err := NewNATS(context.Background(), connect(t, srv), "KEYS_SYNCED", WithSync(func(context.Context) error {
		syncs.Add(1)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if syncs.Load() == 0 {
		t.Error("opening a new bucket (its first KEK and epoch) never waited for sync")
	}
	before := syncs.Load()
	if _, err := s.GetOrCreate(context.Background(), "retro:1"); err != nil {
		t.Fatal(err)
	}
	if syncs.Load() == before {
		t.Error("a new key was answered without waiting for sync")
	}
	before = syncs.Load()
	if _, err := s.Get(context.Background(), "retro:1"); err != nil {
		t.Fatal(err)
	}
	if syncs.Load() != before {
		t.Error("reading a key waited for sync")
	}
	if err := s.Destroy(context.Background(), "retro:1"); err != nil {
		t.Fatal(err)
	}
	if syncs.Load() == before {
		t.Error("a destroyed key was answered without waiting for sync")
	}
	failing, err := NewNATS(context.Background(), connect(t, srv), "KEYS_SYNCED", WithSync(func(context.Context) error {
		return errors.New("disk gone")
	}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := failing.GetOrCreate(context.Background(), "retro:2"); err == nil {
		t.Error("a new key was answered though it could not be put on disk")
	}
}
