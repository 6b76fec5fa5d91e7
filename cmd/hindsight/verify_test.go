package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
)

// runCommand runs a command in process and returns its status and output.
func runCommand(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, envOf(nil), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestVerifyOfAWholeClusterLogExitsZeroAndCountsItsCommits(t *testing.T) {
	srv, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: natsserver.RANDOM_PORT,
		NoSigs: true, NoLog: true, JetStream: true, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("NATS server not ready")
	}
	ctx := context.Background()
	st, err := natsjs.Open(ctx, natsjs.Config{URL: srv.ClientURL(), Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		_, err := st.Append(ctx, eventstore.Commit{Stream: eventstore.StreamID{Category: retro.Category, ID: "r1"}, ExpectedVersion: int64(i),
			CommandID: fmt.Sprint("c", i), Events: []eventstore.Event{{Type: "Noted", SchemaVersion: 1, Payload: json.RawMessage(`{}`)}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	code, out, errOut := runCommand(t, "verify", "--nats-url", srv.ClientURL(), "--nats-replicas", "1", "--data-dir", t.TempDir())
	if code != 0 || !strings.Contains(out, "log: whole: 3 commits in 1 streams up to position 3") {
		t.Errorf("verify of a whole log: exit %d\n%s%s", code, out, errOut)
	}
}

func TestVerifyOfAMissingDataFolderExitsOneWithoutCreatingIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nothing-here")
	code, _, errOut := runCommand(t, "verify", "--data-dir", dir)
	if code != 1 || !strings.Contains(errOut, "no data folder at "+dir) {
		t.Errorf("verify of a missing folder: exit %d, %s", code, errOut)
	}
	if code, _, _ := runCommand(t, "verify", "--data-dir", dir); code != 1 {
		t.Errorf("a second verify found the folder created: exit %d", code)
	}
}
