package app_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/mail"
	"github.com/hindsight-retro/hindsight/app/mail/mailtest"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/mailfailure"
)

// failures polls the workspace admin's list of failed addresses until ok
// holds for it.
func (f *fixture) failures(t *testing.T, what string, ok func([]app.MailFailure) bool) []app.MailFailure {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := must(f.app.MailFailures(f.ctx(), user(uAda), f.ws))(t)
		if ok(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for %s; the failed addresses: %+v", what, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestARefusedAddressIsShownToTheWorkspaceAdminsWithoutBeingInTheLogAndTheOtherMailGoesOn(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Refuse("nobody@example.org")
	f := newTeam(t)
	ids := f.mailing(t, srv)
	rid := f.newRetro("Sprint 20", false)
	nobody := f.guestIn(t, ids, rid, "nobody@example.org", "Nobody")
	f.guestIn(t, ids, rid, "gus@example.org", "Gus")
	if err := f.app.StartMail(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.app.CloseMail() })
	must(f.retro(user(uMod), rid, app.CloseRetro{}))(t)

	srv.Wait(t, "gus's summary", func(ms []mailtest.Message) bool { return len(mailtest.To(ms, "gus@example.org")) == 1 })
	got := f.failures(t, "the refusal", func(fs []app.MailFailure) bool { return len(fs) == 1 })[0]
	if got.UserID != nobody.UserID || got.Address != "n…@example.org" || got.Name != "Nobody" || got.Suppressed ||
		len(got.Refusals) != 1 || got.Refusals[0].Kind != "summary" {
		t.Fatalf("the failed address: %+v", got)
	}
	r := got.Refusals[0]
	if !strings.Contains(r.Reply, "550") || !strings.Contains(r.Reply, "no such mailbox") || strings.Contains(strings.ToLower(r.Reply), "nobody") {
		t.Errorf("the recorded reply %q should be the server's 550 without the address", r.Reply)
	}
	closed := false
	for _, e := range f.events() {
		if e.EventID == r.Cause && e.Stream.ID == rid {
			closed = true
		}
		if strings.Contains(strings.ToLower(string(e.Payload)), "nobody@") {
			t.Errorf("the log holds the refused address in the clear: %s %s", e.Type, e.Payload)
		}
	}
	if !closed {
		t.Errorf("the refusal's cause %q is not an event of the retro", r.Cause)
	}
	for name, p := range map[string]string{"a member": uBea, "the team's admin": uMod} {
		if _, err := f.app.MailFailures(f.ctx(), user(p), f.ws); domain.KindOf(err) != domain.Forbidden {
			t.Errorf("%s lists the failed addresses: %v", name, err)
		}
	}

	// The reactor went past the refusal: the next retro's mail goes.
	rid2 := f.newRetro("Sprint 21", false)
	f.guestIn(t, ids, rid2, "gus@example.org", "Gus")
	must(f.retro(user(uMod), rid2, app.CloseRetro{}))(t)
	srv.Wait(t, "gus's second summary", func(ms []mailtest.Message) bool { return len(mailtest.To(ms, "gus@example.org")) == 2 })

	// Once the person is erased, the record names no address or name:
	// they were sealed under the destroyed key.
	if err := ids.Erase(f.ctx(), nobody.UserID); err != nil {
		t.Fatal(err)
	}
	after := must(f.app.MailFailures(f.ctx(), user(uAda), f.ws))(t)
	if len(after) != 1 || after[0].Address != "" || after[0].Name != "" || after[0].UserID != nobody.UserID {
		t.Errorf("the failed address of an erased person: %+v, want no address and no name", after)
	}
}

