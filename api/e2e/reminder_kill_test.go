//go:build unix

package e2e_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app/mail/mailtest"
)

// reminders are the action reminders among ms whose subject names the
// action's title.
func reminders(ms []mailtest.Message, title string) []mailtest.Message {
	var out []mailtest.Message
	for _, m := range ms {
		if strings.HasPrefix(m.ID(), "action-reminder.") && strings.Contains(m.Header.Get("Subject"), title) {
			out = append(out, m)
		}
	}
	return out
}

// A node is killed with SIGKILL while the SMTP server holds its answer to
// one action's reminder, and another action's reminder comes due while no
// node runs. After a restart on the same data folder, the reminder that
// came due meanwhile is mailed exactly once, and the one cut off by the
// kill goes again under the same Message-ID (a de-duplicating receiver
// shows one).
func TestAnActionReminderDueWhileTheNodeIsKilledIsMailedOnceAfterTheRestart(t *testing.T) {
	mbox := mailtest.Start(t)
	data := t.TempDir()
	args := append([]string{"--data-dir", data}, mailFlags(mbox)...)
	n := withMail(startNode(t, "node", args...), mbox)
	mo, _, team := newMailTeam(t, n)
	record := func(title string, due time.Time) {
		mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + team + "/actions",
			body: map[string]any{"title": title, "assignee": mo.id, "due": due.UTC().Format(time.RFC3339)}})
	}

	// Due in an hour: its reminder is due at the node's next pass of the
	// timers, and its answer is held there.
	const cut, meanwhile = "Rotate the signing keys", "Renew the certificate"
	reached, release := mbox.HoldReply(t, 1, func(m mailtest.Message) bool { return len(reminders([]mailtest.Message{m}, cut)) == 1 })
	defer release()
	record(cut, time.Now().Add(time.Hour))
	select {
	case <-reached:
	case <-n.exited:
		t.Fatal("the node exited before reminding")
	case <-time.After(startBound + 30*time.Second): // a timer pass every 30 s
		t.Fatal("no reminder of the action due in an hour")
	}
	// The other action's reminder comes due a few seconds from now, a day
	// before its due date: after the kill, before the restart.
	remindAt := time.Now().Add(5 * time.Second).Truncate(time.Second).Add(time.Second)
	record(meanwhile, remindAt.Add(24*time.Hour))
	if err := n.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-n.exited
	release()
	if !time.Now().Before(remindAt) {
		t.Fatalf("the node was killed only at %s, after the reminder came due at %s", time.Now().UTC(), remindAt.UTC())
	}
	if got := reminders(mbox.Messages(), meanwhile); len(got) != 0 {
		t.Fatalf("a reminder not due yet was mailed before the kill: %d", len(got))
	}
	// No node runs while the reminder comes due: wait for the clock, not
	// for the system.
	time.Sleep(time.Until(remindAt) + 500*time.Millisecond)

	n = withMail(startNode(t, "restarted", args...), mbox)
	mo.node = n
	mbox.Wait(t, "the reminder due while no node ran", func(ms []mailtest.Message) bool { return len(reminders(ms, meanwhile)) > 0 })
	// A later retro's summary comes after anything the restart sent again:
	// the mail reactor sends in the log's order.
	later, _ := retroWithGuests(t, mo, team, "Sprint 9")
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + later + "/close"})
	ms := mbox.Wait(t, "the later retro's summary", func(ms []mailtest.Message) bool { return len(summaries(ms, "Sprint 9")) == 1 })

	if got := reminders(ms, meanwhile); len(got) != 1 {
		t.Errorf("the reminder due while no node ran was mailed %d times, want once", len(got))
	}
	again := reminders(ms, cut)
	ids := map[string]bool{}
	for _, m := range again {
		ids[m.ID()] = true
	}
	if len(again) != 2 || len(ids) != 1 {
		t.Errorf("the reminder cut off by the kill: %d mails under %d Message-IDs, want it again under the one ID", len(again), len(ids))
	}
	if m := reminders(ms, meanwhile); len(m) == 1 && ids[m[0].ID()] {
		t.Error("two reminders share a Message-ID")
	}
	for _, m := range append(again, reminders(ms, meanwhile)...) {
		if !strings.EqualFold(m.To, mo.email) {
			t.Errorf("a reminder to %s, not the assignee", m.To)
		}
	}
}
