package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	hsapp "github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// world opens the embedded store in dir with the server's identity and app
// over it, as serve wires them; close releases the folder.
type world struct {
	store eventstore.Store
	id    *identity.Service
	app   *hsapp.App
}

func openWorld(t *testing.T, dir string) (*world, func()) {
	t.Helper()
	ctx := context.Background()
	cfg := defaultServeConfig()
	cfg.DataDir = dir
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := openStore(ctx, cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := openKeys(ctx, cfg, store, logger)
	if err != nil {
		t.Fatal(err)
	}
	id, err := identity.New(identity.Deps{Store: store, Keys: ks, Password: identity.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &world{store: store, id: id, app: hsapp.New(hsapp.Deps{Store: store, Keys: ks, Identity: id, Catalog: cat})}, func() { store.Close() }
}

func admin(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runAdmin(context.Background(), args, noEnv, &out, &errOut)
	return code, out.String(), errOut.String()
}

// An operator's day on a data folder: Ada's workspace lost track of its
// admins' help, so the operator makes Ben an admin too, and gives Ada a
// read-only token for a report script, then revokes it.
func TestAnOperatorManagesAdminsAndTokensOnAStoppedServersDataFolder(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	w, closeWorld := openWorld(t, dir)
	ada, err := w.id.Register(ctx, identity.Caller{CommandID: "c-ada"}, identity.Registration{Email: "ada@example.com", Password: "correct horse battery staple", Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	ben, err := w.id.Register(ctx, identity.Caller{CommandID: "c-ben"}, identity.Registration{Email: "ben@example.com", Password: "correct horse battery staple", Name: "Ben"})
	if err != nil {
		t.Fatal(err)
	}
	adaP := identity.Principal{UserID: ada, Kind: identity.KindUser, Scopes: []identity.Scope{identity.ScopeRead, identity.ScopeWrite}}
	ws, err := w.app.CreateWorkspace(ctx, identity.Caller{Principal: adaP, CommandID: "c-ws"}, hsapp.WorkspaceInput{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.CreateTeam(ctx, identity.Caller{Principal: adaP, CommandID: "c-team"}, hsapp.CreateTeamInput{WorkspaceID: ws.ID, Name: "Platform", TemplateID: "scrum-team"}); err != nil {
		t.Fatal(err)
	}

	// While the "server" holds the folder, the operator is refused.
	code, _, stderr := admin(t, "workspaces", "--data-dir", dir)
	if code != exitFailure || !strings.Contains(stderr, "data folder in use") || !strings.Contains(stderr, "Stop hindsight serve first") {
		t.Errorf("admin on a held folder exited %d: %s", code, stderr)
	}
	closeWorld()

	code, out, stderr := admin(t, "workspaces", "--data-dir", dir)
	if code != exitOK || !strings.Contains(out, ws.ID) || !strings.Contains(out, "Acme") || !strings.Contains(out, ada) || strings.Contains(out, ben) {
		t.Fatalf("admin workspaces exited %d: %s%s", code, out, stderr)
	}
	code, out, stderr = admin(t, "teams", "--data-dir", dir, "--workspace", ws.ID)
	if code != exitOK || !strings.Contains(out, "Platform") || !strings.Contains(out, ws.ID) {
		t.Errorf("admin teams exited %d: %s%s", code, out, stderr)
	}

	// The operator makes Ben an admin; the workspace now lists him.
	code, out, stderr = admin(t, "add-workspace-admin", "--data-dir", dir, "--workspace", ws.ID, "--email", "ben@example.com", "--operator", "ops-alice")
	if code != exitOK || !strings.Contains(out, "now an admin") {
		t.Fatalf("add-workspace-admin exited %d: %s%s", code, out, stderr)
	}
	if _, out, _ := admin(t, "workspaces", "--data-dir", dir); !strings.Contains(out, ben) {
		t.Errorf("Ben is not listed as an admin after add-workspace-admin:\n%s", out)
	}
	code, _, stderr = admin(t, "add-workspace-admin", "--data-dir", dir, "--workspace", ws.ID, "--email", "nobody@example.com")
	if code != exitFailure || !strings.Contains(stderr, "nobody@example.com") {
		t.Errorf("adding an unknown address exited %d: %s", code, stderr)
	}

	// A read-only token for Ada: printed once, and it works as Ada, reading only.
	code, out, stderr = admin(t, "issue-token", "--data-dir", dir, "--email", "ada@example.com", "--name", "report script", "--expires", "720h")
	if code != exitOK || !strings.HasPrefix(out, "hsk_") {
		t.Fatalf("issue-token exited %d: %q %s", code, out, stderr)
	}
	token := strings.TrimSpace(out)
	w, closeWorld = openWorld(t, dir)
	p, err := w.id.Authenticate(ctx, token)
	closeWorld()
	if err != nil || p.UserID != ada || p.Can(identity.ScopeWrite) || !p.Can(identity.ScopeRead) {
		t.Fatalf("the issued token authenticates as %+v (%v), want Ada reading only", p, err)
	}
	code, out, _ = admin(t, "tokens", "--data-dir", dir, "--email", "ada@example.com")
	if code != exitOK || !strings.Contains(out, p.TokenID) || !strings.Contains(out, "report script") {
		t.Errorf("admin tokens exited %d: %s", code, out)
	}
	code, out, stderr = admin(t, "revoke-token", "--data-dir", dir, "--email", "ada@example.com", "--token", p.TokenID)
	if code != exitOK {
		t.Fatalf("revoke-token exited %d: %s%s", code, out, stderr)
	}
	w, closeWorld = openWorld(t, dir)
	_, err = w.id.Authenticate(ctx, token)
	closeWorld()
	if err == nil {
		t.Error("the revoked token still authenticates")
	}
	// Ben cannot revoke Ada's token by naming it.
	if code, _, stderr := admin(t, "revoke-token", "--data-dir", dir, "--email", "ben@example.com", "--token", p.TokenID); code != exitFailure || !strings.Contains(stderr, "has no token") {
		t.Errorf("revoking another account's token exited %d: %s", code, stderr)
	}
}

func TestAdminRejectsAMissingJobOrFlag(t *testing.T) {
	for _, args := range [][]string{
		nil, {"frobnicate"}, {"--data-dir", "x"}, {"add-workspace-admin", "--email", "a@example.com"},
		{"issue-token", "--email", "a@example.com"}, {"issue-token", "--email", "a@example.com", "--name", "n", "--scope", "admin"},
		{"revoke-token", "--email", "a@example.com"},
	} {
		if code, _, stderr := admin(t, args...); code != exitUsage || !strings.Contains(stderr, "hindsight admin") {
			t.Errorf("admin %q exited %d: %s", args, code, stderr)
		}
	}
	if code, out, _ := admin(t, "--help"); code != exitOK || !strings.Contains(out, "add-workspace-admin") {
		t.Errorf("admin --help exited %d: %s", code, out)
	}
}
