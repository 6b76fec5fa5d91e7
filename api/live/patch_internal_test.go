package live

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/api/live/jsonpatch"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// Consecutive commits' items share the views of the state between them,
// per audience: a view built for one viewer is reused for another of the
// same audience. Whatever order the writers come in, each viewer's
// snapshot patched by each of its changes is its own view at that
// position (so no other viewer's user ID in it), and no concealed text the
// author alone may see is in anyone else's bytes.
func TestPatchesFromSharedViewsRebuildEachViewersOwnView(t *testing.T) {
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	mod := domain.Actor{UserID: "user-mod"}
	author := domain.Actor{UserID: "user-author"}
	viewers := []retro.Viewer{{UserID: "user-mod"}, {UserID: "user-author"}, {UserID: "user-carol"}, {UserID: "user-dave"}, {UserID: "user-outsider"}}
	var st retro.State
	do := openAndHiddenColumns(t, &st, at, mod, "user-author", "user-carol", "user-dave")
	const secret = "CONCEALED-BY-THE-AUTHOR"
	commands := []retro.Command{
		retro.AddCard{Actor: author, At: at, CardID: "c1", ColumnID: "open", Text: "first"},
		retro.AddCard{Actor: author, At: at, CardID: "c2", ColumnID: "hidden", Text: secret},
		retro.AddCard{Actor: author, At: at, CardID: "c3", ColumnID: "open", Text: "third"},
		retro.EditCard{Actor: author, At: at, CardID: "c2", Text: secret + " edited"},
		retro.AddCard{Actor: domain.Actor{UserID: "user-carol"}, At: at, CardID: "c4", ColumnID: "open", Text: "carol's"},
		retro.RevealColumn{Actor: mod, At: at, ColumnID: "hidden"},
		retro.AddCard{Actor: author, At: at, CardID: "c5", ColumnID: "open", Text: "fifth"},
	}
	docs := make([]any, len(viewers))
	for i, v := range viewers {
		docs[i] = decoded(t, retro.View(st, v, retro.Policy{}))
	}
	lasts := make([]audienceAt, len(viewers))
	views := &viewCache{}
	for n, cmd := range commands {
		prev, prevPos := st, uint64(n+1)
		evs := do(cmd)
		next := st
		it := &item{kind: kindChange, pos: uint64(n + 2), prevPos: prevPos, events: evs, prev: &prev, state: &next,
			before: views, after: &viewCache{}}
		views = it.after
		// The writers come in another order at every commit.
		order := []int{0, 1, 2, 3, 4}
		for range n {
			order = append(order[1:], order[0])
		}
		if n%2 == 1 {
			slices.Reverse(order)
		}
		for _, i := range order {
			v := viewers[i]
			b, err := it.patchFor(v, retro.Policy{}, &lasts[i])
			if err != nil {
				t.Fatal(err)
			}
			if v.UserID != "user-author" && !next.Revealed["hidden"] && bytes.Contains(b, []byte(secret)) {
				t.Fatalf("%s was sent the author's concealed text: %s", v.UserID, b)
			}
			var m struct {
				Patch []jsonpatch.Op `json:"patch"`
			}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if docs[i], err = jsonpatch.Apply(docs[i], m.Patch); err != nil {
				t.Fatalf("%s at commit %d: %v", v.UserID, n, err)
			}
			if want := decoded(t, retro.View(next, v, retro.Policy{})); !reflect.DeepEqual(docs[i], want) {
				t.Fatalf("%s after %T: rebuilt\n%s\nwant\n%s", v.UserID, cmd, mustEncode(t, docs[i]), mustEncode(t, want))
			}
		}
	}
}

