package retro_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// The properties run random command sequences from several people against
// the decider, as the log would serialise them, and check after every
// accepted command what the issue promises: budgets and caps hold, concealed
// text reaches nobody but its author, and anonymous authorship appears in no
// event and no view.

var (
	carol    = actor("user-carol")
	people   = []domain.Actor{mod, alice, bob, carol, eve}
	viewers  = []retro.Viewer{viewer(mod), viewer(alice), viewer(bob), viewer(carol), viewer(eve), {}}
	cardIDs  = []string{"c1", "c2", "c3", "c4", "c5", "c6"}
	groupIDs = []string{"g1", "g2", "g3"}
	roundIDs = []string{"r1", "r2", "r3"}
)

// secret is a text written into a card, and who wrote it ("" for a survey).
type secret struct{ author string }

type world struct {
	anon    bool
	s       retro.State
	events  []retro.Event
	states  []retro.State // state after each accepted command
	lens    []int         // len(events) at each of those states
	secrets map[string]secret
	n       int
	last    retro.Command // the command whose events check sees
}

func (w *world) text(prefix string) string {
	w.n++
	return fmt.Sprintf("«%s-%d»", prefix, w.n)
}

func drawCommand(t *rapid.T, w *world) retro.Command {
	// Mostly participants; eve (never joined) now and then.
	a := rapid.SampledFrom(append(people[:4:4], append(people[:4:4], eve)...)).Draw(t, "actor")
	if rapid.IntRange(0, 30).Draw(t, "dropPseudonym") == 0 {
		a.Pseudonym = ""
	}
	card := rapid.SampledFrom(cardIDs).Draw(t, "card")
	topic := rapid.SampledFrom(append(append([]string{}, cardIDs...), groupIDs...)).Draw(t, "topic")
	group := rapid.SampledFrom(groupIDs).Draw(t, "group")
	col := rapid.SampledFrom([]string{"keep", "stop", "start"}).Draw(t, "column")
	// rapid favours small numbers, so the commands that matter most for
	// the properties (cards, reveals, rounds, votes, merges) come first.
	switch rapid.IntRange(0, 27).Draw(t, "kind") {
	case 0, 9:
		text := w.text("secret")
		if !w.s.Revealed[col] { // added to a revealed column, it is everyone's
			w.secrets[text] = secret{author: a.UserID}
		}
		return retro.AddCard{Actor: a, At: t0, CardID: card, ColumnID: col, Text: text}
	case 1, 5, 25:
		// Mostly a topic that exists, so rounds fill up and budgets and
		// caps are actually tested.
		if live := liveTopics(w.s); len(live) > 0 && rapid.IntRange(0, 4).Draw(t, "liveTopic") > 0 {
			topic = rapid.SampledFrom(live).Draw(t, "live")
		}
		return retro.CastVote{Actor: a, At: t0, TopicID: topic}
	case 2:
		return retro.RevealColumn{Actor: mod, At: t0, ColumnID: col}
	case 3:
		return retro.StartVoting{Actor: mod, At: t0, RoundID: rapid.SampledFrom(roundIDs).Draw(t, "round"),
			Budget: rapid.IntRange(1, 4).Draw(t, "budget"), Cap: rapid.IntRange(0, 3).Draw(t, "cap")}
	case 4:
		return retro.MergeCard{Actor: a, At: t0, CardID: card, TargetID: topic, NewGroupID: group}
	case 6:
		text := w.text("secret")
		if c, ok := w.s.Cards.Get(card); !ok || !w.s.Revealed[c.ColumnID] { // an edit after reveal is everyone's
			w.secrets[text] = secret{author: a.UserID}
		}
		return retro.EditCard{Actor: a, At: t0, CardID: card, Text: text}
	case 7:
		return retro.CloseVoting{Actor: mod, At: t0}
	case 8:
		return retro.RetractVote{Actor: a, At: t0, TopicID: topic}
	case 10:
		return retro.DeleteCard{Actor: a, At: t0, CardID: card}
	case 11:
		return retro.MoveCardOut{Actor: a, At: t0, CardID: card}
	case 12:
		return retro.MergeGroups{Actor: a, At: t0, GroupID: group, IntoGroupID: rapid.SampledFrom(groupIDs).Draw(t, "into")}
	case 13:
		return retro.SetTopicVotes{Actor: mod, At: t0, TopicID: topic, Votes: rapid.IntRange(0, 5).Draw(t, "votes")}
	case 14:
		return retro.AnswerIcebreaker{Actor: a, At: t0, CardID: "i-" + card, Text: w.text("ice")}
	case 15:
		return retro.CommentOnAction{Actor: a, At: t0, ActionID: "act-old-1", CommentID: w.text("cm"), Text: "comment"}
	case 16:
		return retro.AnswerHealthCheck{Actor: a, At: t0, QuestionID: "q-fun", Score: rapid.IntRange(1, 5).Draw(t, "score")}
	case 17:
		return retro.RevealHealthCheck{Actor: mod, At: t0}
	case 18:
		return retro.RateRoti{Actor: a, At: t0, Score: rapid.IntRange(0, 10).Draw(t, "roti")}
	case 19:
		return retro.CloseRoti{Actor: mod, At: t0}
	case 20:
		text := w.text("survey")
		w.secrets[text] = secret{}
		return retro.ImportSurvey{Actor: mod, At: t0, SurveyID: w.text("s"),
			Cards: []retro.ImportedCard{{CardID: card, ColumnID: col, Text: text}}}
	case 21:
		return retro.GoToStep{Actor: mod, At: t0, StepID: rapid.SampledFrom([]string{"collect", "group", "vote", "discuss"}).Draw(t, "step")}
	case 22:
		if rapid.IntRange(0, 3).Draw(t, "lock") == 0 {
			return retro.LockRetro{Actor: mod, At: t0}
		}
		return retro.UnlockRetro{Actor: mod, At: t0}
	case 23:
		return retro.CreateAction{Actor: a, At: t0, ActionID: w.text("a"), Title: "do", TopicID: topic, Assignee: "user-bob"}
	case 24:
		return retro.FocusTopic{Actor: mod, At: t0, TopicID: topic}
	case 26:
		return retro.NameGroup{Actor: a, At: t0, GroupID: group, Name: w.text("name")}
	case 27:
		return retro.HideCard{Actor: mod, At: t0, CardID: card}
	}
	t.Fatalf("no command for this kind")
	return nil
}

