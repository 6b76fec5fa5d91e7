package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	hsapp "github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// mailFailuresJob lists or clears failed mail addresses on the operator's
// word: the only way to see those of mail about no workspace.
func mailFailuresJob(ctx context.Context, job string, cfg adminConfig, d hsapp.Deps, stdout io.Writer) error {
	cat, err := catalog.Load()
	if err != nil {
		return fmt.Errorf("catalogue: %w", err)
	}
	d.Catalog = cat
	a := hsapp.New(d)
	where := "workspace " + cfg.workspace
	if cfg.workspace == "" {
		where = "mail about no workspace"
	}
	if job == "clear-mail-failure" {
		res, err := a.OperatorClearMailFailure(ctx, hsapp.Operator{Name: "operator:" + cfg.operator, CommandID: uuid.NewString()}, cfg.workspace, cfg.hash)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "cleared the failed address %s of %s: mail goes to it again (position %d)\n", cfg.hash, where, res.Position)
		return nil
	}
	fs, err := a.OperatorMailFailures(ctx, cfg.workspace)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HASH\tUSER\tNAME\tADDRESS\tREFUSALS\tSUPPRESSED\tLAST\tLAST KIND\tLAST REPLY")
	for _, f := range fs {
		last := f.Refusals[len(f.Refusals)-1]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%v\t%s\t%s\t%s\n", f.AddressHash, f.UserID, orDash(f.Name), orDash(f.Address),
			len(f.Refusals), f.Suppressed, last.At.UTC().Format(time.RFC3339), last.Kind, last.Reply)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(fs) == 0 {
		fmt.Fprintf(stdout, "no failed addresses in %s\n", where)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
