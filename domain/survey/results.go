package survey

import (
	"sort"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// Results are a closed survey's aggregates. They never say who answered
// what: ratings are counted, open answers are listed without their
// pseudonyms and in an order that does not follow submission.
type Results struct {
	// Respondents counts anonymous responses (ratings and anonymous answers).
	Respondents int              `json:"respondents"`
	Questions   []QuestionResult `json:"questions"`
	OpenAnswers []OpenAnswer     `json:"openAnswers"`
	// OpenAnswersWithheld is true when the survey has fewer respondents than
	// the policy's minimum: its anonymous open answers are then left out,
	// since a lone answer is as good as signed. Named answers stay; their
	// authors chose to sign them.
	OpenAnswersWithheld bool `json:"openAnswersWithheld,omitempty"`
}

// QuestionResult aggregates one health-check question.
type QuestionResult struct {
	Question catalog.Question `json:"question"`
	Count    int              `json:"count"`
	// Withheld is true when fewer than the policy's minimum rated the
	// question: only Count is given, so nobody's rating can be read off.
	Withheld bool `json:"withheld,omitempty"`
	// Average is nil when the question is withheld.
	Average *float64 `json:"average,omitempty"`
	// Distribution has one bucket per value of the scale, lowest first;
	// nil when the question is withheld.
	Distribution []Bucket `json:"distribution,omitempty"`
	// ENPS is %promoters (9–10) − %detractors (0–6), only for 0–10
	// questions that are not withheld.
	ENPS *float64 `json:"enps,omitempty"`
}

// Policy says how small a group of answers results may show: the
// server's one minimum for every aggregate of answers (see
// domain.GroupPolicy). MinRespondents is also the fewest respondents the
// anonymous open answers are shown for.
type Policy = domain.GroupPolicy

// Bucket counts the ratings of one value.
type Bucket struct {
	Value int `json:"value"`
	Count int `json:"count"`
}

// OpenAnswer is one answer to an open question. Author is set only in a
// survey whose open answers are named.
type OpenAnswer struct {
	QuestionID string `json:"questionId"`
	Question   string `json:"question"`
	// Column is the retro column the question is tied to, if any.
	Column string `json:"column,omitempty"`
	Text   string `json:"text"`
	Author string `json:"author,omitempty"`
}

// ResultsOf returns the survey's aggregates under policy p once a
// CloseSurvey has been recorded; ok is false before.
func ResultsOf(s State, p Policy) (r Results, ok bool) {
	if !s.Closed {
		return Results{}, false
	}
	return aggregate(s, p), true
}

// OpenAnswers returns a closed survey's open answers, without authors even
// when they were named, for a retro to import as cards; ok is false while
// the survey is not closed. Anonymous answers are left out as in the
// results when the survey has fewer respondents than p's minimum.
func OpenAnswers(s State, p Policy) (answers []OpenAnswer, ok bool) {
	if !s.Closed {
		return nil, false
	}
	out, _ := openAnswers(s, p)
	for i := range out {
		out[i].Author = ""
	}
	return out, true
}

func aggregate(s State, p Policy) Results {
	answers, withheld := openAnswers(s, p)
	r := Results{Respondents: len(s.Responses), Questions: []QuestionResult{}, OpenAnswers: answers, OpenAnswersWithheld: withheld}
	for _, q := range s.HealthQuestions {
		lo, hi := scaleRange(q.Scale)
		qr := QuestionResult{Question: q}
		counts := make([]int, hi+1)
		sum, promoters, detractors := 0, 0, 0
		for _, resp := range s.Responses {
			v, ok := resp.Ratings[q.ID]
			if !ok {
				continue
			}
			qr.Count++
			counts[v]++
			sum += v
			switch {
			case v >= 9:
				promoters++
			case v <= 6:
				detractors++
			}
		}
		if p.Withholds(qr.Count) {
			qr.Withheld = true
			r.Questions = append(r.Questions, qr)
			continue
		}
		qr.Distribution = make([]Bucket, 0, hi-lo+1)
		for v := lo; v <= hi; v++ {
			qr.Distribution = append(qr.Distribution, Bucket{Value: v, Count: counts[v]})
		}
		avg := float64(sum) / float64(qr.Count)
		qr.Average = &avg
		if q.Scale == catalog.ScaleTen {
			e := 100 * float64(promoters-detractors) / float64(qr.Count)
			qr.ENPS = &e
		}
		r.Questions = append(r.Questions, qr)
	}
	return r
}

// openAnswers lists answers by question order, then by text, so the order
// reveals nothing about who answered when. withheld reports that anonymous
// answers are left out because too few responded; it does not depend on
// whether anyone wrote one, which would itself say something.
func openAnswers(s State, p Policy) (out []OpenAnswer, withheld bool) {
	out = []OpenAnswer{}
	anonymous := len(s.Responses) >= p.MinimumRespondents()
	withheld = !anonymous && len(s.OpenQuestions) > 0
	for _, q := range s.OpenQuestions {
		var qs []OpenAnswer
		for _, resp := range s.Responses {
			if t, ok := resp.OpenAnswers[q.ID]; ok {
				if !anonymous {
					continue
				}
				qs = append(qs, OpenAnswer{QuestionID: q.ID, Question: q.Text, Column: q.Column, Text: t})
			}
		}
		for author, answers := range s.NamedAnswers {
			if t, ok := answers[q.ID]; ok {
				qs = append(qs, OpenAnswer{QuestionID: q.ID, Question: q.Text, Column: q.Column, Text: t, Author: author})
			}
		}
		sort.Slice(qs, func(i, j int) bool {
			if qs[i].Text != qs[j].Text {
				return qs[i].Text < qs[j].Text
			}
			return qs[i].Author < qs[j].Author
		})
		out = append(out, qs...)
	}
	return out, withheld
}