// liveTopics are the revealed cards and the groups, in a stable order.
func liveTopics(s retro.State) []string {
	var out []string
	for _, id := range s.CardOrder.All() {
		if c, _ := s.Cards.Get(id); s.Revealed[c.ColumnID] {
			out = append(out, id)
		}
	}
	return append(out, s.GroupOrder...)
}

// play sets up a retro and applies random commands, calling check after
// each accepted one.
func play(t *rapid.T, check func(t *rapid.T, w *world, fresh []retro.Event)) *world {
	w := &world{anon: rapid.Bool().Draw(t, "anonymous"), s: retro.Initial(), secrets: map[string]secret{}}
	apply := func(c retro.Command, mustPass bool) {
		evs, err := retro.Decide(w.s, c)
		if err != nil {
			var de *domain.Error
			if !errors.As(err, &de) {
				t.Fatalf("%T rejected without a domain error: %v", c, err)
			}
			if mustPass {
				t.Fatalf("setup %T: %v", c, err)
			}
			return
		}
		for _, e := range evs {
			w.s = retro.Evolve(w.s, e)
		}
		w.events = append(w.events, evs...)
		w.states = append(w.states, w.s)
		w.lens = append(w.lens, len(w.events))
		w.last = c
		check(t, w, evs)
	}
	for _, c := range []retro.Command{
		create(w.anon),
		retro.JoinRetro{Actor: alice, At: t0, Role: retro.RoleMember},
		retro.JoinRetro{Actor: bob, At: t0, Role: retro.RoleMember},
		retro.JoinRetro{Actor: carol, At: t0, Role: retro.RoleGuest},
		retro.ChooseIcebreaker{Actor: mod, At: t0, Text: "Q"},
		retro.StartHealthCheck{Actor: mod, At: t0, Questions: questions},
	} {
		apply(c, true)
	}
	steps := rapid.IntRange(40, 200).Draw(t, "steps")
	for i := 0; i < steps; i++ {
		apply(drawCommand(t, w), false)
	}
	return w
}

