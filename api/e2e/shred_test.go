//go:build unix

package e2e_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/hindsight-retro/hindsight/api/keys"
)

// An anonymous retro is closed through the API of the real binary. Someone
// who copies the data folder afterwards, also after a restart, finds its
// anonymity key in no file and cannot unwrap it with anything in the
// folder, so they cannot link a card to its author.
func TestAClosedAnonymousRetrosKeyIsGoneFromTheDataFolder(t *testing.T) {
	data := t.TempDir()
	n := startNode(t, "node", "--data-dir", data)
	mo := newParticipant("Mo", n)
	mo.register(t)
	create := func(path string, body any) string {
		t.Helper()
		a := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: path, body: body})
		return a.str("id")
	}
	ws := create("/v1/workspaces", map[string]string{"name": "Acme"})
	team := create("/v1/workspaces/"+ws+"/teams", map[string]string{"name": "Platform", "templateId": "scrum-team"})
	retro := create("/v1/teams/"+team+"/retros", map[string]any{"title": "Sprint 42", "anonymous": true})
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + retro + "/steps/collect/go"})
	create("/v1/retros/"+retro+"/cards", map[string]string{"columnId": "stop", "text": "The release train is late again"})
	subject := "retro:" + retro

	// While the retro is open, its key is in the folder for whoever
	// holds it: read it the way the server does, and check that the
	// attempt below does recover it, or it would prove nothing.
	n.stop(t)
	key := readKey(t, data, subject)
	if got, err := keys.Recover([]string{data}, []string{subject}); err != nil || !bytes.Equal(got[subject], key) {
		t.Fatalf("from the folder of an open retro Recover = %x, %v; want its key %x", got[subject], err, key)
	}

	n = startNode(t, "node again", "--data-dir", data)
	mo.node = n
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + retro + "/close"})
	// The key is destroyed by a reactor following the log, just after.
	deadline := time.Now().Add(startBound)
	for {
		got, err := keys.Recover([]string{data}, []string{subject})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := got[subject]; !ok && !anyFileHolds(t, data, key) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v after the close the retro's key is still recoverable from the data folder", startBound)
		}
		time.Sleep(50 * time.Millisecond)
	}
	n.stop(t)
	n = startNode(t, "node restarted", "--data-dir", data)
	n.stop(t)
	if anyFileHolds(t, data, key) {
		t.Fatal("after a restart a file in the data folder holds the closed retro's key")
	}
	if got, err := keys.Recover([]string{data}, []string{subject}); err != nil || got[subject] != nil {
		t.Fatalf("after a restart Recover from the data folder = %x, %v; want nothing", got[subject], err)
	}
}

// readKey opens the stopped node's folder with an embedded NATS server of
// its own and reads subject's key through the key store.
func readKey(t *testing.T, data, subject string) []byte {
	t.Helper()
	ns, err := natsserver.NewServer(&natsserver.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: data, NoLog: true, NoSigs: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	if !ns.ReadyForConnections(startBound) {
		t.Fatal("NATS on the data folder did not get ready")
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := keys.NewNATS(context.Background(), js, "")
	if err != nil {
		t.Fatal(err)
	}
	k, err := ks.Get(context.Background(), subject)
	if err != nil {
		t.Fatalf("the open retro's key: %v", err)
	}
	return k
}

func anyFileHolds(t *testing.T, dir string, secret []byte) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if bytes.Contains(b, secret) {
			t.Logf("%s holds the key", strings.TrimPrefix(path, dir))
			found = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}
