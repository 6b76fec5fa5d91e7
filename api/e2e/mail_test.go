//go:build unix

package e2e_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app/mail/mailtest"
)

// mailFlags point a node at the loopback SMTP server.
func mailFlags(srv *mailtest.Server) []string {
	return []string{"--smtp-host", srv.Host, "--smtp-port", strconv.Itoa(srv.Port), "--smtp-tls", "none",
		"--smtp-from", "Hindsight <retro@e2e.test>", "--public-url", "http://hindsight.e2e.test"}
}

// withMail tells the test which SMTP server the node mails through.
func withMail(n *node, srv *mailtest.Server) *node {
	n.mbox = srv
	return n
}

var guestLinkToken = regexp.MustCompile(`/guest-link#token=([A-Za-z0-9_-]{43})`)

// joinByInvite is a guest joining a retro with an invite code: directly
// on a node without mail; on a node with mail by the link mailed to their
// address, read back from the loopback SMTP server, as only the owner of
// the mailbox can.
func joinByInvite(t *testing.T, g *participant, code string) answer {
	t.Helper()
	body := map[string]string{"email": g.email, "name": g.name}
	mbox := g.node.mbox
	if mbox == nil {
		return g.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/invites/" + code + "/join", anonymous: true, body: body})
	}
	links := func(ms []mailtest.Message) []mailtest.Message {
		var out []mailtest.Message
		for _, m := range mailtest.To(ms, g.email) {
			if strings.HasPrefix(m.ID(), "guest-link.") {
				out = append(out, m)
			}
		}
		return out
	}
	before := len(links(mbox.Messages()))
	g.must(t, http.StatusAccepted, request{method: http.MethodPost, path: "/v1/invites/" + code + "/join-by-mail", anonymous: true, body: body})
	ms := links(mbox.Wait(t, "the join link to "+g.email, func(ms []mailtest.Message) bool { return len(links(ms)) > before }))
	found := guestLinkToken.FindStringSubmatch(ms[len(ms)-1].Text)
	if found == nil {
		t.Fatalf("no join link in the mail to %s:\n%s", g.email, ms[len(ms)-1].Text)
	}
	return g.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/guest-links", anonymous: true,
		body: map[string]string{"token": found[1]}})
}

// waitFor polls ok until it holds, failing the test after startBound.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(startBound)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", startBound, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// summaries are the retro summary mails among ms whose subject names title.
func summaries(ms []mailtest.Message, title string) []mailtest.Message {
	var out []mailtest.Message
	for _, m := range ms {
		if strings.HasPrefix(m.ID(), "summary.") && strings.Contains(m.Header.Get("Subject"), title) {
			out = append(out, m)
		}
	}
	return out
}

// team is a workspace with a team that mo runs, on node n.
func newMailTeam(t *testing.T, n *node) (mo *participant, ws, team string) {
	t.Helper()
	mo = newParticipant("Mo", n)
	mo.register(t)
	ws = mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces",
		body: map[string]string{"name": "Acme"}}).str("id")
	team = mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces/" + ws + "/teams",
		body: map[string]string{"name": "Platform", "templateId": "scrum-team"}}).str("id")
	return mo, ws, team
}

// retroWithGuests is a new retro of the team with guests who joined it by
// invite with the given addresses; its ID and the guests.
func retroWithGuests(t *testing.T, mo *participant, team, title string, emails ...string) (string, []*participant) {
	t.Helper()
	rid := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + team + "/retros",
		body: map[string]any{"title": title}}).str("id")
	var guests []*participant
	for _, email := range emails {
		inv := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/retros/" + rid + "/invites", body: map[string]any{}})
		g := newParticipant(strings.Split(email, "@")[0], mo.node)
		g.email = email
		join := joinByInvite(t, g, inv.str("code"))
		g.id, g.token = join.str("userId"), join.str("token")
		g.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + rid + "/join"})
		guests = append(guests, g)
	}
	return rid, guests
}

