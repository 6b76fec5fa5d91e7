package survey_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/survey"
)

// User IDs carry a marker that neither pseudonyms (base64url) nor question
// IDs contain, so finding it anywhere is finding a user ID.
const uidMarker = "uid~"

var people = []string{uidMarker + "ana", uidMarker + "ben", uidMarker + "cem", uidMarker + "dia", uidMarker + "eve"}

// Under random sequences of commands on a survey:
//   - no event other than SurveyCreated and SurveyClosed (which carry no
//     rating or answer) contains any user ID, and those two carry no answer;
//     the one exception is NamedAnswersSubmitted in a survey whose open
//     answers were declared named, and ratings stay anonymous even there;
//   - no view, for anyone, at any moment, contains a user ID or pseudonym
//     (again apart from the authors of declared-named open answers);
//   - no view shows results, or anyone else's answers, before close;
//   - after close, no question shows more than its count with fewer
//     ratings than the policy's minimum, and no anonymous open answer
//     shows with fewer respondents than the minimum.
func TestAnonymousAuthorshipNeverAppearsInEventsOrViews(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		k := []byte(rapid.StringN(1, 16, -1).Draw(rt, "key"))
		pseudo := map[string]string{}
		for _, p := range people {
			pseudo[p] = domain.Pseudonym(k, p)
		}
		creator := rapid.SampledFrom(people).Draw(rt, "creator")
		start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		window := time.Duration(rapid.IntRange(1, 14*24).Draw(rt, "windowHours")) * time.Hour
		qs := []catalog.Question{safety, enps}[:rapid.IntRange(0, 2).Draw(rt, "healthQuestions")]
		namedOpen := rapid.Float64Range(0, 1).Draw(rt, "namedOpen") < 0.25
		policy := survey.Policy{MinRespondents: rapid.IntRange(0, 4).Draw(rt, "minRespondents")}
		s := survey.Decider().Fold(nil)
		var log []survey.Event
		apply := func(c survey.Command) {
			evs, err := survey.Decide(s, c)
			if err != nil {
				if domain.KindOf(err) == 0 {
					rt.Fatalf("rejection without a domain error: %v", err)
				}
				return
			}
			for _, e := range evs {
				s = survey.Evolve(s, e)
			}
			log = append(log, evs...)
		}
		apply(survey.CreateSurvey{
			Actor: domain.Actor{UserID: creator}, At: start, SurveyID: "s1", TeamIDs: []string{"t1"}, Title: "Pulse",
			HealthQuestions: qs, OpenQuestions: []survey.OpenQuestion{improve}, OpensAt: start, ClosesAt: start.Add(window),
			NamedOpenAnswers: namedOpen,
		})

		// owner of each answer text, to catch answers shown to others.
		owner := map[string]string{}
		now := start
		steps := rapid.IntRange(1, 30).Draw(rt, "steps")
		for i := range steps {
			now = now.Add(time.Duration(rapid.IntRange(0, 48).Draw(rt, "advanceHours")) * time.Hour)
			who := rapid.SampledFrom(people).Draw(rt, "who")
			switch rapid.IntRange(0, 5).Draw(rt, "op") {
			case 5:
				apply(survey.CloseSurvey{Actor: domain.Actor{UserID: who}, At: now})
			default:
				c := survey.SubmitResponse{Actor: domain.Actor{UserID: who, Pseudonym: pseudo[who]}, At: now, Ratings: map[string]int{}}
				rate, answer := true, true
				switch rapid.IntRange(0, 2).Draw(rt, "parts") {
				case 0:
					answer = false
				case 1:
					rate = false
				}
				for _, q := range qs {
					if rate && rapid.Bool().Draw(rt, "rate") {
						lo := map[catalog.Scale]int{catalog.ScaleFive: 1, catalog.ScaleTen: 0}[q.Scale]
						c.Ratings[q.ID] = rapid.IntRange(lo-1, 11).Draw(rt, "rating")
					}
				}
				if answer {
					text := fmt.Sprintf("answer-%d-%d", i, len(owner))
					owner[text] = who
					c.OpenAnswers = map[string]string{improve.ID: text}
				}
				apply(c)
			}
			checkViews(rt, s, now, policy, pseudo, owner)
		}
		checkEvents(rt, log, owner)
		if len(log) == 0 {
			rt.Fatal("the survey was never created")
		}
	})
}

