package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	hsapp "github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
	"github.com/hindsight-retro/hindsight/projections/directory"
)

const adminSummary = `Usage: hindsight admin <job> [flags]

An operator's everyday jobs, done on the log directly: on a data folder
while serve is stopped (a folder a running serve holds is refused), or on
the NATS cluster (--nats-url) or KurrentDB (--eventstore kurrent) the
servers use, while they run. Store flags as for serve.

Jobs:
  workspaces            list the workspaces: ID, name, admins, teams
  teams                 list the teams (--workspace: of one workspace): ID,
                        workspace, name, members, admins
  add-workspace-admin   make the account with --email an admin of
                        --workspace, on the operator's word (--operator)
  tokens                list the API tokens of the account with --email
  issue-token           issue an API token acting as the account with
                        --email (--name, --scope, --expires); prints the
                        token once
  revoke-token          revoke the account's API token --token (its ID)
  mail-failures         list the addresses a mail server refused for good,
                        of --workspace, or without it of mail about no
                        workspace (an account's own)
  clear-mail-failure    forget the refusals of the address --hash (as
                        mail-failures lists it), of --workspace or of none,
                        so mail goes to it again (--operator)
`

// adminJobs are the jobs of `hindsight admin`, in the order of the help.
var adminJobs = []string{"workspaces", "teams", "add-workspace-admin", "tokens", "issue-token", "revoke-token",
	"mail-failures", "clear-mail-failure"}

type adminConfig struct {
	store     serveConfig
	workspace string
	email     string
	operator  string
	name      string
	scope     string
	expires   time.Duration
	token     string
	hash      string
}

// runAdmin is `hindsight admin`.
func runAdmin(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	cfg := adminConfig{store: defaultServeConfig(), operator: "operator", scope: string(identity.ScopeRead)}
	fs := newFlagSet("admin")
	storeFlags(fs, &cfg.store)
	fs.StringVar(&cfg.workspace, "workspace", "", "workspace `ID` (teams, add-workspace-admin, mail-failures, clear-mail-failure)")
	fs.StringVar(&cfg.email, "email", "", "e-mail `address` of the account (add-workspace-admin, tokens, issue-token, revoke-token)")
	fs.StringVar(&cfg.operator, "operator", cfg.operator, "who the log records as acting (add-workspace-admin, clear-mail-failure), as operator:`name`")
	fs.StringVar(&cfg.name, "name", "", "the token's `name`, to recognise it later (issue-token)")
	fs.StringVar(&cfg.scope, "scope", cfg.scope, "the token's `scope`: read, or write (everything the account may do) (issue-token)")
	fs.Var(&durationValue{p: &cfg.expires}, "expires", "the token expires after this `duration`, such as 720h; 0 never (issue-token)")
	fs.StringVar(&cfg.token, "token", "", "`ID` of the token to revoke, as tokens lists it (revoke-token)")
	fs.StringVar(&cfg.hash, "hash", "", "the failed address's `hash`, as mail-failures lists it (clear-mail-failure)")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			writeUsage(stdout, adminSummary, fs)
			return exitOK
		}
		return exitFor(usagef("name a job: %s", strings.Join(adminJobs, ", ")), "admin", fs, adminSummary, stdout, stderr)
	}
	job := args[0]
	if !slices.Contains(adminJobs, job) {
		return exitFor(usagef("unknown job %q; the jobs are %s", job, strings.Join(adminJobs, ", ")), "admin", fs, adminSummary, stdout, stderr)
	}
	if err := parseFlags(fs, args[1:], env); err != nil {
		return exitFor(err, "admin", fs, adminSummary, stdout, stderr)
	}
	if err := cfg.check(job); err != nil {
		return exitFor(err, "admin", fs, adminSummary, stdout, stderr)
	}
	if err := doAdmin(ctx, job, cfg, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "hindsight admin %s: %v\n", job, err)
		return exitFailure
	}
	return exitOK
}

