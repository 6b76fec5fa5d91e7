package app_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// In an anonymous retro the log itself cannot link a contribution to a
// person: no content event and no commit envelope next to one holds the
// user ID of its author or voter, and after close the key that made the
// pseudonyms is gone.
func TestAnAnonymousRetroNeverStoresWhoWroteOrVoted(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Anonymous one", true)
	run := func(p string, build func(a domain.Actor, at time.Time) retro.Command) {
		t.Helper()
		must(f.retro(user(p), rid, build))(t)
	}
	mod := func(build func(a domain.Actor, at time.Time) retro.Command) { run(uMod, build) }

	// Given a whole anonymous retro: icebreaker, health check, cards with
	// an edit, grouping, votes, an action, ROTI.
	mod(func(a domain.Actor, at time.Time) retro.Command {
		return retro.GoToStep{Actor: a, At: at, StepID: "icebreaker"}
	})
	run(uBea, func(a domain.Actor, at time.Time) retro.Command {
		return retro.AnswerIcebreaker{Actor: a, At: at, CardID: "ice-1", Text: "tea"}
	})
	mod(func(a domain.Actor, at time.Time) retro.Command {
		return retro.GoToStep{Actor: a, At: at, StepID: "health-check"}
	})
	q := f.view(user(uBea), rid).Health.Questions[0].ID
	for _, u := range []string{uBea, uCal} {
		run(u, func(a domain.Actor, at time.Time) retro.Command {
			return retro.AnswerHealthCheck{Actor: a, At: at, QuestionID: q, Score: 4}
		})
	}
	run(uBea, func(a domain.Actor, at time.Time) retro.Command {
		return retro.AddCard{Actor: a, At: at, CardID: "c-bea", ColumnID: "stop", Text: "meetings run over"}
	})
	run(uBea, func(a domain.Actor, at time.Time) retro.Command {
		return retro.EditCard{Actor: a, At: at, CardID: "c-bea", Text: "stand-ups run over"}
	})
	run(uCal, func(a domain.Actor, at time.Time) retro.Command {
		return retro.AddCard{Actor: a, At: at, CardID: "c-cal", ColumnID: "stop", Text: "late reviews"}
	})
	// Before the reveal, cal does not see bea's text; bea sees hers, unnamed.
	if c, _ := cardIn(f.view(user(uCal), rid), "c-bea"); c.Text != "" || c.Author != "" {
		t.Errorf("cal sees bea's concealed anonymous card as %+v", c)
	}
	if c, _ := cardIn(f.view(user(uBea), rid), "c-bea"); !c.Mine || c.Text != "stand-ups run over" || c.Author != "" {
		t.Errorf("bea sees her own anonymous card as %+v, want hers, with text, unnamed", c)
	}
	mod(func(a domain.Actor, at time.Time) retro.Command {
		return retro.RevealColumn{Actor: a, At: at, ColumnID: "stop"}
	})
	run(uCal, func(a domain.Actor, at time.Time) retro.Command {
		return retro.MergeCard{Actor: a, At: at, CardID: "c-cal", TargetID: "c-bea", NewGroupID: "g-1"}
	})
	mod(func(a domain.Actor, at time.Time) retro.Command {
		return retro.StartVoting{Actor: a, At: at, RoundID: "v-1", Budget: 2}
	})
	for _, u := range []string{uBea, uCal} {
		run(u, func(a domain.Actor, at time.Time) retro.Command {
			return retro.CastVote{Actor: a, At: at, TopicID: "g-1"}
		})
	}
	mod(func(a domain.Actor, at time.Time) retro.Command { return retro.CloseVoting{Actor: a, At: at} })
	run(uBea, func(a domain.Actor, at time.Time) retro.Command {
		return retro.CreateAction{Actor: a, At: at, ActionID: "act-anon", Title: "Time-box stand-ups", TopicID: "g-1"}
	})
	for _, u := range []string{uBea, uCal} {
		run(u, func(a domain.Actor, at time.Time) retro.Command { return retro.RateRoti{Actor: a, At: at, Score: 3} })
	}
	// Revealed, the cards still name nobody.
	for _, c := range f.view(user(uMod), rid).Columns[1].Cards {
		if c.Author != "" {
			t.Errorf("card %s shows author %q in an anonymous retro", c.ID, c.Author)
		}
	}
	mod(func(a domain.Actor, at time.Time) retro.Command { return retro.CloseRetro{Actor: a, At: at} })

	// Then: the retro's events that record contributions, and every
	// envelope of their commits, hold no participant's user ID; content
	// envelopes hold pseudonyms.
	people := []string{uBea, uCal, uMod}
	content := map[string]bool{"CardAdded": true, "CardEdited": true, "CardDeleted": true, "VoteCast": true,
		"VoteRetracted": true, "IcebreakerAnswered": true, "CarriedActionCommented": true,
		"HealthCheckAnswered": true, "RotiRated": true}
	seen := map[string]int{}
	for _, e := range f.events() {
		switch {
		case e.Stream.Category == "retro" && e.Stream.ID == rid:
			seen[e.Type]++
			if e.Type == "ParticipantJoined" || e.Type == "RetroCreated" {
				// Who takes part and who moderates is not anonymous.
				continue
			}
			if who, ok := contains(string(e.Payload)+" "+e.Actor, people...); ok {
				t.Errorf("%s at %d names %s: payload %s, actor %q", e.Type, e.Position, who, e.Payload, e.Actor)
			}
			if content[e.Type] && !strings.HasPrefix(e.Actor, "anon:") {
				t.Errorf("%s at %d: envelope actor %q, want the author's pseudonym", e.Type, e.Position, e.Actor)
			}
		case e.Stream.Category == "team" && e.Type == "team.ActionRecorded":
			// The team records the action on behalf of the moderator, not
			// of bea who proposed it next to her own card.
			if strings.Contains(string(e.Payload), uBea) || e.Actor != uMod {
				t.Errorf("team action recorded as %s by %q, want no bea and the moderator", e.Payload, e.Actor)
			}
		}
	}
	for typ := range content {
		if typ != "CardDeleted" && typ != "VoteRetracted" && typ != "CarriedActionCommented" && seen[typ] == 0 {
			t.Errorf("the retro stored no %s; the scan proves nothing about it", typ)
		}
	}

	// And the key is destroyed: not even bea is linked to her card any more.
	if _, err := f.keys.Get(f.ctx(), "retro:"+rid); !errors.Is(err, keys.ErrDestroyed) {
		t.Errorf("retro key after close: %v, want destroyed", err)
	}
	v := f.view(user(uBea), rid)
	if c, _ := cardIn(v, "c-bea"); c.Mine {
		t.Errorf("after close bea's card is still linked to her: %+v", c)
	}
	// Two ratings are fewer than the minimum group of three: their count only.
	if r := v.Roti.Result; r == nil || r.Count != 2 || !r.Withheld || r.Average != nil || v.Roti.YourScore != nil {
		t.Errorf("ROTI after close: %+v, want the count of two ratings only and no own score", v.Roti)
	}
}

