package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hsapp "github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/mail"
	"github.com/hindsight-retro/hindsight/app/mail/mailtest"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// A guest's address is refused by the mail server when a retro's summary
// goes out; with the server stopped, the operator finds it with `admin
// mail-failures --workspace`, sees nothing among the mail about no
// workspace, and clears it.
func TestAnOperatorListsAndClearsAFailedMailAddress(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	mbox := mailtest.Start(t)
	mbox.Refuse("nobody@example.com")
	wsID := func() string {
		cfg := defaultServeConfig()
		cfg.DataDir = dir
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		store, err := openStore(ctx, cfg, logger)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
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
		tr, err := mail.NewSMTP(mail.SMTPConfig{Host: mbox.Host, Port: mbox.Port, TLS: mail.TLSNone, From: "retro@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		a := hsapp.New(hsapp.Deps{Store: store, Keys: ks, Identity: id, Catalog: cat, Mail: hsapp.MailConfig{Transport: tr, From: "retro@example.com"}})
		ada, err := id.Register(ctx, identity.Caller{CommandID: "c-ada"}, identity.Registration{Email: "ada@example.com", Password: "correct horse battery staple", Name: "Ada"})
		if err != nil {
			t.Fatal(err)
		}
		as := func(cmd string) identity.Caller {
			return identity.Caller{Principal: identity.Principal{UserID: ada, Kind: identity.KindUser, Scopes: []identity.Scope{identity.ScopeRead, identity.ScopeWrite}}, CommandID: cmd}
		}
		ws := must(a.CreateWorkspace(ctx, as("c-ws"), hsapp.WorkspaceInput{Name: "Acme"}))(t)
		team := must(a.CreateTeam(ctx, as("c-team"), hsapp.CreateTeamInput{WorkspaceID: ws.ID, Name: "Platform", TemplateID: "scrum-team"}))(t)
		r := must(a.CreateRetro(ctx, as("c-retro"), hsapp.CreateRetroInput{TeamID: team.ID, Title: "Sprint 3"}))(t)
		inv := must(a.CreateInvite(ctx, as("c-inv"), r.ID, time.Now().Add(time.Hour)))(t)
		_, g, err := id.JoinAsGuest(ctx, identity.Caller{CommandID: "c-join"}, inv.Code, identity.GuestInput{Email: "nobody@example.com", Name: "Nobody"})
		if err != nil {
			t.Fatal(err)
		}
		must(a.JoinRetro(ctx, identity.Caller{Principal: g, CommandID: "c-joined"}, r.ID))(t)
		if err := a.StartMail(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = a.CloseMail() }()
		must(a.RetroCommand(ctx, as("c-close"), r.ID, hsapp.CloseRetro{}))(t)
		deadline := time.Now().Add(30 * time.Second)
		for len(must(a.OperatorMailFailures(ctx, ws.ID))(t)) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("waited 30s for the refusal to be recorded")
			}
			time.Sleep(20 * time.Millisecond)
		}
		return ws.ID
	}()

	code, out, stderr := admin(t, "mail-failures", "--data-dir", dir, "--workspace", wsID)
	if code != exitOK || !strings.Contains(out, "nobody@example.com") || !strings.Contains(out, "Nobody") || !strings.Contains(out, "550") || !strings.Contains(out, "summary") {
		t.Fatalf("admin mail-failures exited %d: %s%s", code, out, stderr)
	}
	hash := strings.Fields(strings.Split(out, "\n")[1])[0]
	if code, out, _ := admin(t, "mail-failures", "--data-dir", dir); code != exitOK || !strings.Contains(out, "no failed addresses in mail about no workspace") {
		t.Errorf("admin mail-failures without a workspace exited %d: %s", code, out)
	}
	if code, _, stderr := admin(t, "clear-mail-failure", "--data-dir", dir, "--workspace", wsID); code == exitOK || !strings.Contains(stderr, "--hash") {
		t.Errorf("clear-mail-failure without --hash exited %d: %s", code, stderr)
	}
	code, out, stderr = admin(t, "clear-mail-failure", "--data-dir", dir, "--workspace", wsID, "--hash", hash, "--operator", "ops-alice")
	if code != exitOK || !strings.Contains(out, "cleared") {
		t.Fatalf("admin clear-mail-failure exited %d: %s%s", code, out, stderr)
	}
	if _, out, _ := admin(t, "mail-failures", "--data-dir", dir, "--workspace", wsID); strings.Contains(out, "nobody@example.com") || !strings.Contains(out, "no failed addresses") {
		t.Errorf("after the clear: %s", out)
	}
}

func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
