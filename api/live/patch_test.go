package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/hindsight-retro/hindsight/api/live/jsonpatch"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// patchMsg is a change as a client following patches reads it.
type patchMsg struct {
	Type     string           `json:"type"`
	Position uint64           `json:"position"`
	View     json.RawMessage  `json:"view"`
	Patch    *[]jsonpatch.Op  `json:"patch"`
	Events   []map[string]any `json:"events"`
}

// timeTravel is the viewer's view of the retro as of pos, folded from the
// log: what REST's time travel answers.
func (e *env) timeTravel(retroID string, v retro.Viewer, pos uint64) any {
	e.t.Helper()
	recs, err := e.store.Load(context.Background(), eventstore.StreamID{Category: retro.Category, ID: retroID}, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var evs []retro.Event
	for _, r := range recs {
		if r.Position > pos {
			break
		}
		ev, err := retro.DecodeEvent(r.Type, r.SchemaVersion, r.Payload)
		if err != nil {
			e.t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	return decoded(e.t, retro.View(retro.Fold(evs), v, retro.Policy{}))
}

func decoded(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// playRetro runs a retro through most of what can change a view: concealed
// cards and drafts, a reveal, an edit after it, a hidden card, groups,
// an open voting round and its close, actions, a timer and a step.
func (e *env) playRetro(id string) uint64 {
	mod, alice, bob := actor("user-mod"), actor("user-alice"), actor("user-bob")
	e.addCard(id, "user-bob", "c1", "bob's concealed card")
	e.addCard(id, "user-alice", "c2", "alice's card")
	e.do(id, bob, retro.EditCard{Actor: bob, At: t0, CardID: "c1", Text: "bob's draft"})
	e.do(id, alice, retro.AddCard{Actor: alice, At: t0, CardID: "c3", ColumnID: "stop", Text: "alice, stop column"})
	e.do(id, alice, retro.DeleteCard{Actor: alice, At: t0, CardID: "c3"})
	e.do(id, mod, retro.RevealColumn{Actor: mod, At: t0, ColumnID: "keep"})
	e.do(id, bob, retro.EditCard{Actor: bob, At: t0, CardID: "c1", Text: "bob's card, edited in the open"})
	e.addCard(id, "user-mod", "c4", "the moderator's card")
	e.do(id, mod, retro.HideCard{Actor: mod, At: t0, CardID: "c2"})
	e.do(id, mod, retro.MergeCard{Actor: mod, At: t0, CardID: "c4", TargetID: "c1", NewGroupID: "g1"})
	e.do(id, mod, retro.NameGroup{Actor: mod, At: t0, GroupID: "g1", Name: "Deploys"})
	e.do(id, mod, retro.StartVoting{Actor: mod, At: t0, RoundID: "round-1", Budget: 3})
	e.do(id, bob, retro.CastVote{Actor: bob, At: t0, TopicID: "g1"})
	e.do(id, alice, retro.CastVote{Actor: alice, At: t0, TopicID: "g1"})
	e.do(id, bob, retro.CastVote{Actor: bob, At: t0, TopicID: "c2"})
	e.do(id, bob, retro.RetractVote{Actor: bob, At: t0, TopicID: "c2"})
	e.do(id, mod, retro.CloseVoting{Actor: mod, At: t0})
	e.do(id, mod, retro.MoveCardOut{Actor: mod, At: t0, CardID: "c4"})
	e.do(id, mod, retro.StartTimer{Actor: mod, At: t0, Duration: 300e9})
	e.do(id, alice, retro.CreateAction{Actor: alice, At: t0, ActionID: "a1", Title: "Script the deploy", TopicID: "c1", Assignee: "user-bob"})
	return e.do(id, mod, retro.StopTimer{Actor: mod, At: t0})
}

func TestAViewRebuiltFromTheSnapshotAndEveryPatchIsTheViewAtThatPosition(t *testing.T) {
	for _, anonymous := range []bool{false, true} {
		t.Run(fmt.Sprintf("anonymous=%v", anonymous), func(t *testing.T) {
			e := newEnv(t, envOptions{})
			e.newRetro("r1", anonymous, "user-alice", "user-bob")
			users := []string{"user-mod", "user-alice", "user-bob"}
			var clients []*wsClient
			for _, u := range users {
				clients = append(clients, e.ws("r1", u, "changes=patch"))
			}
			// One more that joins halfway.
			e.addCard("r1", "user-alice", "c0", "before the late one")
			late := e.ws("r1", "user-bob", "changes=patch")
			end := e.playRetro("r1")

			users, clients = append(users, "user-bob"), append(clients, late)
			for i, c := range clients {
				a := actor(users[i])
				v := retro.Viewer{UserID: a.UserID, Pseudonym: a.Pseudonym}
				var doc any
				changes := 0
				for _, m := range c.until(reached(end)) {
					var pm patchMsg
					if err := json.Unmarshal(m.raw, &pm); err != nil {
						t.Fatal(err)
					}
					switch m.Type {
					case "snapshot":
						if err := json.Unmarshal(pm.View, &doc); err != nil {
							t.Fatal(err)
						}
					case "change":
						changes++
						if pm.View != nil || pm.Patch == nil {
							t.Fatalf("%s: a change should carry a patch and no view: %s", users[i], m.raw)
						}
						var err error
						// Through the wire form, as a client applies it.
						var ops []jsonpatch.Op
						if err := json.Unmarshal(mustJSON(t, *pm.Patch), &ops); err != nil {
							t.Fatal(err)
						}
						if doc, err = jsonpatch.Apply(doc, ops); err != nil {
							t.Fatalf("%s at %d: %v", users[i], m.Position, err)
						}
					default:
						continue
					}
					if want := e.timeTravel("r1", v, m.Position); !reflect.DeepEqual(doc, want) {
						t.Fatalf("%s at %d: rebuilt view\n%s\nwant\n%s", users[i], m.Position, mustJSON(t, doc), mustJSON(t, want))
					}
				}
				// A writer behind the commits sends those queued as one change
				// (TestARunOfQueuedCommitsIsOnePatchThatRebuildsEachViewersOwnView),
				// so how many there are depends on the scheduler.
				if changes == 0 {
					t.Fatalf("%s saw no change, want the commits", users[i])
				}
			}

		})
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPatchesCarryNoConcealedTextToOthers(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.newRetro("r1", true, "user-alice", "user-bob")
	alice := e.ws("r1", "user-alice", "changes=patch")
	const secret = "bob-only-until-the-reveal"
	e.addCard("r1", "user-bob", "c1", secret)
	e.do("r1", actor("user-bob"), retro.EditCard{Actor: actor("user-bob"), At: t0, CardID: "c1", Text: secret + "-draft"})
	mod := actor("user-mod")
	e.do("r1", actor("user-alice"), retro.AddCard{Actor: actor("user-alice"), At: t0, CardID: "c2", ColumnID: "stop", Text: "alice's card"})
	e.do("r1", mod, retro.RevealColumn{Actor: mod, At: t0, ColumnID: "stop"})
	e.do("r1", mod, retro.StartVoting{Actor: mod, At: t0, RoundID: "round-1", Budget: 3})
	end := e.do("r1", actor("user-bob"), retro.CastVote{Actor: actor("user-bob"), At: t0, TopicID: "c2"})
	for _, m := range alice.until(reached(end)) {
		for _, leak := range [][]byte{[]byte(secret), []byte(actor("user-bob").Pseudonym)} {
			if bytes.Contains(m.raw, leak) {
				t.Fatalf("alice received %q: %s", leak, m.raw)
			}
		}
	}
}

func TestAnUnknownChangesFormatIsRefused(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.newRetro("r1", false, "user-alice")
	_, resp, err := e.dialWS("r1", "user-alice", "changes=diff", nil)
	if err == nil || resp == nil || resp.StatusCode != 400 {
		t.Fatalf("dial with changes=diff: %v, want 400", err)
	}
	_, sresp := e.sse("r1", "user-alice", "changes=diff", nil)
	if sresp.StatusCode != 400 {
		t.Fatalf("SSE with changes=diff: %d, want 400", sresp.StatusCode)
	}
}
