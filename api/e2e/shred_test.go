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

	"github.com/hindsight-retro/hindsight/app/keys"
)

// An anonymous retro is closed and an account erased through the API of the
// real binary. Someone who copies the data folder afterwards, also after a
// restart, finds neither key in any file and cannot unwrap them with
// anything in the folder: no card links to its author, no e-mail address
// of the erased person can be read.
func TestAClosedRetrosAndAnErasedPersonsKeysAreGoneFromTheDataFolder(t *testing.T) {
	data := t.TempDir()
	n := startNode(t, "node", "--data-dir", data)
	mo, eve := newParticipant("Mo", n), newParticipant("Eve", n)
	mo.register(t)
	eve.register(t)
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
	subjects := []string{"retro:" + retro, "user:" + eve.id}

	// While they are live, the keys are in the folder for whoever holds
	// it: read them the way the server does, and check that the attempt
	// below recovers them, or it would prove nothing.
	n.stop(t)
	secrets := readKeys(t, data, subjects)
	got, err := keys.Recover([]string{data}, subjects)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subjects {
		if !bytes.Equal(got[s], secrets[s]) {
			t.Fatalf("from the folder while %s is live Recover = %x; want its key %x", s, got[s], secrets[s])
		}
	}

	n = startNode(t, "node again", "--data-dir", data)
	mo.node, eve.node = n, n
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + retro + "/close"})
	eve.must(t, http.StatusNoContent, request{method: http.MethodDelete, path: "/v1/me"})
	// Both answered once their keys were destroyed; the server removes
	// the deleted KEK's files just after.
	deadline := time.Now().Add(startBound)
	for recoverable(t, data, subjects, secrets) {
		if time.Now().After(deadline) {
			t.Fatalf("%v after the close and the erasure a key is still recoverable from the data folder", startBound)
		}
		time.Sleep(50 * time.Millisecond)
	}
	n.stop(t)
	n = startNode(t, "node restarted", "--data-dir", data)
	n.stop(t)
	if recoverable(t, data, subjects, secrets) {
		t.Fatal("after a restart a destroyed key is recoverable from the data folder")
	}
}

// recoverable tells whether a file under data holds one of secrets or
// Recover opens one of them.
func recoverable(t *testing.T, data string, subjects []string, secrets map[string][]byte) bool {
	t.Helper()
	got, err := keys.Recover([]string{data}, subjects)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range subjects {
		if got[s] != nil {
			t.Logf("Recover opens the key of %s", s)
			found = true
		}
		if anyFileHolds(t, data, secrets[s]) {
			found = true
		}
	}
	return found
}

// readKeys opens the stopped node's folder with an embedded NATS server of
// its own and reads the subjects' keys through the key store.
func readKeys(t *testing.T, data string, subjects []string) map[string][]byte {
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
	got := map[string][]byte{}
	for _, s := range subjects {
		if got[s], err = ks.Get(context.Background(), s); err != nil {
			t.Fatalf("the key of %s: %v", s, err)
		}
	}
	return got
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
