package live_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hindsight-retro/hindsight/domain/retro"
)

// webPatchFixture is where the browser app's unit tests read the messages a
// patch follower receives (web/test/patch.test.ts applies them as the app
// does and compares with the view at each position).
var webPatchFixture = filepath.Join("..", "..", "web", "test", "testdata", "live-patches.json")

// TestWriteWebPatchFixture writes that file from a retro played through
// this hub: real patches, as the server emits them (lists shortened or
// grown in the middle, steps reordered, cards grouped and moved out,
// concealed cards revealed), with the view REST's time travel gives at
// each position. It only runs when asked, after a change to the view or
// to the patches:
//
//	HINDSIGHT_WRITE_WEB_FIXTURE=1 go test ./api/live -run TestWriteWebPatchFixture
func TestWriteWebPatchFixture(t *testing.T) {
	if os.Getenv("HINDSIGHT_WRITE_WEB_FIXTURE") == "" {
		t.Skip("writes web/test/testdata/live-patches.json only when HINDSIGHT_WRITE_WEB_FIXTURE is set")
	}
	type step struct {
		Message json.RawMessage `json:"message"`
		View    any             `json:"view"`
	}
	type viewerRun struct {
		Viewer string `json:"viewer"`
		Steps  []step `json:"steps"`
	}
	var out []viewerRun
	e := newEnv(t, envOptions{})
	e.newRetro("r1", true, "user-alice", "user-bob")
	users := []string{"user-mod", "user-bob"}
	var clients []*wsClient
	for _, u := range users {
		clients = append(clients, e.ws("r1", u, "changes=patch"))
	}
	mod := actor("user-mod")
	agenda := e.timeTravel("r1", retro.Viewer{UserID: mod.UserID, Pseudonym: mod.Pseudonym}, e.addCard("r1", "user-alice", "c0", "before the play"))
	var order []string
	for _, s := range agenda.(map[string]any)["agenda"].([]any) {
		order = append(order, s.(map[string]any)["id"].(string))
	}
	// A move: two steps after the lobby swap, the rest stays.
	order[1], order[2] = order[2], order[1]
	e.do("r1", mod, retro.ReorderSteps{Actor: mod, At: t0, Order: slices.Clone(order)})
	e.playRetro("r1")
	alice := actor("user-alice")
	e.do("r1", alice, retro.AddCard{Actor: alice, At: t0, CardID: "c5", ColumnID: "stop", Text: "alice's concealed card"})
	e.do("r1", alice, retro.AddCard{Actor: alice, At: t0, CardID: "c6", ColumnID: "stop", Text: "alice's second card"})
	end := e.do("r1", alice, retro.DeleteCard{Actor: alice, At: t0, CardID: "c5"})
	for i, c := range clients {
		a := actor(users[i])
		v := retro.Viewer{UserID: a.UserID, Pseudonym: a.Pseudonym}
		run := viewerRun{Viewer: users[i]}
		for _, m := range c.until(reached(end)) {
			if m.Type != "snapshot" && m.Type != "change" {
				continue
			}
			run.Steps = append(run.Steps, step{Message: m.raw, View: e.timeTravel("r1", v, m.Position)})
		}
		out = append(out, run)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(webPatchFixture), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(webPatchFixture, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
