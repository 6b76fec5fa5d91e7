//go:build unix

package e2e_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// revokeWithin is how soon after losing access a stock client must stop
// receiving anything of the board.
const revokeWithin = 2 * time.Second

// A member removed from the team while their stock client syncs the board
// stops receiving its presence and changes within two seconds, while
// another member's client keeps syncing it.
func TestAMemberRemovedFromTheTeamStopsReceivingTheWhiteboard(t *testing.T) {
	r := openBoardRoom(t, false)
	r.mo.must(t, http.StatusOK, request{method: http.MethodDelete, path: "/v1/teams/" + r.team + "/members/" + r.ann.id})
	r.expectCutOff(t, r.board, "Ann")
}

// A client syncing with an API token stops receiving the board within two
// seconds of the token's revocation, while another member's client keeps
// syncing it.
func TestAClientWhoseTokenIsRevokedStopsReceivingTheWhiteboard(t *testing.T) {
	r := openBoardRoom(t, true)
	r.ann.must(t, http.StatusNoContent, request{method: http.MethodDelete, path: "/v1/tokens/" + r.annTokenID})
	r.expectCutOff(t, r.board, "Ann")
}

// An archived board stops reaching its clients within two seconds; the
// team's other board keeps syncing on the same connections.
func TestAnArchivedWhiteboardStopsReachingItsClients(t *testing.T) {
	r := openBoardRoom(t, false)
	r.mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/whiteboards/" + r.board + "/archive"})
	r.expectCutOff(t, r.other, "Ann", "Bob")
}

// boardRoom is a team of Mo, Ann and Bob with two boards, each member's
// stock client syncing both, and Ann's client receiving Mo's presence and
// edits on the first.
type boardRoom struct {
	js           *jsHost
	mo, ann, bob *participant
	team         string
	board, other string // board IDs; the clients open "automerge:"+id
	annTokenID   string // set when Ann syncs with an API token
	rounds       int
}

func openBoardRoom(t *testing.T, annUsesAPIToken bool) *boardRoom {
	needBinary(t)
	n := singleNode(t)[0]
	r := &boardRoom{mo: newParticipant("Mo", n), ann: newParticipant("Ann", n), bob: newParticipant("Bob", n)}
	for _, p := range []*participant{r.mo, r.ann, r.bob} {
		p.register(t)
	}
	ws := r.mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces", body: map[string]string{"name": "Acme"}}).str("id")
	r.team = r.mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/workspaces/" + ws + "/teams",
		body: map[string]string{"name": "Platform", "templateId": "scrum-team"}}).str("id")
	for _, p := range []*participant{r.ann, r.bob} {
		r.mo.must(t, http.StatusOK, request{method: http.MethodPost, path: "/v1/teams/" + r.team + "/members", body: map[string]string{"userId": p.id}})
	}
	r.board = r.mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + r.team + "/whiteboards",
		body: map[string]string{"title": "Ideas"}}).str("id")
	r.other = r.mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/teams/" + r.team + "/whiteboards",
		body: map[string]string{"title": "Parking lot"}}).str("id")

	annToken := r.ann.token
	if annUsesAPIToken {
		issued := r.ann.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/tokens",
			body: map[string]any{"name": "whiteboard script", "scopes": []string{"write"}}})
		annToken, r.annTokenID = issued.str("token"), issued.str("tokenId")
	}
	r.js = startJS(t)
	r.js.do(map[string]any{"op": "open", "client": "Mo", "url": syncURL(n, r.mo.token)})
	r.js.do(map[string]any{"op": "open", "client": "Ann", "url": syncURL(n, annToken)})
	r.js.do(map[string]any{"op": "open", "client": "Bob", "url": syncURL(n, r.bob.token)})
	for _, c := range []string{"Mo", "Ann", "Bob"} {
		for _, id := range []string{r.board, r.other} {
			r.js.do(map[string]any{"op": "find", "client": c, "url": "automerge:" + id})
		}
	}
	// Before: Ann receives Mo's presence and edits, so what she misses
	// later is what the server withheld.
	r.round(t, r.board, "Ann", "Bob")
	return r
}

// round has Mo send presence and one edit on board id and waits until each
// of the named clients has received both.
func (r *boardRoom) round(t *testing.T, id string, to ...string) {
	t.Helper()
	r.rounds++
	url := "automerge:" + id
	seen := make([]int, len(to))
	for i, c := range to {
		seen[i] = r.presence(t, c, id)
	}
	r.js.do(map[string]any{"op": "broadcast", "client": "Mo", "url": url, "message": map[string]any{"cursor": r.rounds}})
	r.js.do(map[string]any{"op": "edit", "client": "Mo", "url": url, "key": "notes", "count": 1, "prefix": fmt.Sprintf("round%d", r.rounds)})
	want := r.notes(t, "Mo", id)
	for i, c := range to {
		r.js.do(map[string]any{"op": "waitFor", "client": c, "url": url, "key": "notes", "length": want})
		r.js.do(map[string]any{"op": "waitEphemeral", "client": c, "url": url, "count": seen[i] + 1})
	}
}

func (r *boardRoom) notes(t *testing.T, client, id string) int {
	t.Helper()
	got := r.js.do(map[string]any{"op": "doc", "client": client, "url": "automerge:" + id})
	doc, _ := got["doc"].(map[string]any)
	notes, _ := doc["notes"].([]any)
	return len(notes)
}

func (r *boardRoom) presence(t *testing.T, client, id string) int {
	t.Helper()
	got := r.js.do(map[string]any{"op": "doc", "client": client, "url": "automerge:" + id})
	n, _ := got["ephemeral"].(float64)
	return int(n)
}

// expectCutOff lets revokeWithin pass after the named clients lost access
// to r.board, then has Mo send presence and edits on it, and checks that
// none of it reaches them while Bob keeps syncing board keep.
func (r *boardRoom) expectCutOff(t *testing.T, keep string, cutOff ...string) {
	t.Helper()
	lost := time.Now()
	// The bound under test, not a wait for something to happen.
	time.Sleep(time.Until(lost.Add(revokeWithin)))
	notes, presence := map[string]int{}, map[string]int{}
	for _, c := range cutOff {
		notes[c], presence[c] = r.notes(t, c, r.board), r.presence(t, c, r.board)
	}
	for range 3 {
		if keep != r.board {
			// What Mo sends on the lost board goes out before the round on
			// the kept one, which Bob's client then receives.
			r.js.do(map[string]any{"op": "broadcast", "client": "Mo", "url": "automerge:" + r.board, "message": map[string]any{"late": true}})
			r.js.do(map[string]any{"op": "edit", "client": "Mo", "url": "automerge:" + r.board, "key": "notes", "count": 1, "prefix": "late"})
		}
		r.round(t, keep, "Bob")
	}
	for _, c := range cutOff {
		if got := r.notes(t, c, r.board); got != notes[c] {
			t.Errorf("%s's copy of the board went from %d to %d notes more than %v after losing access", c, notes[c], got, revokeWithin)
		}
		if got := r.presence(t, c, r.board); got != presence[c] {
			t.Errorf("%s received %d presence messages of the board more than %v after losing access", c, got-presence[c], revokeWithin)
		}
	}
}