func TestAnAddressRefusedThreeTimesGetsNoMoreMailUntilAnAdminClearsIt(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Refuse("nobody@example.org")
	f := newTeam(t)
	ids := f.mailing(t, srv)
	if err := f.app.StartMail(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.app.CloseMail() })
	gusGot := 0
	// closeWith closes a retro of gus and the guests, and waits for the
	// reactor to be past it: gus's mail of a later retro of gus alone.
	closeWith := func(title string, guests ...string) {
		t.Helper()
		for _, g := range []string{title, title + " (settled)"} {
			rid := f.newRetro(g, false)
			for _, addr := range append(guests, "gus@example.org") {
				f.guestIn(t, ids, rid, addr, strings.Split(addr, "@")[0])
			}
			guests = nil
			must(f.retro(user(uMod), rid, app.CloseRetro{}))(t)
			gusGot++
			srv.Wait(t, "gus's summary of "+g, func(ms []mailtest.Message) bool { return len(mailtest.To(ms, "gus@example.org")) == gusGot })
		}
	}
	for i := range mailfailure.SuppressAfter {
		closeWith("Sprint "+string(rune('A'+i)), "nobody@example.org")
		f.failures(t, "the refusal", func(fs []app.MailFailure) bool { return len(fs) == 1 && len(fs[0].Refusals) == i+1 })
	}
	got := f.failures(t, "the suppression", func(fs []app.MailFailure) bool { return len(fs) == 1 })[0]
	if !got.Suppressed {
		t.Fatalf("after %d refusals the address is not suppressed: %+v", mailfailure.SuppressAfter, got)
	}
	closeWith("Sprint held", "nobody@example.org")
	if n := srv.Tried("nobody@example.org"); n != mailfailure.SuppressAfter {
		t.Fatalf("the suppressed address was tried %d times, want %d", n, mailfailure.SuppressAfter)
	}

	if _, err := f.app.ClearMailFailure(f.ctx(), f.as(user(uBea)), f.ws, got.AddressHash); domain.KindOf(err) != domain.Forbidden {
		t.Errorf("a member cleared a failed address: %v", err)
	}
	must(f.app.ClearMailFailure(f.ctx(), f.as(user(uAda)), f.ws, got.AddressHash))(t)
	if fs := must(f.app.MailFailures(f.ctx(), user(uAda), f.ws))(t); len(fs) != 0 {
		t.Fatalf("after the clear: %+v", fs)
	}
	if _, err := f.app.ClearMailFailure(f.ctx(), f.as(user(uAda)), f.ws, got.AddressHash); domain.KindOf(err) != domain.NotFound {
		t.Errorf("clearing a cleared address: %v, want not found", err)
	}
	closeWith("Sprint cleared", "nobody@example.org")
	if n := srv.Tried("nobody@example.org"); n != mailfailure.SuppressAfter+1 {
		t.Errorf("after the clear the address was tried %d times in all, want %d", n, mailfailure.SuppressAfter+1)
	}
	f.failures(t, "the refusal after the clear", func(fs []app.MailFailure) bool {
		return len(fs) == 1 && len(fs[0].Refusals) == 1 && !fs[0].Suppressed
	})
}

func TestARefusedActionReminderIsShownToTheAdminsOfTheActionsWorkspace(t *testing.T) {
	m := newMailTeam(t)
	m.srv.Refuse(addr("bea"))
	due := m.clock().Add(30 * time.Hour)
	m.action(t, "Automate the release notes", due)
	m.setNow(due.Add(-23 * time.Hour))
	if claimed := must(m.app.FireDueReminders(m.ctx()))(t); len(claimed) != 1 {
		t.Fatalf("claimed %+v, want the reminder before", claimed)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		fs := must(m.app.MailFailures(m.ctx(), user(m.id["ada"]), m.ws))(t)
		// Bea's invitation to the team may be refused too, before the
		// refusal was asked for or after.
		if len(fs) == 1 && fs[0].UserID == m.id["bea"] && slices.ContainsFunc(fs[0].Refusals, func(r app.MailRefusal) bool {
			return r.Kind == string(mail.KindActionReminder)
		}) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for bea's refused reminder on the workspace's list: %+v", fs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
