package kurrent

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/storetest"
)

// TestContract runs the contract suite against a real KurrentDB, named by
// HINDSIGHT_KURRENTDB_URL (see README.md); none can be started from a test.
func TestContract(t *testing.T) {
	url := os.Getenv("HINDSIGHT_KURRENTDB_URL")
	if url == "" {
		t.Skip("HINDSIGHT_KURRENTDB_URL is not set: the contract suite needs a running KurrentDB, " +
			"e.g. HINDSIGHT_KURRENTDB_URL='esdb://127.0.0.1:2113?tls=false' (see eventstore/kurrent/README.md)")
	}
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s, err := Open(ctx, Config{URL: url, Logger: discardLogger()})
		if err != nil {
			t.Fatalf("open %s: %v", url, err)
		}
		return s
	})
}

// TestContractOnFakeServer runs the suite against the loopback fake of
// fakeserver_test.go. It checks this backend's own logic (commit positions,
// duplicate detection, start positions) against the server behaviour the
// fake models; it does not replace TestContract on a real server.
func TestContractOnFakeServer(t *testing.T) {
	_, url := startFake(t)
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s, err := Open(ctx, Config{URL: url, Logger: discardLogger()})
		if err != nil {
			t.Fatalf("open %s: %v", url, err)
		}
		return s
	})
}