func checkEvents(rt *rapid.T, log []survey.Event, owner map[string]string) {
	for _, e := range log {
		_, _, p, err := survey.EncodeEvent(e)
		if err != nil {
			rt.Fatalf("encode %T: %v", e, err)
		}
		switch e.(type) {
		case survey.NamedAnswersSubmitted:
			// Named by the survey's own declaration; still no rating here.
			if strings.Contains(string(p), "ratings") {
				rt.Fatalf("named answers carry ratings: %s", p)
			}
		case survey.SurveyCreated, survey.SurveyClosed:
			for text := range owner {
				if strings.Contains(string(p), text) {
					rt.Fatalf("%s carries an answer next to a user ID: %s", e.EventType(), p)
				}
			}
		default:
			if strings.Contains(string(p), uidMarker) {
				rt.Fatalf("%s names a user: %s", e.EventType(), p)
			}
		}
	}
}

func checkViews(rt *rapid.T, s survey.State, now time.Time, policy survey.Policy, pseudo, owner map[string]string) {
	viewers := append([]string{uidMarker + "outsider"}, people...)
	for _, who := range viewers {
		v := survey.View(s, survey.Viewer{UserID: who, Pseudonym: pseudo[who], At: now}, policy)
		if v.Results != nil {
			checkMinimum(rt, *v.Results, policy)
		}
		if v.Results != nil && s.NamedOpenAnswers {
			r := *v.Results
			r.OpenAnswers = append([]survey.OpenAnswer(nil), r.OpenAnswers...)
			for i := range r.OpenAnswers {
				r.OpenAnswers[i].Author = ""
			}
			v.Results = &r
		}
		b, err := json.Marshal(v)
		if err != nil {
			rt.Fatalf("marshal view: %v", err)
		}
		if strings.Contains(string(b), uidMarker) {
			rt.Fatalf("%s's view names a user: %s", who, b)
		}
		if strings.Contains(string(b), "anon:") {
			rt.Fatalf("%s's view shows a pseudonym: %s", who, b)
		}
		if s.IsClosedAt(now) {
			continue
		}
		if v.Results != nil {
			rt.Fatalf("%s sees results before close: %s", who, b)
		}
		for text, author := range owner {
			if author != who && strings.Contains(string(b), text) {
				rt.Fatalf("%s sees %s's answer before close: %s", who, author, b)
			}
		}
	}
	if _, ok := survey.ResultsOf(s, policy); ok != s.Closed {
		rt.Fatalf("ResultsOf ok = %v with Closed = %v", ok, s.Closed)
	}
}

func checkMinimum(rt *rapid.T, r survey.Results, policy survey.Policy) {
	least := max(policy.MinRespondents, 2)
	for _, q := range r.Questions {
		shown := q.Average != nil || q.Distribution != nil || q.ENPS != nil
		if q.Count < least && (shown || !q.Withheld) {
			rt.Fatalf("question %s with %d ratings (minimum %d) shows results: %+v", q.Question.ID, q.Count, least, q)
		}
		if q.Count >= least && (!shown || q.Withheld) {
			rt.Fatalf("question %s with %d ratings (minimum %d) is withheld: %+v", q.Question.ID, q.Count, least, q)
		}
	}
	if r.Respondents < least {
		for _, a := range r.OpenAnswers {
			if a.Author == "" {
				rt.Fatalf("an anonymous answer shows with %d respondents (minimum %d): %+v", r.Respondents, least, a)
			}
		}
	}
}
