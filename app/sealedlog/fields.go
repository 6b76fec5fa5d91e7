package sealedlog

import (
	"github.com/hindsight-retro/hindsight/domain/board"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
)

// fields names, per stream category, the payload members whose strings are
// text someone wrote (or chose from a template a team may have written):
// every string held by a member of that name, at any depth, is sealed.
// Categories it gives nil for are never sealed. A test holds every string
// field of every event of these aggregates to this list or to its list of
// fields that are not text (IDs, kinds, statuses), so a new field cannot
// slip past unsealed.
func fields(category string) map[string]bool {
	switch category {
	case retro.Category:
		// Titles of the retro, its columns, steps and actions; column
		// prompts; card, icebreaker, comment and imported card texts;
		// group names; health and check-in questions, their scale ends
		// and check-in options.
		return map[string]bool{"title": true, "prompt": true, "text": true, "name": true, "question": true,
			"label": true, "low": true, "high": true}
	case team.Category:
		// The team's name, its action items' titles and their comments.
		return map[string]bool{"name": true, "title": true, "text": true}
	case workspace.Category:
		return map[string]bool{"name": true}
	case board.Category:
		return map[string]bool{"title": true}
	case board.ContentCategory:
		// A board's content and a person's private notes: Automerge
		// changes and saves.
		return map[string]bool{"data": true}
	case survey.Category:
		// The survey's title, its questions and their scale ends, and
		// every answer (open answers and named answers by question).
		return map[string]bool{"title": true, "text": true, "low": true, "high": true,
			"answers": true, "openAnswers": true}
	}
	return nil
}
