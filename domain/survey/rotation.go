package survey

import "github.com/hindsight-retro/hindsight/domain/catalog"

// DraftNext drafts the next survey's health questions: n questions of pack,
// those the previous survey did not ask first, so a team that is asked a
// few at a time goes round the whole pack. It walks the pack cyclically from
// just after the last pack question previous asked, which makes the draft
// deterministic and the rotation even. Questions previous asked fill up when
// n exceeds the rest. n ≤ 0 yields nil; n beyond the pack yields it all.
func DraftNext(pack catalog.HealthPack, previous State, n int) []catalog.Question {
	qs := pack.Questions
	if n <= 0 || len(qs) == 0 {
		return nil
	}
	n = min(n, len(qs))
	asked := map[string]bool{}
	for _, q := range previous.HealthQuestions {
		asked[q.ID] = true
	}
	start := 0
	for i, q := range qs {
		if asked[q.ID] {
			start = i + 1
		}
	}
	out := make([]catalog.Question, 0, n)
	for _, wantAsked := range []bool{false, true} {
		for k := 0; k < len(qs) && len(out) < n; k++ {
			q := qs[(start+k)%len(qs)]
			if asked[q.ID] == wantAsked {
				out = append(out, q)
			}
		}
	}
	return out
}
