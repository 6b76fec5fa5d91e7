// Command hindsight is the one binary of Hindsight: `hindsight serve` runs the
// API over an event store, embedded NATS JetStream by default.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	// Teams' time zones (recurring retros, calendars) load on hosts and
	// images without a zone database.
	_ "time/tzdata"

	"github.com/hindsight-retro/hindsight/collab"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal starts a graceful stop, a second one kills at once.
	go func() {
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is the whole program short of the process: ctx ending asks it to stop,
// env reads the environment, and the result is the exit status.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	a := &app{env: env, stdout: stdout, stderr: stderr, openStore: openStore}
	return a.run(ctx, args)
}

// app holds what a command needs from the outside; tests swap the store
// opener and learn the bound address through listening.
type app struct {
	env       func(string) string
	stdout    io.Writer
	stderr    io.Writer
	openStore storeOpener
	// listening, when set, is called with the bound address once the API serves.
	listening func(net.Addr)
	// wrapHandler, when set, wraps the API handler; tests add slow routes with it.
	wrapHandler func(http.Handler) http.Handler
}

const mainUsage = `Hindsight is an event-sourced backend for agile retrospectives.

Usage: hindsight <command> [flags]

Commands:
  serve     serve the API (embedded NATS JetStream by default)
  replay    rebuild every read model from a store or an export file; --sqlite writes them as SQL tables
  export    write a team's history as NDJSON CloudEvents, redacted for a person
  demo      generate a realistic workspace (teams, a year of retros) into a store
  admin     an operator's jobs on the log: list workspaces and teams, add a
            workspace admin, issue, list and revoke API tokens
  keys      keys rotate: rotate the key-encryption key of the NATS key store
  verify    check a data folder or cluster for damage (missing or unreadable commits, lost keys); non-zero exit on damage
  version   print the version

Internal (started by serve, not by hand):
  collab-worker  check whiteboard sync messages on stdin in a sacrificial process

Run 'hindsight <command> --help' for a command's flags.
`

func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, mainUsage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return a.runServe(ctx, rest)
	case "replay":
		return runReplay(ctx, rest, a.env, a.stdout, a.stderr)
	case "export":
		return runExport(ctx, rest, a.env, a.stdout, a.stderr)
	case "demo":
		return runDemo(ctx, rest, a.env, a.stdout, a.stderr)
	case "admin":
		return runAdmin(ctx, rest, a.env, a.stdout, a.stderr)
	case "keys":
		return runKeys(ctx, rest, a.env, a.stdout, a.stderr)
	case "verify":
		return runVerify(ctx, rest, a.env, a.stdout, a.stderr)
	case "version":
		return a.runVersion(rest)
	case "collab-worker":
		// Internal: serve starts these itself (re-running this binary) to
		// check untrusted whiteboard sync messages in a process that may
		// crash. It never returns.
		collab.WorkerMain()
		return exitFailure
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			// "hindsight help serve" is "hindsight serve --help".
			return a.run(ctx, []string{rest[0], "--help"})
		}
		fmt.Fprint(a.stdout, mainUsage)
		return exitOK
	default:
		fmt.Fprintf(a.stderr, "hindsight: unknown command %q\n\n%s", cmd, mainUsage)
		return exitUsage
	}
}

func (a *app) runServe(ctx context.Context, args []string) int {
	cfg, fs, err := parseServeConfig(args, a.env)
	if errors.Is(err, flag.ErrHelp) {
		writeServeUsage(a.stdout, fs)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "hindsight serve: %v\nRun 'hindsight serve --help' for the flags.\n", err)
		return exitUsage
	}
	logger := newLogger(a.stderr, cfg.LogLevel)
	chosen := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { chosen[f.Name] = true })
	gc, err := resolveGC(cfg, chosen, a.env, os.ReadFile)
	if err != nil {
		fmt.Fprintf(a.stderr, "hindsight serve: %v\nRun 'hindsight serve --help' for the flags.\n", err)
		return exitUsage
	}
	gc.apply()
	logger.Info("garbage collector", "percent", gc.Percent, "percentFrom", gc.PercentFrom,
		"memoryLimit", gc.MemoryLimit, "memoryLimitFrom", gc.MemoryLimitFrom)
	if err := a.serve(ctx, cfg, logger); err != nil {
		logger.Error("serve failed", "err", err.Error())
		return exitFailure
	}
	return exitOK
}

// newLogger writes structured JSON lines, the form log collectors parse.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