func TestPropertyVoteBudgetsAndCapsAreNeverExceeded(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		play(t, func(t *rapid.T, w *world, _ []retro.Event) {
			r := w.s.Round
			if r == nil {
				return
			}
			perVoter := map[string]int{}
			for k, n := range r.Votes {
				if n < 0 {
					t.Fatalf("negative votes %d for %v", n, k)
				}
				if r.Cap > 0 && n > r.Cap {
					t.Fatalf("voter %s gave topic %s %d votes, cap %d", k.Voter, k.Topic, n, r.Cap)
				}
				perVoter[k.Voter] += n
			}
			for voter, n := range perVoter {
				if n > r.Budget {
					t.Fatalf("voter %s has %d votes, budget %d", voter, n, r.Budget)
				}
			}
			for _, v := range viewers {
				if vv := retro.View(w.s, v, policy).Voting; vv.YourRemaining < 0 || vv.Remaining < 0 {
					t.Fatalf("negative remaining votes in %+v", vv)
				}
			}
		})
	})
}

// allowed reports whether a secret text may reach the viewer: they wrote
// it, or it is a card's current text in a revealed column, not hidden.
func allowed(s retro.State, text string, author string, v retro.Viewer) bool {
	if author != "" && author == v.UserID {
		return true
	}
	for _, c := range s.Cards.All() {
		if c.Text == text && s.Revealed[c.ColumnID] && !c.Hidden {
			return true
		}
	}
	return false
}

func checkLeaks(t *rapid.T, w *world, what string, raw []byte, v retro.Viewer) {
	out := string(raw)
	if strings.Contains(out, "anon:") {
		t.Fatalf("%s for %q shows a pseudonym: %s", what, v.UserID, out)
	}
	for text, sec := range w.secrets {
		if strings.Contains(out, text) && !allowed(w.s, text, sec.author, v) {
			t.Fatalf("%s for %q shows concealed text %s by %q: %s", what, v.UserID, text, sec.author, out)
		}
	}
}

// contentEvents carry a person next to a card, vote, rating or answer.
var contentEvents = map[string]bool{"CardAdded": true, "CardEdited": true, "CardDeleted": true,
	"IcebreakerAnswered": true, "CarriedActionCommented": true, "VoteCast": true, "VoteRetracted": true,
	"HealthCheckAnswered": true, "RotiRated": true}

// alwaysAnonymous carry a person only as a pseudonym, anonymous retro or not.
var alwaysAnonymous = map[string]bool{"HealthCheckAnswered": true, "RotiRated": true}

func TestPropertyConcealedTextReachesOnlyItsAuthor(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := play(t, func(t *rapid.T, w *world, fresh []retro.Event) {
			for _, v := range viewers {
				raw, err := json.Marshal(retro.View(w.s, v, policy))
				if err != nil {
					t.Fatal(err)
				}
				checkLeaks(t, w, "view", raw, v)
				for _, e := range fresh {
					if red, ok := retro.RedactEvent(w.s, e, v); ok {
						raw, _ := json.Marshal(red)
						checkLeaks(t, w, "event "+e.EventType(), raw, v)
					}
				}
			}
		})
		// An export redacts the whole log against the final state: drafts
		// and texts written before a reveal must still not leak.
		for _, v := range viewers {
			for _, e := range w.events {
				if red, ok := retro.RedactEvent(w.s, e, v); ok {
					raw, _ := json.Marshal(red)
					checkLeaks(t, w, "exported "+e.EventType(), raw, v)
				}
			}
		}
	})
}

