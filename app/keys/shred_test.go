package keys

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/hindsight-retro/hindsight/domain"
)

// natsNode is a JetStream server on a folder of its own that a test can stop
// and start again on the same folder, as an operator restarting it would.
type natsNode struct {
	t    testing.TB
	opts server.Options
	srv  *server.Server
}

func newNode(t testing.TB, dir string) *natsNode {
	return &natsNode{t: t, opts: server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, NoSigs: true, NoLog: true,
		JetStream: true, StoreDir: dir, SyncAlways: true,
	}}
}

func (n *natsNode) start() {
	n.t.Helper()
	opts := n.opts
	srv, err := server.NewServer(&opts)
	if err != nil {
		n.t.Fatalf("configure server: %v", err)
	}
	srv.Start()
	// A deadline, not a wait: under a loaded CI machine a clustered
	// server took over 10 s (1 run in 20).
	if !srv.ReadyForConnections(30 * time.Second) {
		n.t.Fatal("server not ready")
	}
	n.srv = srv
	n.t.Cleanup(n.stop)
}

// stop shuts the server down; it writes out what it holds in memory.
func (n *natsNode) stop() {
	if n.srv != nil {
		n.srv.Shutdown()
		n.srv.WaitForShutdown()
		n.srv = nil
	}
}

