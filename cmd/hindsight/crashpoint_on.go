//go:build crashpoints

package main

import (
	"log/slog"
	"strings"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// crashpoint is where this test build stops to be killed: built with
// `-tags crashpoints` and started with HINDSIGHT_CRASHPOINT=<point>:<event
// type> (a point of runner's Crash… constants), the node logs "crashpoint"
// when it reaches the point for an event of that type and then hangs, for
// the test to kill it with SIGKILL there. A released binary has none.
type crashpoint = func(point string, cause eventstore.RecordedEvent)

func newCrashpoint(env func(string) string, logger *slog.Logger) crashpoint {
	at, typ, ok := strings.Cut(env(envPrefix+"CRASHPOINT"), ":")
	if !ok {
		return nil
	}
	return func(point string, cause eventstore.RecordedEvent) {
		if point != at || cause.Type != typ {
			return
		}
		logger.Error("crashpoint", "point", point, "type", cause.Type, "position", cause.Position)
		select {}
	}
}
