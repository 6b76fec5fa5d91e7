package app_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
)

// In an anonymous retro the log itself cannot link a contribution to a
// person: no content event and no commit envelope next to one holds the
// user ID of its author or voter, and after close the key that made the
// pseudonyms is gone.
func TestAnAnonymousRetroNeverStoresWhoWroteOrVoted(t *testing.T) {
	f := newTeam(t)
	rid := f.newRetro("Anonymous one", true)
	run := func(p string, in app.RetroInput) app.Result {
		t.Helper()
		return must(f.retro(user(p), rid, in))(t)
	}
	mod := func(in app.RetroInput) { run(uMod, in) }

	// Given a whole anonymous retro: icebreaker, health check, cards with
	// an edit, grouping, votes, an action, ROTI.
	mod(app.GoToStep{StepID: "icebreaker"})
	run(uBea, app.AnswerIcebreaker{Text: "tea"})
	mod(app.GoToStep{StepID: "health-check"})
	q := f.view(user(uBea), rid).Health.Questions[0].ID
	for _, u := range []string{uBea, uCal} {
		run(u, app.AnswerHealthCheck{QuestionID: q, Score: 4})
	}
	cBea := run(uBea, app.AddCard{ColumnID: "stop", Text: "meetings run over"}).ID
	run(uBea, app.EditCard{CardID: cBea, Text: "stand-ups run over"})
	cCal := run(uCal, app.AddCard{ColumnID: "stop", Text: "late reviews"}).ID
	// Before the reveal, cal does not see bea's text; bea sees hers, unnamed.
	if c, _ := cardIn(f.view(user(uCal), rid), cBea); c.Text != "" || c.Author != "" {
		t.Errorf("cal sees bea's concealed anonymous card as %+v", c)
	}
	if c, _ := cardIn(f.view(user(uBea), rid), cBea); !c.Mine || c.Text != "stand-ups run over" || c.Author != "" {
		t.Errorf("bea sees her own anonymous card as %+v, want hers, with text, unnamed", c)
	}
	mod(app.RevealColumn{ColumnID: "stop"})
	group := run(uCal, app.MergeCard{CardID: cCal, TargetID: cBea}).ID
	mod(app.StartVoting{Budget: 2})
	for _, u := range []string{uBea, uCal} {
		run(u, app.CastVote{TopicID: group})
	}
	mod(app.CloseVoting{})
	run(uBea, app.CreateAction{Title: "Time-box stand-ups", TopicID: group})
	for _, u := range []string{uBea, uCal} {
		run(u, app.RateRoti{Score: 3})
	}
	// Revealed, the cards still name nobody.
	for _, c := range f.view(user(uMod), rid).Columns[1].Cards {
		if c.Author != "" {
			t.Errorf("card %s shows author %q in an anonymous retro", c.ID, c.Author)
		}
	}
	mod(app.CloseRetro{})

	// Then: the retro's events that record contributions, and every
	// envelope of their commits, hold no participant's user ID; content
	// envelopes hold pseudonyms.
	people := []string{uBea, uCal, uMod}
	content := map[string]bool{retro.TypeCardAdded: true, retro.TypeCardEdited: true, retro.TypeCardDeleted: true, retro.TypeVoteCast: true,
		retro.TypeVoteRetracted: true, retro.TypeIcebreakerAnswered: true, retro.TypeCarriedActionCommented: true,
		retro.TypeHealthCheckAnswered: true, retro.TypeRotiRated: true}
	seen := map[string]int{}
	for _, e := range f.events() {
		switch {
		case e.Stream.Category == retro.Category && e.Stream.ID == rid:
			seen[e.Type]++
			if e.Type == retro.TypeParticipantJoined || e.Type == retro.TypeRetroCreated {
				// Who takes part and who moderates is not anonymous.
				continue
			}
			if who, ok := contains(string(e.Payload)+" "+e.Actor, people...); ok {
				t.Errorf("%s at %d names %s: payload %s, actor %q", e.Type, e.Position, who, e.Payload, e.Actor)
			}
			if content[e.Type] && !strings.HasPrefix(e.Actor, "anon:") {
				t.Errorf("%s at %d: envelope actor %q, want the author's pseudonym", e.Type, e.Position, e.Actor)
			}
		case e.Stream.Category == team.Category && e.Type == team.TypeActionRecorded:
			// The team records the action on behalf of the moderator, not
			// of bea who proposed it next to her own card.
			if strings.Contains(string(e.Payload), uBea) || e.Actor != uMod {
				t.Errorf("team action recorded as %s by %q, want no bea and the moderator", e.Payload, e.Actor)
			}
		}
	}
	for typ := range content {
		if typ != retro.TypeCardDeleted && typ != retro.TypeVoteRetracted && typ != retro.TypeCarriedActionCommented && seen[typ] == 0 {
			t.Errorf("the retro stored no %s; the scan proves nothing about it", typ)
		}
	}

	// And the key is destroyed: not even bea is linked to her card any more.
	if _, err := f.keys.Get(f.ctx(), "retro:"+rid); !errors.Is(err, keys.ErrDestroyed) {
		t.Errorf("retro key after close: %v, want destroyed", err)
	}
	v := f.view(user(uBea), rid)
	if c, _ := cardIn(v, cBea); c.Mine {
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
	must(f.retro(user(uMod), rid, app.StartHealthCheck{}))(t)
	q := f.view(user(uBea), rid).Health.Questions[0].ID
	must(f.retro(user(uBea), rid, app.AnswerHealthCheck{QuestionID: q, Score: 2}))(t)
	must(f.retro(user(uBea), rid, app.RateRoti{Score: 4}))(t)
	for _, e := range f.events() {
		if e.Type != retro.TypeHealthCheckAnswered && e.Type != retro.TypeRotiRated {
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
