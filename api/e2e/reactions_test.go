//go:build unix

package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
	"github.com/hindsight-retro/hindsight/projections/runner"
)

// crashBinary builds hindsight with its crashpoints (-tags crashpoints),
// once, beside the plain binary: started with
// HINDSIGHT_CRASHPOINT=<point>:<event type>, it hangs at that point of the
// reaction to such an event, to be killed there.
func crashBinary(t *testing.T) string {
	t.Helper()
	needBinary(t)
	crashBuild.once.Do(func() {
		bin := filepath.Join(filepath.Dir(binary), "hindsight-crashpoints")
		cmd := exec.Command("go", "build", "-buildvcs=false", "-tags", "crashpoints", "-o", bin, "github.com/hindsight-retro/hindsight/cmd/hindsight")
		if out, err := cmd.CombinedOutput(); err != nil {
			crashBuild.err = fmt.Errorf("go build -tags crashpoints: %w\n%s", err, out)
			return
		}
		crashBuild.bin = bin
	})
	if crashBuild.err != nil {
		t.Fatal(crashBuild.err)
	}
	return crashBuild.bin
}

var crashBuild struct {
	once sync.Once
	bin  string
	err  error
}

// A node killed with SIGKILL between a retro command and its reaction (an
// action reviewed "kept", carried to the team's tracker) loses nothing:
// the next node on the same data folder does the reaction, and does it
// once, whether the kill came before the reaction or after it but before
// its checkpoint. "Kept" is the reaction the team would record twice if
// it were done twice: unlike done or discarded, keeping is not refused as
// unchanged.
func TestAReactionCutOffByKill9IsDoneOnceByTheNextNode(t *testing.T) {
	bin := crashBinary(t)
	for _, point := range []string{runner.CrashBeforeReaction, runner.CrashAfterReaction} {
		t.Run(point, func(t *testing.T) {
			dir := t.TempDir()
			doomed := launchNode(t, "doomed", bin, []string{"HINDSIGHT_CRASHPOINT=" + point + ":" + retro.TypeCarriedActionReviewed},
				"--data-dir", dir)
			mo := newParticipant("Mo", doomed)
			mo.register(t)
			create := func(path string, body any) string {
				t.Helper()
				return mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: path, body: body}).str("id")
			}
			post := func(path string, body any) {
				t.Helper()
				mo.must(t, http.StatusOK, request{method: http.MethodPost, path: path, body: body})
			}
			ws := create("/v1/workspaces", map[string]string{"name": "Acme"})
			tm := create("/v1/workspaces/"+ws+"/teams", map[string]string{"name": "Platform", "templateId": "scrum-team"})
			// An earlier retro leaves an open action; the next one reviews it.
			earlier := create("/v1/teams/"+tm+"/retros", map[string]any{"title": "Sprint 41"})
			action := create("/v1/retros/"+earlier+"/actions", map[string]string{"title": "Automate the release notes"})
			post("/v1/retros/"+earlier+"/close", nil)
			next := create("/v1/teams/"+tm+"/retros", map[string]any{"title": "Sprint 42"})
			post("/v1/retros/"+next+"/steps/action-review/go", nil)

			// The review is stored; the node hangs at the crashpoint and
			// the request with it, until the kill cuts it off.
			reviewPath, token := doomed.base+"/v1/retros/"+next+"/review/"+action, mo.token
			go func() {
				req, err := http.NewRequest(http.MethodPost, reviewPath, strings.NewReader(`{"outcome":"`+string(retro.OutcomeKept)+`"}`))
				if err != nil {
					return
				}
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", marker("review"))
				if res, err := http.DefaultClient.Do(req); err == nil {
					res.Body.Close()
				}
			}()
			deadline := time.Now().Add(startBound)
			for !strings.Contains(doomed.logText(), `"msg":"crashpoint"`) {
				if time.Now().After(deadline) {
					t.Fatalf("the node never reached the crashpoint %s; log:\n%s", point, tail(doomed.logText(), 40))
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err := doomed.cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-doomed.exited

			// The next node starts on the same folder; nobody retries.
			heir := startNode(t, "heir", "--data-dir", dir)
			mo.node = heir
			login := mo.must(t, http.StatusCreated, request{method: http.MethodPost, path: "/v1/sessions", anonymous: true,
				body: map[string]string{"email": mo.email, "password": "correct horse battery staple"}})
			mo.token = login.str("token")
			deadline = time.Now().Add(startBound)
			for {
				var acts struct{ Items []team.Action }
				mo.get(t, "/v1/teams/"+tm+"/actions", &acts)
				if len(acts.Items) == 1 && acts.Items[0].Status == team.StatusKept && acts.Items[0].ReviewedInRetro == next {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the team's actions after the restart: %+v, want %s kept in %s", acts.Items, action, next)
				}
				// Slowly: the node limits requests per client.
				time.Sleep(250 * time.Millisecond)
			}
			heir.stop(t)

			// The log holds the reaction once, caused by the review.
			kept := keptChanges(t, dir, action)
			if len(kept) != 1 {
				t.Fatalf("the team's log holds %d changes of %s to kept, want 1: %+v", len(kept), action, kept)
			}
			if !strings.HasPrefix(kept[0].CommandID, "react-") || kept[0].CausationID == "" {
				t.Errorf("the change's command %q, cause %q: want a reaction to the review", kept[0].CommandID, kept[0].CausationID)
			}
		})
	}
}

// keptChanges reads a stopped node's log and returns the team events that
// changed the action's status to kept.
func keptChanges(t *testing.T, dir, actionID string) []eventstore.RecordedEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startBound)
	defer cancel()
	store, err := natsjs.Open(ctx, natsjs.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var out []eventstore.RecordedEvent
	err = store.ReadAll(ctx, 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		if e.Type != team.TypeActionStatusChanged {
			return nil
		}
		var c team.ActionStatusChanged
		if err := json.Unmarshal(e.Payload, &c); err != nil {
			return err
		}
		if c.ActionID == actionID && c.To == team.StatusKept {
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
