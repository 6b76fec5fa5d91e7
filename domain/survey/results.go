package survey

import (
	"sort"

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
}

// QuestionResult aggregates one health-check question.
type QuestionResult struct {
	Question catalog.Question `json:"question"`
	Count    int              `json:"count"`
	// Average is 0 when nobody rated the question; check Count.
	Average float64 `json:"average"`
	// Distribution has one bucket per value of the scale, lowest first.
	Distribution []Bucket `json:"distribution"`
	// ENPS is %promoters (9–10) − %detractors (0–6), only for 0–10
	// questions with at least one rating.
	ENPS *float64 `json:"enps,omitempty"`
}

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
	Text       string `json:"text"`
	Author     string `json:"author,omitempty"`
}

// ResultsOf returns the survey's aggregates once a CloseSurvey has been
// recorded; ok is false before.
func ResultsOf(s State) (r Results, ok bool) {
	if !s.Closed {
		return Results{}, false
	}
	return aggregate(s), true
}

// OpenAnswers returns a closed survey's open answers, without authors even
// when they were named, for a retro to import as cards; ok is false while
// the survey is not closed.
func OpenAnswers(s State) (answers []OpenAnswer, ok bool) {
	if !s.Closed {
		return nil, false
	}
	out := openAnswers(s)
	for i := range out {
		out[i].Author = ""
	}
	return out, true
}

func aggregate(s State) Results {
	r := Results{Respondents: len(s.Responses), Questions: []QuestionResult{}, OpenAnswers: openAnswers(s)}
	for _, q := range s.HealthQuestions {
		lo, hi := scaleRange(q.Scale)
		qr := QuestionResult{Question: q, Distribution: make([]Bucket, 0, hi-lo+1)}
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
		for v := lo; v <= hi; v++ {
			qr.Distribution = append(qr.Distribution, Bucket{Value: v, Count: counts[v]})
		}
		if qr.Count > 0 {
			qr.Average = float64(sum) / float64(qr.Count)
			if q.Scale == catalog.ScaleTen {
				e := 100 * float64(promoters-detractors) / float64(qr.Count)
				qr.ENPS = &e
			}
		}
		r.Questions = append(r.Questions, qr)
	}
	return r
}

// openAnswers lists answers by question order, then by text, so the order
// reveals nothing about who answered when.
func openAnswers(s State) []OpenAnswer {
	out := []OpenAnswer{}
	for _, q := range s.OpenQuestions {
		var qs []OpenAnswer
		for _, resp := range s.Responses {
			if t, ok := resp.OpenAnswers[q.ID]; ok {
				qs = append(qs, OpenAnswer{QuestionID: q.ID, Question: q.Text, Text: t})
			}
		}
		for author, answers := range s.NamedAnswers {
			if t, ok := answers[q.ID]; ok {
				qs = append(qs, OpenAnswer{QuestionID: q.ID, Question: q.Text, Text: t, Author: author})
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
	return out
}
