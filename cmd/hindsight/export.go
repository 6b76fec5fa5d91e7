package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/app/sealedlog"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections/export"
	"github.com/hindsight-retro/hindsight/projections/replay"
)

const exportSummary = `Usage: hindsight export --team ID --as USERID [flags]

Write a team's history (its stream, its retros, the surveys sent to it) as
NDJSON, one CloudEvents 1.0 event per line, redacted for the user named by
--as exactly as the live feed would redact it for them: concealed cards of
others without text, no anonymous author, no pseudonym, only their own votes,
answers and ratings. The user must be a member of the team (or a guest of
the --retro exported); an unknown team, retro or user is an error and writes
nothing. Store flags as for serve.
`

// runExport is `hindsight export`.
func runExport(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	cfg := defaultServeConfig()
	fs := newFlagSet("export")
	storeFlags(fs, &cfg)
	var (
		f        export.Filter
		as, out  string
		untilArg string
		force    bool
	)
	fs.StringVar(&f.TeamID, "team", "", "`ID` of the team whose history is exported (required)")
	fs.StringVar(&as, "as", "", "user `ID` the export is redacted for (required)")
	fs.StringVar(&f.RetroID, "retro", "", "export only this retro (`ID`)")
	fs.StringVar(&untilArg, "until", "", "stop after this `position`, or leave out what happened after this RFC 3339 time")
	fs.StringVar(&out, "out", "", "write to this `file` instead of standard output")
	fs.BoolVar(&force, "force", false, "overwrite the --out file if it exists")
	if err := parseFlags(fs, args, env); err != nil {
		return exitFor(err, "export", fs, exportSummary, stdout, stderr)
	}
	if strings.TrimSpace(f.TeamID) == "" || strings.TrimSpace(as) == "" {
		return exitFor(usagef("--team and --as are required"), "export", fs, exportSummary, stdout, stderr)
	}
	until, err := replay.ParseUntil(untilArg)
	if err != nil {
		return exitFor(usagef("%v", err), "export", fs, exportSummary, stdout, stderr)
	}
	f.Until, f.UntilTime = until.Position, until.Time
	if err := doExport(ctx, cfg, f, as, out, force, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "hindsight export: %v\n", err)
		return exitFailure
	}
	return exitOK
}

func doExport(ctx context.Context, cfg serveConfig, f export.Filter, as, out string, force bool, stdout, stderr io.Writer) error {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	openCtx, cancel := context.WithTimeout(ctx, storeOpenTimeout)
	store, err := openStore(openCtx, cfg, logger)
	cancel()
	if err != nil {
		return err
	}
	defer store.Close()
	// Before any output exists: a mistyped ID is an error, not an empty
	// file or an outsider's view.
	if err := export.CheckAudience(ctx, store, f, as); err != nil {
		return err
	}
	ks, err := openKeys(ctx, cfg, store, logger)
	if err != nil {
		return err
	}
	w := stdout
	if out != "" {
		if err := makeRoom(out, force); err != nil {
			return err
		}
		file, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("open %s: %w", out, err)
		}
		defer file.Close()
		bw := bufio.NewWriter(file)
		defer bw.Flush()
		w = bw
	}
	return exportWith(ctx, store, ks, f, as, w)
}

// exportWith writes the export; the viewer's pseudonym in a retro or
// survey comes from that aggregate's anonymity key, and is unknown (so
// nothing shows as theirs) once the key is destroyed.
func exportWith(ctx context.Context, store eventstore.Store, ks keys.Store, f export.Filter, as string, w io.Writer) error {
	pseudonym := func(id string) string {
		for _, subject := range []string{"retro:" + id, "survey:" + id} {
			if k, err := ks.Get(ctx, subject); err == nil {
				return domain.Pseudonym(k, as)
			}
		}
		return ""
	}
	return export.Export(ctx, sealedlog.New(store, ks), f, export.Viewer{UserID: as, Pseudonym: pseudonym}, w)
}