func mustEncode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decoded(t *testing.T, v any) any {
	t.Helper()
	var out any
	if err := json.Unmarshal(mustEncode(t, v), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// A writer that fell behind sends the queued commits as one message: their
// events and one patch from its view to the newest. However the commits are
// cut into runs, each viewer's snapshot patched by its messages is its own
// view at each run's end, and nobody else gets the author's concealed text,
// also of a card the author added and deleted within one run (the run's ends
// look alike to everyone; its events do not).
func TestARunOfQueuedCommitsIsOnePatchThatRebuildsEachViewersOwnView(t *testing.T) {
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	mod := domain.Actor{UserID: "user-mod"}
	author := domain.Actor{UserID: "user-author"}
	viewers := []retro.Viewer{{UserID: "user-mod"}, {UserID: "user-author"}, {UserID: "user-carol"}, {UserID: "user-outsider"}}
	var st retro.State
	do := openAndHiddenColumns(t, &st, at, mod, "user-author", "user-carol")
	const secret = "CONCEALED-BY-THE-AUTHOR"
	commands := []retro.Command{
		retro.AddCard{Actor: author, At: at, CardID: "c1", ColumnID: "open", Text: "first"},
		retro.AddCard{Actor: author, At: at, CardID: "c2", ColumnID: "hidden", Text: secret + " gone"},
		retro.DeleteCard{Actor: author, At: at, CardID: "c2"},
		retro.AddCard{Actor: author, At: at, CardID: "c3", ColumnID: "hidden", Text: secret},
		retro.AddCard{Actor: domain.Actor{UserID: "user-carol"}, At: at, CardID: "c4", ColumnID: "open", Text: "carol's"},
		retro.EditCard{Actor: author, At: at, CardID: "c3", Text: secret + " edited"},
		retro.AddCard{Actor: author, At: at, CardID: "c5", ColumnID: "open", Text: "fifth"},
		retro.RevealColumn{Actor: mod, At: at, ColumnID: "hidden"},
		retro.AddCard{Actor: author, At: at, CardID: "c6", ColumnID: "open", Text: "sixth"},
	}
	start := st
	views := &viewCache{}
	var items []*item
	for n, cmd := range commands {
		prev := st
		evs := do(cmd)
		next := st
		it := &item{kind: kindChange, pos: uint64(n + 2), prevPos: uint64(n + 1), events: evs, prev: &prev, state: &next,
			before: views, after: &viewCache{}}
		views = it.after
		items = append(items, it)
	}
	// Each cut of the commits into runs, every viewer through the same
	// items (so the shared bytes are tested too).
	for _, size := range []int{1, 2, 3, 4, len(items)} {
		docs := make([]any, len(viewers))
		lasts := make([]audienceAt, len(viewers))
		for i, v := range viewers {
			docs[i] = decoded(t, retro.View(start, v, retro.Policy{}))
			lasts[i] = audienceAt{key: retro.Audience(start, v), pos: 1}
		}
		for from := 0; from < len(items); from += size {
			run := items[from:min(from+size, len(items))]
			end := run[len(run)-1]
			for i, v := range viewers {
				b, err := patchForRun(run, v, retro.Policy{}, &lasts[i])
				if err != nil {
					t.Fatal(err)
				}
				if v.UserID != "user-author" && bytes.Contains(b, []byte(secret)) && !end.state.Revealed["hidden"] {
					t.Fatalf("runs of %d: %s was sent the author's concealed text: %s", size, v.UserID, b)
				}
				if v.UserID != "user-author" && bytes.Contains(b, []byte(secret+" gone")) {
					t.Fatalf("runs of %d: %s was sent the text of a concealed card its author deleted: %s", size, v.UserID, b)
				}
				var m struct {
					Position uint64         `json:"position"`
					Events   []wireEvent    `json:"events"`
					Patch    []jsonpatch.Op `json:"patch"`
				}
				if err := json.Unmarshal(b, &m); err != nil {
					t.Fatal(err)
				}
				if m.Position != end.pos {
					t.Fatalf("runs of %d: %s's message is at %d, want the run's last position %d", size, v.UserID, m.Position, end.pos)
				}
				if docs[i], err = jsonpatch.Apply(docs[i], m.Patch); err != nil {
					t.Fatalf("runs of %d: %s at %d: %v", size, v.UserID, end.pos, err)
				}
				if want := decoded(t, retro.View(*end.state, v, retro.Policy{})); !reflect.DeepEqual(docs[i], want) {
					t.Fatalf("runs of %d: %s at %d: rebuilt\n%s\nwant\n%s", size, v.UserID, end.pos, mustEncode(t, docs[i]), mustEncode(t, want))
				}
			}
		}
	}
}

// openAndHiddenColumns starts *st as a retro of columns "open" (revealed)
// and "hidden" with the members joined, and answers a function that
// decides a command on *st and folds its events in.
func openAndHiddenColumns(t *testing.T, st *retro.State, at time.Time, mod domain.Actor, members ...string) func(retro.Command) []retro.Event {
	t.Helper()
	*st = retro.Initial()
	do := func(c retro.Command) []retro.Event {
		t.Helper()
		out, err := retro.Decide(*st, c)
		if err != nil {
			t.Fatalf("%T: %v", c, err)
		}
		*st = retro.EvolveAll(*st, out)
		return out
	}
	do(retro.CreateRetro{Actor: mod, At: at, RetroID: "r", TeamID: "t", Title: "T", TemplateID: "ks",
		Columns: []catalog.Column{{ID: "open", Title: "Open"}, {ID: "hidden", Title: "Hidden"}}})
	for _, u := range members {
		do(retro.JoinRetro{Actor: domain.Actor{UserID: u}, At: at, Role: retro.RoleMember})
	}
	do(retro.RevealColumn{Actor: mod, At: at, ColumnID: "open"})
	return do
}