func TestPropertyAnonymousAuthorshipAppearsInNoEventAndNoView(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		play(t, func(t *rapid.T, w *world, fresh []retro.Event) {
			for _, e := range fresh {
				raw, err := json.Marshal(e)
				if err != nil {
					t.Fatal(err)
				}
				typ := e.EventType()
				if (w.anon && contentEvents[typ]) || alwaysAnonymous[typ] {
					if strings.Contains(string(raw), "user-") {
						t.Fatalf("the log records a user ID in %s: %s", typ, raw)
					}
				}
				for _, v := range viewers {
					red, ok := retro.RedactEvent(w.s, e, v)
					if !ok {
						continue
					}
					raw, _ := json.Marshal(red)
					if strings.Contains(string(raw), "anon:") {
						t.Fatalf("%s for %q shows a pseudonym: %s", typ, v.UserID, raw)
					}
					if w.anon && contentEvents[typ] && strings.Contains(string(raw), "user-") {
						t.Fatalf("%s for %q names a person: %s", typ, v.UserID, raw)
					}
					if (typ == "VoteCast" || typ == "VoteRetracted" || alwaysAnonymous[typ]) && v.UserID != "" &&
						!strings.Contains(fmt.Sprint(e), v.Pseudonym) && !strings.Contains(fmt.Sprint(e), v.UserID) {
						t.Fatalf("%s reached %q, who did not cast it", typ, v.UserID)
					}
				}
			}
			for _, v := range viewers {
				raw, _ := json.Marshal(retro.View(w.s, v, policy))
				if strings.Contains(string(raw), "anon:") {
					t.Fatalf("view for %q shows a pseudonym", v.UserID)
				}
				if w.anon && strings.Contains(string(raw), `"author"`) {
					t.Fatalf("view for %q of an anonymous retro names an author: %s", v.UserID, raw)
				}
			}
		})
	})
}

// Evolve never changes a state someone else holds: every state kept along
// the way still equals a fresh fold of the events up to it.
func TestPropertyEvolveLeavesEarlierStatesAlone(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := play(t, func(*rapid.T, *world, []retro.Event) {})
		for i, s := range w.states {
			if fresh := fold(w.events[:w.lens[i]]); !reflect.DeepEqual(s, fresh) {
				t.Fatalf("state %d changed after later events", i)
			}
		}
		// The in-place Fold agrees with folding through Evolve.
		if !reflect.DeepEqual(retro.Fold(w.events), w.s) {
			t.Fatal("retro.Fold and Evolve disagree")
		}
		// So does EvolveAll from any kept state, which it leaves alone.
		if len(w.states) > 0 {
			i := rapid.IntRange(0, len(w.states)-1).Draw(t, "from")
			before := fold(w.events[:w.lens[i]])
			if got := retro.EvolveAll(w.states[i], w.events[w.lens[i]:]); !reflect.DeepEqual(got, w.s) {
				t.Fatalf("EvolveAll from state %d disagrees with Evolve", i)
			}
			if !reflect.DeepEqual(w.states[i], before) {
				t.Fatalf("EvolveAll changed the state %d it was given", i)
			}
		}
	})
}