// mailFailure is an entry of GET /v1/workspaces/{id}/mail-failures.
type mailFailure struct {
	AddressHash string `json:"addressHash"`
	UserID      string `json:"userId"`
	Address     string `json:"address"`
	Suppressed  bool   `json:"suppressed"`
	Refusals    []struct {
		Kind  string `json:"kind"`
		Cause string `json:"cause"`
		Reply string `json:"reply"`
	} `json:"refusals"`
}

// A node sends a closed retro's summary through a loopback SMTP server that
// refuses one guest's address with 550: the others get their mail, the
// workspace's admin finds the refusal on GET .../mail-failures (the
// address's first character and domain, the reply without the address),
// nobody else can read that list, and the
// mail reactor goes on to the next retro's mail.
func TestABouncedAddressShowsOnTheAdminRouteAndEveryoneElseGetsTheirMail(t *testing.T) {
	mbox := mailtest.Start(t)
	n := withMail(startNode(t, "node", mailFlags(mbox)...), mbox)
	mo, ws, team := newMailTeam(t, n)
	rid, guests := retroWithGuests(t, mo, team, "Sprint 7", "ann@example.test", "nobody@example.test", "zed@example.test")
	// The guest proved the address by its join link; its mailbox is gone since.
	mbox.Refuse("nobody@example.test")
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + rid + "/close"})

	want := []string{mo.email, "ann@example.test", "zed@example.test"}
	mbox.Wait(t, "the summaries of the others", func(ms []mailtest.Message) bool {
		for _, to := range want {
			if len(summaries(mailtest.To(ms, to), "Sprint 7")) != 1 {
				return false
			}
		}
		return true
	})
	var list struct{ Items []mailFailure }
	waitFor(t, "the refusal on the admin route", func() bool {
		mo.get(t, "/v1/workspaces/"+ws+"/mail-failures", &list)
		return len(list.Items) > 0
	})
	if len(list.Items) != 1 {
		t.Fatalf("the admin's list of failed addresses: %+v, want the refused guest", list.Items)
	}
	f := list.Items[0]
	if f.UserID != guests[1].id || f.Address != "n…@example.test" || f.Suppressed || len(f.Refusals) != 1 ||
		f.Refusals[0].Kind != "summary" || !strings.Contains(f.Refusals[0].Reply, "550") || strings.Contains(f.Refusals[0].Reply, "nobody") {
		t.Errorf("the failed address: %+v", f)
	}
	if n := len(summaries(mailtest.To(mbox.Messages(), "nobody@example.test"), "Sprint 7")); n != 0 {
		t.Errorf("the refused address got %d summaries", n)
	}
	for _, p := range guests {
		if a := p.do(t, request{method: http.MethodGet, path: "/v1/workspaces/" + ws + "/mail-failures"}); a.status < 400 || strings.Contains(string(a.raw), "nobody@") {
			t.Errorf("guest %s reads the failed addresses: %d %s", p.name, a.status, a.raw)
		}
	}

	// The reactor passed the refusal: the next retro's mail goes out.
	rid2, _ := retroWithGuests(t, mo, team, "Sprint 8", "ann@example.test")
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + rid2 + "/close"})
	mbox.Wait(t, "the next retro's summary", func(ms []mailtest.Message) bool {
		return len(summaries(mailtest.To(ms, "ann@example.test"), "Sprint 8")) == 1
	})

	// The admin clears it: the list is empty.
	mo.must(t, http.StatusOK, request{method: http.MethodDelete, path: "/v1/workspaces/" + ws + "/mail-failures/" + f.AddressHash})
	mo.get(t, "/v1/workspaces/"+ws+"/mail-failures", &list)
	if len(list.Items) != 0 {
		t.Errorf("after the clear: %+v", list.Items)
	}
}