// check reports a flag a job needs and lacks.
func (c adminConfig) check(job string) error {
	need := func(flag, v string) error {
		if strings.TrimSpace(v) == "" {
			return usagef("admin %s needs --%s", job, flag)
		}
		return nil
	}
	var errs []error
	switch job {
	case "add-workspace-admin":
		errs = append(errs, need("workspace", c.workspace), need("email", c.email), need("operator", c.operator))
	case "tokens":
		errs = append(errs, need("email", c.email))
	case "issue-token":
		errs = append(errs, need("email", c.email), need("name", c.name))
		if s := identity.Scope(c.scope); s != identity.ScopeRead && s != identity.ScopeWrite {
			errs = append(errs, usagef("--scope is read or write, not %q", c.scope))
		}
		if c.expires < 0 {
			errs = append(errs, usagef("--expires must not be negative"))
		}
	case "revoke-token":
		errs = append(errs, need("email", c.email), need("token", c.token))
	case "clear-mail-failure":
		errs = append(errs, need("hash", c.hash), need("operator", c.operator))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func doAdmin(ctx context.Context, job string, cfg adminConfig, stdout, stderr io.Writer) error {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	openCtx, cancel := context.WithTimeout(ctx, storeOpenTimeout)
	store, err := openStore(openCtx, cfg.store, logger)
	cancel()
	if errors.Is(err, natsjs.ErrDataDirInUse) {
		return fmt.Errorf("%w\nStop hindsight serve first, or run this against the cluster the servers use (--nats-url)", err)
	}
	if err != nil {
		return err
	}
	defer store.Close()
	switch job {
	case "workspaces", "teams":
		return listDirectory(ctx, job, cfg.workspace, store, stdout)
	}
	ks, err := openKeys(ctx, cfg.store, store, logger)
	if err != nil {
		return err
	}
	id, err := identity.New(identity.Deps{Store: store, Keys: ks, Logger: logger})
	if err != nil {
		return fmt.Errorf("start identity: %w", err)
	}
	if job == "mail-failures" || job == "clear-mail-failure" {
		return mailFailuresJob(ctx, job, cfg, hsapp.Deps{Store: store, Keys: ks, Identity: id, Logger: logger}, stdout)
	}
	userID, err := id.AccountByEmail(ctx, cfg.email)
	if err != nil {
		return fmt.Errorf("%s: %w", cfg.email, err)
	}
	// The account's own principal: tokens are the account's, and act as it.
	owner := identity.Principal{UserID: userID, Kind: identity.KindUser, Scopes: []identity.Scope{identity.ScopeRead, identity.ScopeWrite}}
	cmdID := uuid.NewString()
	caller := identity.Caller{Principal: owner, CommandID: cmdID}
	switch job {
	case "add-workspace-admin":
		cat, err := catalog.Load()
		if err != nil {
			return fmt.Errorf("catalogue: %w", err)
		}
		a := hsapp.New(hsapp.Deps{Store: store, Keys: ks, Identity: id, Catalog: cat, Logger: logger})
		res, err := a.OperatorAddWorkspaceAdmin(ctx, hsapp.Operator{Name: "operator:" + cfg.operator, CommandID: cmdID}, cfg.workspace, hsapp.Person{UserID: userID})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s (user %s) is now an admin of workspace %s (position %d)\n", cfg.email, userID, cfg.workspace, res.Position)
	case "tokens":
		toks, err := id.ListAPITokens(ctx, owner)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSCOPES\tCREATED\tEXPIRES\tREVOKED")
		for _, t := range toks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, joinScopes(t.Scopes), t.CreatedAt.Format(time.RFC3339), timeOr(t.ExpiresAt, "never"), timeOr(t.RevokedAt, "-"))
		}
		return tw.Flush()
	case "issue-token":
		var expires *time.Time
		if cfg.expires > 0 {
			e := time.Now().Add(cfg.expires)
			expires = &e
		}
		tok, err := id.IssueAPIToken(ctx, caller, identity.APITokenInput{Name: cfg.name, Scopes: []identity.Scope{identity.Scope(cfg.scope)}, Expires: expires})
		if err != nil {
			return err
		}
		// The secret, alone on standard output, so a script can take it;
		// the rest goes to standard error.
		fmt.Fprintln(stdout, tok.Token)
		fmt.Fprintf(stderr, "issued token %s (%s) for %s; it is shown only now\n", tok.Principal.TokenID, cfg.scope, cfg.email)
	case "revoke-token":
		if err := id.RevokeAPIToken(ctx, caller, cfg.token); err != nil {
			if errors.Is(err, domain.ErrNotFound) {
				return fmt.Errorf("%s has no token %s", cfg.email, cfg.token)
			}
			return err
		}
		fmt.Fprintf(stdout, "revoked token %s of %s\n", cfg.token, cfg.email)
	}
	return nil
}

func listDirectory(ctx context.Context, job, workspaceID string, store eventstore.Store, w io.Writer) error {
	d, err := directory.Read(ctx, store)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if job == "workspaces" {
		fmt.Fprintln(tw, "ID\tNAME\tADMINS\tTEAMS")
		for _, ws := range d.Workspaces {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", ws.ID, ws.Name, strings.Join(ws.Admins, ","), ws.Teams)
		}
		return tw.Flush()
	}
	if workspaceID != "" && !hasWorkspace(d, workspaceID) {
		return fmt.Errorf("no workspace %q", workspaceID)
	}
	fmt.Fprintln(tw, "ID\tWORKSPACE\tNAME\tMEMBERS\tADMINS")
	for _, t := range d.Teams {
		if workspaceID == "" || t.WorkspaceID == workspaceID {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", t.ID, t.WorkspaceID, t.Name, t.Members, strings.Join(t.Admins, ","))
		}
	}
	return tw.Flush()
}

func hasWorkspace(d directory.Directory, id string) bool {
	return slices.ContainsFunc(d.Workspaces, func(ws directory.Workspace) bool { return ws.ID == id })
}

func joinScopes(ss []identity.Scope) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ",")
}

func timeOr(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.UTC().Format(time.RFC3339)
}