// startCluster runs three routed JetStream servers in this process, each on
// its own folder, and waits for a meta leader.
func startCluster(t *testing.T) []*natsNode {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	var nodes []*natsNode
	for i, p := range ports {
		var routes []string
		for j, q := range ports {
			if j != i {
				routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", q))
			}
		}
		n := newNode(t, t.TempDir())
		n.opts.ServerName = fmt.Sprintf("n%d", i+1)
		n.opts.Cluster = server.ClusterOpts{Name: "keys-test", Host: "127.0.0.1", Port: p}
		n.opts.Routes = server.RoutesFromStr(strings.Join(routes, ","))
		n.start()
		nodes = append(nodes, n)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		// Placing an R3 stream needs a leader that has heard from all
		// three servers, not only a leader.
		leaders, current, peers := 0, 0, 0
		for _, n := range nodes {
			if n.srv.JetStreamIsLeader() {
				leaders++
				peers = len(n.srv.JetStreamClusterPeers())
			}
			if n.srv.JetStreamIsCurrent() {
				current++
			}
		}
		if leaders == 1 && current == len(nodes) && peers == len(nodes) {
			return nodes
		}
		if time.Now().After(deadline) {
			t.Fatalf("no JetStream meta leader with every peer after 30s (%d leaders, %d current, %d peers)", leaders, current, peers)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// filesHolding lists every file under dirs that contains one of secrets.
func filesHolding(t *testing.T, dirs []string, secrets map[string][]byte) []string {
	t.Helper()
	var hits []string
	err := readFiles(dirs, func(path string, data []byte) {
		for name, s := range secrets {
			if bytes.Contains(data, s) {
				hits = append(hits, path+" holds "+name)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

// attribute is Recover, failing the test on a read error.
func attribute(t *testing.T, dirs []string, subjects []string) map[string][]byte {
	t.Helper()
	got, err := Recover(dirs, subjects)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// copyDir copies a stopped server's folder, as someone walking off with it.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // a deleted stream's folder the server is removing
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// shredWorld is a retro whose anonymous author is known by pseudonym only,
// a person whose e-mail address is sealed, and a live key beside them.
type shredWorld struct {
	retroKey, userKey, liveKey []byte
	pseudonym                  string
	sealedEmail                []byte
}

const (
	retroSubject = "retro:0193a1b2-anon"
	userSubject  = "user:0193a1b2-erased"
	liveSubject  = "user:0193a1b2-still-here"
	authorID     = "0193a1b2-author"
)

func makeShredWorld(t *testing.T, s Store) shredWorld {
	t.Helper()
	ctx := context.Background()
	var w shredWorld
	var err error
	if w.retroKey, err = s.GetOrCreate(ctx, retroSubject); err != nil {
		t.Fatal(err)
	}
	if w.userKey, err = s.GetOrCreate(ctx, userSubject); err != nil {
		t.Fatal(err)
	}
	if w.liveKey, err = s.GetOrCreate(ctx, liveSubject); err != nil {
		t.Fatal(err)
	}
	w.pseudonym = domain.Pseudonym(w.retroKey, authorID)
	if w.sealedEmail, err = Seal(w.userKey, []byte("erased@example.com"), []byte(userSubject)); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w shredWorld) destroy(t *testing.T, s Store) {
	t.Helper()
	ctx := context.Background()
	if err := s.Destroy(ctx, retroSubject); err != nil {
		t.Fatal(err)
	}
	if err := s.Destroy(ctx, userSubject); err != nil {
		t.Fatal(err)
	}
}

// checkGone asserts that no file under dirs holds a destroyed key and that
// an attribution attempt on them recovers the live key (so the attempt
// works) but neither destroyed one. Servers remove a deleted stream's files
// just after the deletion is acknowledged, in the background, so the check
// is retried until a deadline.
func (w shredWorld) checkGone(t *testing.T, dirs []string, wrapped bool) {
	t.Helper()
	eventually(t, func() []string { return w.problems(t, dirs, wrapped) })
}

// eventually retries check until it reports no problem, or fails the test
// with its problems after a deadline.
func eventually(t *testing.T, check func() []string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		problems := check()
		if len(problems) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(strings.Join(problems, "\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (w shredWorld) problems(t *testing.T, dirs []string, wrapped bool) []string {
	var problems []string
	if hits := filesHolding(t, dirs, map[string][]byte{
		"the closed retro's anonymity key": w.retroKey,
		"the erased person's key":          w.userKey,
	}); len(hits) > 0 {
		problems = append(problems, "destroyed keys are still on disk:\n"+strings.Join(hits, "\n"))
	}
	got := attribute(t, dirs, []string{retroSubject, userSubject, liveSubject})
	if k, ok := got[retroSubject]; ok && domain.Pseudonym(k, authorID) == w.pseudonym {
		problems = append(problems, fmt.Sprintf("the data folder still attributes the anonymous author's cards: pseudonym %s recomputed", w.pseudonym))
	}
	if k, ok := got[userSubject]; ok {
		if email, err := Open(k, w.sealedEmail, []byte(userSubject)); err == nil {
			problems = append(problems, fmt.Sprintf("the data folder still decrypts the erased person's e-mail address %q", email))
		}
	}
	if wrapped && !bytes.Equal(got[liveSubject], w.liveKey) {
		problems = append(problems, "the attribution attempt could not even recover the live key; it proves nothing")
	}
	if !wrapped && filesHolding(t, dirs, map[string][]byte{"live": w.liveKey}) == nil {
		t.Fatal("the live key is not on disk either; the scan proves nothing")
	}
	return problems
}

func TestDestroyedKeysAreGoneFromTheEmbeddedNATSDataFolder(t *testing.T) {
	dir := t.TempDir()
	node := newNode(t, dir)
	node.start()
	ctx := context.Background()
	s, err := NewNATS(ctx, connect(t, node.srv), "")
	if err != nil {
		t.Fatal(err)
	}
	w := makeShredWorld(t, s)
	w.destroy(t, s)
	node.stop() // the server writes out everything it holds
	w.checkGone(t, []string{dir}, true)

	// A copy of the folder, opened by a fresh store, refuses the
	// destroyed keys and still serves the live one.
	stolen := newNode(t, copyDir(t, dir))
	stolen.start()
	thief, err := NewNATS(ctx, connect(t, stolen.srv), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, subj := range []string{retroSubject, userSubject} {
		if k, err := thief.Get(ctx, subj); !errors.Is(err, ErrDestroyed) {
			t.Errorf("a store on a copy of the folder: Get(%s) = %x, %v; want ErrDestroyed", subj, k, err)
		}
	}
	if k, err := thief.Get(ctx, liveSubject); err != nil || !bytes.Equal(k, w.liveKey) {
		t.Errorf("a store on a copy of the folder: Get of the live key = %x, %v; want %x", k, err, w.liveKey)
	}
	stolen.stop()

	// After a restart the keys stay gone and the live key stays.
	node.start()
	s, err = NewNATS(ctx, connect(t, node.srv), "")
	if err != nil {
		t.Fatal(err)
	}
	if k, err := s.Get(ctx, liveSubject); err != nil || !bytes.Equal(k, w.liveKey) {
		t.Errorf("after a restart Get of the live key = %x, %v; want %x", k, err, w.liveKey)
	}
	if _, err := s.GetOrCreate(ctx, retroSubject); !errors.Is(err, ErrDestroyed) {
		t.Errorf("after a restart GetOrCreate of the closed retro's key = %v; want ErrDestroyed", err)
	}
	node.stop()
	w.checkGone(t, []string{dir}, true)
}

func TestDestroyedKeysAreGoneFromEveryReplicaOfAThreeNodeCluster(t *testing.T) {
	nodes := startCluster(t)
	ctx := context.Background()
	s, err := NewNATS(ctx, connect(t, nodes[0].srv), "", WithReplicas(3))
	if err != nil {
		t.Fatal(err)
	}
	// A second app node, on another server of the cluster.
	other, err := NewNATS(ctx, connect(t, nodes[2].srv), "", WithReplicas(3))
	if err != nil {
		t.Fatal(err)
	}
	w := makeShredWorld(t, s)
	if k, err := other.Get(ctx, retroSubject); err != nil || !bytes.Equal(k, w.retroKey) {
		t.Fatalf("the other node reads the retro key as %x, %v; want %x", k, err, w.retroKey)
	}
	w.destroy(t, other)
	var dirs []string
	for _, n := range nodes {
		dirs = append(dirs, n.opts.StoreDir)
	}
	// Each server removes the deleted KEK streams as it applies the
	// deletion, right after Destroy returns.
	w.checkGone(t, dirs, true)
	for _, n := range nodes {
		n.stop()
	}
	w.checkGone(t, dirs, true)
}

func TestDestroyedKeysAreGoneFromTheFileStoreFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	s, err := NewFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	w := makeShredWorld(t, s)
	w.destroy(t, s)
	w.checkGone(t, []string{dir}, false)

	again, err := NewFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Get(context.Background(), retroSubject); !errors.Is(err, ErrDestroyed) {
		t.Errorf("reopened file store: Get of the closed retro's key = %v; want ErrDestroyed", err)
	}
	w.checkGone(t, []string{dir}, false)
}

// Three app nodes share one bucket: two create the same keys at once while
// the third rotates the KEK again and again and a fourth destroys keys.
// Every key must come out the same for everyone, survive every rotation,
// and the destroyed ones must still be gone from disk.
func TestKeysCreatedDuringRotationsAreNeitherLostNorSplit(t *testing.T) {
	dir := t.TempDir()
	node := newNode(t, dir)
	node.start()
	ctx := context.Background()
	var handles []*NATS
	for range 4 {
		h, err := NewNATS(ctx, connect(t, node.srv), "")
		if err != nil {
			t.Fatal(err)
		}
		handles = append(handles, h)
	}
	a, b, c, d := handles[0], handles[1], handles[2], handles[3]

	doomed := map[string][]byte{}
	for i := range 8 {
		subj := fmt.Sprintf("retro:doomed-%d", i)
		k, err := a.GetOrCreate(ctx, subj)
		if err != nil {
			t.Fatal(err)
		}
		doomed[subj] = k
	}
	const n = 60
	gotA, gotC := make([][]byte, n), make([][]byte, n)
	errs := make(chan error, 1000)
	var wg, creators sync.WaitGroup
	// Both creators walk the same subjects, one after another, so each
	// create races the other node's and whatever rotation is running.
	for _, h := range []struct {
		s   *NATS
		got [][]byte
	}{{a, gotA}, {c, gotC}} {
		creators.Go(func() {
			for i := range n {
				k, err := h.s.GetOrCreate(ctx, fmt.Sprintf("user:new-%d", i))
				h.got[i] = k
				errs <- err
			}
		})
	}
	created := make(chan struct{})
	wg.Go(func() { creators.Wait(); close(created) })
	const rotations = 4
	rotated := 0
	wg.Go(func() {
		for {
			select {
			case <-created:
				if rotated >= rotations {
					return
				}
			default:
			}
			errs <- b.Rotate(ctx)
			rotated++
		}
	})
	wg.Go(func() {
		for subj := range doomed {
			errs <- d.Destroy(ctx, subj)
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	fresh, err := NewNATS(ctx, connect(t, node.srv), "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		subj := fmt.Sprintf("user:new-%d", i)
		if !bytes.Equal(gotA[i], gotC[i]) {
			t.Fatalf("%s: two nodes got two keys, %x and %x", subj, gotA[i], gotC[i])
		}
		if k, err := fresh.Get(ctx, subj); err != nil || !bytes.Equal(k, gotA[i]) {
			t.Fatalf("%s after the rotations: Get = %x, %v; want %x", subj, k, err, gotA[i])
		}
	}
	for subj := range doomed {
		if _, err := fresh.Get(ctx, subj); !errors.Is(err, ErrDestroyed) {
			t.Fatalf("%s: Get = %v, want ErrDestroyed", subj, err)
		}
	}
	epoch, err := fresh.Epoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if epoch < 1+rotations {
		t.Errorf("epoch %d after %d rotations and %d destroys; want at least %d", epoch, rotations, len(doomed), 1+rotations)
	}
	epochs, err := fresh.kekEpochs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(epochs, epoch) || slices.Min(epochs) != epoch {
		t.Errorf("KEK buckets of epochs %v remain; want the current %d and none older (spares may follow)", epochs, epoch)
	}
	node.stop()
	var subjects []string
	for subj := range doomed {
		subjects = append(subjects, subj)
	}
	eventually(t, func() []string {
		problems := filesHolding(t, []string{dir}, doomed)
		if got := attribute(t, []string{dir}, subjects); len(got) > 0 {
			problems = append(problems, fmt.Sprintf("a copy of the folder still opens destroyed keys of %d subjects", len(got)))
		}
		return problems
	})
}

// Someone deletes the current KEK's bucket by hand: the store says what is
// wrong instead of spinning, and a rotation mends it for new keys.
func TestAKEKDeletedByHandIsReportedAndARotationMendsIt(t *testing.T) {
	srv := startNATS(t)
	ctx := context.Background()
	js := connect(t, srv)
	s, err := NewNATS(ctx, js, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetOrCreate(ctx, "user:u1"); err != nil {
		t.Fatal(err)
	}
	epoch, _ := s.Epoch(ctx)
	if err := js.DeleteKeyValue(ctx, kekBucket(DefaultBucket, epoch)); err != nil {
		t.Fatal(err)
	}
	fresh, err := NewNATS(ctx, connect(t, srv), "")
	if err != nil {
		t.Fatal(err)
	}
	// Reported at once, not after the retries a rotation in progress
	// gets: a start reads every account's key.
	waitCtx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := fresh.Get(waitCtx, "user:u1"); err == nil || !strings.Contains(err.Error(), "keys rotate") {
		t.Fatalf("Get with the current KEK gone = %v; want an error naming the remedy", err)
	}
	if _, err := fresh.GetOrCreate(ctx, "retro:r1"); err == nil || !strings.Contains(err.Error(), "keys rotate") {
		t.Fatalf("GetOrCreate with the current KEK gone = %v; want an error naming the remedy", err)
	}
	if err := fresh.Rotate(ctx); err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	k, err := fresh.GetOrCreate(ctx, "retro:r1")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "retro:r1"); err != nil || !bytes.Equal(got, k) {
		t.Fatalf("another node reads %x, %v; want %x", got, err, k)
	}
}

// A bucket an earlier version wrote holds keys raw. This version reads them
// unchanged, wraps them when it first opens the bucket, and a key destroyed
// afterwards leaves no KEK behind that opens it.
func TestKeysAnEarlierVersionStoredRawAreWrappedAndStillRead(t *testing.T) {
	srv := startNATS(t)
	ctx := context.Background()
	js := connect(t, srv)
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: DefaultBucket, History: 1, Storage: jetstream.FileStorage})
	if err != nil {
		t.Fatal(err)
	}
	old, _ := newKey()
	if _, err := kv.Put(ctx, encodeSubject("server:token-signing"), append(append([]byte(nil), legacyTag...), old...)); err != nil {
		t.Fatal(err)
	}
	s, err := NewNATS(ctx, js, "")
	if err != nil {
		t.Fatal(err)
	}
	if kv, err = js.KeyValue(ctx, DefaultBucket); err != nil { // bound afresh: direct reads are off now
		t.Fatal(err)
	}
	e, err := kv.Get(ctx, encodeSubject("server:token-signing"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(e.Value(), old) || !bytes.HasPrefix(e.Value(), wrappedTag) {
		t.Fatalf("after opening, the bucket still holds the key raw: %q", e.Value())
	}
	if got, err := s.Get(ctx, "server:token-signing"); err != nil || !bytes.Equal(got, old) {
		t.Fatalf("Get = %x, %v; want the key the earlier version stored, %x", got, err, old)
	}
}

// A server that is down while a key is destroyed keeps the old KEK on its
// disk, as the README warns, and drops it when it rejoins the cluster.
func TestAServerDownDuringADestroyDropsTheOldKEKWhenItRejoins(t *testing.T) {
	nodes := startCluster(t)
	ctx := context.Background()
	s, err := NewNATS(ctx, connect(t, nodes[0].srv), "", WithReplicas(3))
	if err != nil {
		t.Fatal(err)
	}
	w := makeShredWorld(t, s)
	// The spares are made while the cluster is whole; on a loaded
	// machine making them may take longer than the store waits.
	epoch, err := s.Epoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, func() []string {
		have, err := s.kekEpochs(ctx)
		if err != nil {
			return []string{err.Error()}
		}
		if slices.Contains(have, epoch+1) && slices.Contains(have, epoch+2) {
			return nil
		}
		s.prepareSpares(ctx, epoch, have)
		return []string{fmt.Sprintf("KEK buckets of epochs %v; want spares %d and %d", have, epoch+1, epoch+2)}
	})
	down := nodes[2]
	down.stop()
	// A stream whose leader was on the stopped server answers nothing
	// until the other two elect a new one, a moment later.
	js := connect(t, nodes[0].srv)
	eventually(t, func() []string {
		var problems []string
		for _, name := range []string{"KV_" + DefaultBucket, "KV_" + kekBucket(DefaultBucket, epoch+1), "KV_" + kekBucket(DefaultBucket, epoch+2)} {
			cctx, cancel := context.WithTimeout(ctx, time.Second)
			st, err := js.Stream(cctx, name)
			var info *jetstream.StreamInfo
			if err == nil {
				info, err = st.Info(cctx)
			}
			cancel()
			if err != nil || info.Cluster == nil || info.Cluster.Leader == "" || info.Cluster.Leader == down.opts.ServerName {
				problems = append(problems, name+" has no leader yet")
			}
		}
		return problems
	})
	w.destroy(t, s)
	var up []string
	for _, n := range nodes[:2] {
		up = append(up, n.opts.StoreDir)
	}
	w.checkGone(t, up, true)
	if got := attribute(t, []string{down.opts.StoreDir}, []string{retroSubject}); got[retroSubject] == nil {
		t.Log("the stopped server's folder did not even hold the retro key's KEK; nothing to drop")
	}
	down.start()
	w.checkGone(t, []string{down.opts.StoreDir}, true)
}