// A retro with many people closes and the node is killed with SIGKILL
// while it is sending the summaries: the SMTP server has taken a message
// and holds back its answer. After a restart on the same data folder
// everyone has their summary; a mail sent twice carries the same
// Message-ID both times, so a de-duplicating receiver shows each person
// one; and the restart sends nothing of an earlier retro whose mail was
// done before the kill.
func TestSummariesAreSentOnceToADeDuplicatingReceiverAcrossAKillMidSend(t *testing.T) {
	mbox := mailtest.Start(t)
	data := t.TempDir()
	args := append([]string{"--data-dir", data}, mailFlags(mbox)...)
	n := withMail(startNode(t, "node", args...), mbox)
	mo, _, team := newMailTeam(t, n)

	// An earlier retro, mailed whole before the kill.
	early, _ := retroWithGuests(t, mo, team, "Sprint 1", "early@example.test")
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + early + "/close"})
	mbox.Wait(t, "the earlier retro's summaries", func(ms []mailtest.Message) bool { return len(summaries(ms, "Sprint 1")) == 2 })

	var emails []string
	for i := range 12 {
		emails = append(emails, fmt.Sprintf("guest%02d@example.test", i))
	}
	rid, _ := retroWithGuests(t, mo, team, "Sprint 2", emails...)
	everyone := append([]string{mo.email}, emails...)
	// The fifth summary is taken and its answer held: the node dies with
	// four answered, one delivered unanswered, and eight not sent.
	reached, release := mbox.HoldReply(t, 5, func(m mailtest.Message) bool { return len(summaries([]mailtest.Message{m}, "Sprint 2")) == 1 })
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + rid + "/close"})
	select {
	case <-reached:
	case <-n.exited:
		t.Fatal("the node exited before sending")
	case <-time.After(startBound):
		t.Fatalf("the node sent %d summaries and no fifth", len(summaries(mbox.Messages(), "Sprint 2")))
	}
	if err := n.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-n.exited
	release()
	before := len(summaries(mbox.Messages(), "Sprint 2"))
	if before != 5 {
		t.Fatalf("%d summaries before the kill, want 5", before)
	}

	n = withMail(startNode(t, "restarted", args...), mbox)
	mbox.Wait(t, "everyone's summary after the restart", func(ms []mailtest.Message) bool {
		for _, to := range everyone {
			if len(summaries(mailtest.To(ms, to), "Sprint 2")) == 0 {
				return false
			}
		}
		return true
	})
	// A later retro's mail comes after anything the restart sent again:
	// the reactor sends in the log's order.
	mo.node = n
	later, _ := retroWithGuests(t, mo, team, "Sprint 3", "late@example.test")
	mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + later + "/close"})
	ms := mbox.Wait(t, "the later retro's summaries", func(ms []mailtest.Message) bool { return len(summaries(ms, "Sprint 3")) == 2 })

	ids := map[string]string{} // Message-ID → recipient
	for _, to := range everyone {
		got := summaries(mailtest.To(ms, to), "Sprint 2")
		seen := map[string]bool{}
		for _, m := range got {
			seen[m.ID()] = true
		}
		if len(seen) != 1 || len(got) > 2 {
			t.Errorf("%s got %d summaries under %d Message-IDs, want one ID (a copy only of one sent before the kill)", to, len(got), len(seen))
		}
		for id := range seen {
			if other, ok := ids[id]; ok {
				t.Errorf("%s and %s got the same Message-ID %s", other, to, id)
			}
			ids[id] = to
		}
	}
	if n := len(summaries(ms, "Sprint 2")); n > len(everyone)+before {
		t.Errorf("%d summaries of the killed send in all; at most %d (everyone once, those before the kill again)", n, len(everyone)+before)
	}
	if n := len(summaries(ms, "Sprint 1")); n != 2 {
		t.Errorf("the earlier retro's summaries were sent again after the restart: %d, want 2", n)
	}
	t.Logf("%d summaries of %d people before the kill, %d in all", before, len(everyone), len(summaries(ms, "Sprint 2")))
}