// The health check and ROTI are anonymous in every retro: even in a named
// retro their envelopes hold the pseudonym.
func TestHealthAndROTIArePseudonymousInANamedRetro(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Named", false)
	must(f.app.StartHealthCheck(f.ctx(), user(uMod), f.cmdID(), rid, ""))(t)
	q := f.view(user(uBea), rid).Health.Questions[0].ID
	must(f.retro(user(uBea), rid, func(a domain.Actor, at time.Time) retro.Command {
		return retro.AnswerHealthCheck{Actor: a, At: at, QuestionID: q, Score: 2}
	}))(t)
	must(f.retro(user(uBea), rid, func(a domain.Actor, at time.Time) retro.Command {
		return retro.RateRoti{Actor: a, At: at, Score: 4}
	}))(t)
	for _, e := range f.events() {
		if e.Type != "HealthCheckAnswered" && e.Type != "RotiRated" {
			continue
		}
		if _, ok := contains(string(e.Payload)+" "+e.Actor, uBea); ok || !strings.HasPrefix(e.Actor, "anon:") {
			t.Errorf("%s: payload %s, actor %q; want bea's pseudonym only", e.Type, e.Payload, e.Actor)
		}
	}
	if s := f.view(user(uBea), rid).Health.Questions[0].YourScore; s == nil || *s != 2 {
		t.Errorf("bea's own health answer: %v, want 2", s)
	}
}

// A handler must use the actor the app established; one that names
// someone else is refused before anything is decided.
func TestACommandBuiltForSomeoneElseIsRefused(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Sprint 1", false)
	_, err := f.retro(user(uBea), rid, func(_ domain.Actor, at time.Time) retro.Command {
		return retro.AddCard{Actor: domain.Actor{UserID: uCal}, At: at, CardID: "c-1", ColumnID: "start", Text: "as cal"}
	})
	if err == nil {
		t.Fatal("a card built with another person's actor was accepted")
	}
	_, err = f.retro(user(uBea), rid, func(a domain.Actor, at time.Time) retro.Command {
		return retro.JoinRetro{Actor: a, At: at, Role: retro.RoleMember}
	})
	rejected(t, "joining through the generic command", err, domain.Invalid, "command-not-allowed")
	if n := f.countType("CardAdded"); n != 0 {
		t.Errorf("%d cards stored", n)
	}
}