func TestPropertyAViewMadeFromTheLastOneIsTheViewBuiltWhole(t *testing.T) {
	derivedAny := false
	rapid.Check(t, func(t *rapid.T) {
		// Each viewer's view as a live feed keeps it: made from the last
		// one whenever ViewAfter can, built whole otherwise.
		// A writer behind makes one view for a run of commits: runs
		// holds each viewer's view some commits back and the events since.
		kept := map[int]retro.RetroView{}
		type run struct {
			from   retro.RetroView
			events []retro.Event
		}
		runs := map[int]run{}
		play(t, func(t *rapid.T, w *world, fresh []retro.Event) {
			for i, v := range viewers {
				whole := retro.View(w.s, v, policy)
				if r, had := runs[i]; had {
					r.events = append(r.events, fresh...)
					if got, _, ok := retro.ViewAfter(r.from, w.s, r.events, v, policy); ok {
						derivedAny = true
						if !reflect.DeepEqual(got, whole) {
							t.Fatalf("after a run of %d events, viewer %q: made from the view before the run differs from the view built whole", len(r.events), v.UserID)
						}
						runs[i] = r
					} else {
						delete(runs, i)
					}
				}
				if _, had := runs[i]; !had && rapid.IntRange(0, 3).Draw(t, "startRun") == 0 {
					runs[i] = run{from: whole}
				}
				prev, had := kept[i]
				kept[i] = whole
				if !had {
					continue
				}
				before, _ := json.Marshal(prev)
				got, added, ok := retro.ViewAfter(prev, w.s, fresh, v, policy)
				if after, _ := json.Marshal(prev); string(after) != string(before) {
					t.Fatalf("ViewAfter changed the view it was given, after %T", w.last)
				}
				if !ok {
					continue
				}
				derivedAny = true
				if !reflect.DeepEqual(got, whole) {
					g, _ := json.Marshal(got)
					h, _ := json.Marshal(whole)
					t.Fatalf("after %T, viewer %q: made from the last view\n%s\nbuilt whole\n%s", w.last, v.UserID, g, h)
				}
				// What it says it added, added to the last view's JSON, is
				// the new view's JSON.
				if patched := addAll(t, before, added); !jsonEqual(t, patched, whole) {
					t.Fatalf("after %T, viewer %q: the additions applied to the last view give\n%s", w.last, v.UserID, patched)
				}
				kept[i] = got
			}
		})
	})
	if !derivedAny {
		t.Fatal("no view was ever made from the last one: the property tested nothing")
	}
}

func TestPropertyTheCardAuthorsCountIsTheCardsOwn(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		play(t, func(t *rapid.T, w *world, _ []retro.Event) {
			want := map[string]int{}
			for _, c := range w.s.Cards.All() {
				if c.Author != "" {
					want[c.Author]++
				}
			}
			if len(want) != len(w.s.CardAuthors) {
				t.Fatalf("card authors %v, the cards say %v", w.s.CardAuthors, want)
			}
			for a, n := range want {
				if w.s.CardAuthors[a] != n {
					t.Fatalf("card authors %v, the cards say %v", w.s.CardAuthors, want)
				}
			}
		})
	})
}

// addAll applies each addition to a JSON document as an RFC 6902 "add":
// into the list its pointer names, at its index.
func addAll(t *rapid.T, doc []byte, added []retro.Added) []byte {
	var d any
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	for _, a := range added {
		val, _ := json.Marshal(a.Value)
		var v any
		_ = json.Unmarshal(val, &v)
		toks := strings.Split(strings.TrimPrefix(a.Path, "/"), "/")
		var parent any = d
		for _, tok := range toks[:len(toks)-2] {
			parent = step(t, parent, tok)
		}
		holder, key := parent, toks[len(toks)-2]
		list, ok := step(t, holder, key).([]any)
		if !ok {
			t.Fatalf("%s does not name a list", a.Path)
		}
		var i int
		if _, err := fmt.Sscan(toks[len(toks)-1], &i); err != nil || i > len(list) {
			t.Fatalf("bad index in %s (list of %d)", a.Path, len(list))
		}
		list = append(list[:i], append([]any{v}, list[i:]...)...)
		switch h := holder.(type) {
		case map[string]any:
			h[key] = list
		case []any:
			var j int
			fmt.Sscan(key, &j)
			h[j] = list
		}
	}
	out, _ := json.Marshal(d)
	return out
}

func step(t *rapid.T, doc any, tok string) any {
	switch d := doc.(type) {
	case map[string]any:
		return d[tok]
	case []any:
		var i int
		if _, err := fmt.Sscan(tok, &i); err != nil || i >= len(d) {
			t.Fatalf("bad index %q", tok)
		}
		return d[i]
	}
	t.Fatalf("cannot step into %T with %q", doc, tok)
	return nil
}

func jsonEqual(t *rapid.T, a []byte, b any) bool {
	var x, y any
	bb, _ := json.Marshal(b)
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(bb, &y) != nil {
		t.Fatal("not JSON")
	}
	return reflect.DeepEqual(x, y)
}