// checkSummaryMails waits for each person's summary mail of the retro and
// checks it against the summary they download themselves: the plain text
// and the HTML hold exactly their own view's Markdown. It answers each
// person's mail, decoded (plain text, then HTML).
func checkSummaryMails(t *testing.T, mbox *mailtest.Server, rid, title string, people ...*participant) map[*participant]string {
	t.Helper()
	ms := mbox.Wait(t, "everyone's summary of "+title, func(ms []mailtest.Message) bool {
		for _, p := range people {
			if len(summaries(mailtest.To(ms, p.email), title)) == 0 {
				return false
			}
		}
		return true
	})
	out := map[*participant]string{}
	for _, p := range people {
		got := summaries(mailtest.To(ms, p.email), title)
		if len(got) != 1 {
			t.Errorf("%s got %d summaries of %s, want 1", p.name, len(got), title)
		}
		m := got[0]
		md := p.must(t, http.StatusOK, request{method: http.MethodGet, path: "/v1/retros/" + rid + "/summary.md"}).raw
		if len(md) == 0 || !strings.Contains(m.Text, string(md)) || !strings.Contains(html.UnescapeString(m.HTML), string(md)) {
			t.Errorf("%s's summary mail is not their own summary.\nmail text:\n%s\ntheir summary.md:\n%s", p.name, m.Text, md)
		}
		out[p] = m.Text + "\n" + html.UnescapeString(m.HTML)
	}
	return out
}

// Everyone at a retro (members and a guest) writes a card in a column that
// is revealed and one in a column that never is, and the retro closes:
// each person's summary mail is their own summary, with their own
// concealed card and nobody else's; in an anonymous retro no line with a
// card names anyone, and no concealed card is shown to anyone (its key, the
// only link to its author, went with the close).
func TestEachPersonsSummaryMailHoldsTheirOwnConcealedCardAndNobodyElses(t *testing.T) {
	for _, anonymous := range []bool{false, true} {
		t.Run(map[bool]string{false: "named", true: "anonymous"}[anonymous], func(t *testing.T) {
			mbox := mailtest.Start(t)
			n := withMail(startNode(t, "node", mailFlags(mbox)...), mbox)
			mo, _, team := newMailTeam(t, n)
			ann, bob := newParticipant("Ann", n), newParticipant("Bob", n)
			for _, p := range []*participant{ann, bob} {
				p.register(t)
				mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/teams/" + team + "/members", body: map[string]string{"userId": p.id}})
			}
			rid := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + team + "/retros",
				body: map[string]any{"title": "Sprint 5", "anonymous": anonymous}}).str("id")
			inv := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/retros/" + rid + "/invites", body: map[string]any{}})
			gus := newParticipant("Gus", n)
			join := joinByInvite(t, gus, inv.str("code"))
			gus.id, gus.token = join.str("userId"), join.str("token")
			people := []*participant{mo, ann, bob, gus}
			for _, p := range people[1:] {
				p.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + rid + "/join"})
			}
			mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + rid + "/steps/collect/go"})
			shown, concealed := map[*participant]string{}, map[*participant]string{}
			for _, p := range people {
				shown[p], concealed[p] = marker("shown"), marker("concealed")
				for col, text := range map[string]string{"start": shown[p], "stop": concealed[p]} {
					p.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/retros/" + rid + "/cards",
						body: map[string]string{"columnId": col, "text": text}})
				}
			}
			mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + rid + "/columns/start/reveal"})
			mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/retros/" + rid + "/close"})

			mails := checkSummaryMails(t, mbox, rid, "Sprint 5", people...)
			for _, p := range people {
				m := mails[p]
				for _, q := range people {
					if !strings.Contains(m, shown[q]) {
						t.Errorf("%s's mail lacks %s's revealed card", p.name, q.name)
					}
					// Once an anonymous retro closes its key is gone: nobody's
					// card is anyone's any more, so a concealed card stays
					// concealed from its author too.
					if has, want := strings.Contains(m, concealed[q]), p == q && !anonymous; has != want {
						t.Errorf("%s's mail holds %s's concealed card: %v, want %v", p.name, q.name, has, want)
					}
				}
				if !anonymous {
					continue
				}
				for _, line := range strings.Split(m, "\n") {
					for _, q := range people {
						if strings.Contains(line, shown[q]) || strings.Contains(line, concealed[q]) {
							for _, r := range people {
								if strings.Contains(line, r.name) || strings.Contains(line, r.id) {
									t.Errorf("%s's mail of an anonymous retro names %s beside a card: %q", p.name, r.name, line)
								}
							}
						}
					}
				}
			}
		})
	}
}
