package retro

import "slices"

// RedactEvent returns the event as the viewer may see it, and false if the
// viewer may not see it at all. The live feed and exports send events only
// through it. Rules, for every viewer:
//   - concealed card text (written before its column was revealed) only to
//     its author; drafts (CardEdited before its column's reveal) only to
//     their author, edits after the reveal to everyone;
//   - authors never in an anonymous retro, and pseudonyms never at all (a
//     stable pseudonym would let anyone link a person's contributions);
//   - votes, health answers and ROTI ratings only to their own author, and
//     only results (VotingClosed, the view's aggregates) to others;
//   - a card the moderator hid: its text (in CardAdded, CardEdited and
//     imports) only to its author, whenever the event was written, so an
//     export or a late reader of the feed does not find it;
//   - imported survey scores as questions only: their results reach viewers
//     through View once the health check is revealed.
//
// Concealment is read from the event itself (CardAdded.Concealed,
// CardEdited.Revealed), not from
// state, so an old event redacted against a later state reveals no draft.
// state supplies the retro's anonymity and which cards are hidden (hiding
// only ever takes text away). Unknown events are withheld.
func RedactEvent(state State, e Event, v Viewer) (Event, bool) {
	author := func(a string) string {
		if state.Anonymous || isPseudonym(a) {
			return ""
		}
		return a
	}
	switch e := e.(type) {
	case RetroCreated, ParticipantJoined, RetroLocked, RetroUnlocked, ModerationHandedOver,
		AnonymitySet, RetroClosed, StepChanged, StepSkipped, StepsReordered, StepAdded,
		TimerStarted, TimerExtended, TimerStopped, IcebreakerChosen, OpenActionsAdded, CarriedActionReviewed,
		HealthCheckStarted, HealthCheckRevealed, ColumnRevealed, CardHidden,
		GroupCreated, CardGrouped, CardUngrouped, GroupDissolved, GroupsMerged, GroupNamed,
		VotingStarted, VotingClosed, TopicVotesSet,
		TopicFocused, ActionCreated, ActionAssigned, ActionDueDateSet, ActionStatusSet,
		TopicWhiteboardOpened, RotiClosed:
		return e, true
	case IcebreakerAnswered:
		e.Author = author(e.Author)
		return e, true
	case CarriedActionCommented:
		e.Author = author(e.Author)
		return e, true
	case CardAdded:
		if (e.Concealed || state.card(e.CardID).Hidden) && !v.owns(e.Author) {
			e.Text, e.Author = "", ""
		}
		e.Author = author(e.Author)
		return e, true
	case CardEdited:
		if (!e.Revealed || state.card(e.CardID).Hidden) && !v.owns(e.Author) {
			return nil, false
		}
		e.Author = author(e.Author)
		return e, true
	case CardDeleted:
		if !v.owns(e.Author) {
			e.Author = ""
		}
		e.Author = author(e.Author)
		return e, true
	case SurveyCardsImported:
		cards := slices.Clone(e.Cards)
		for i := range cards {
			if cards[i].Concealed || state.card(cards[i].CardID).Hidden {
				cards[i].Text = "" // imported cards have no author to show them to
			}
		}
		e.Cards = cards
		return e, true
	case SurveyScoresImported:
		scores := make([]ImportedScore, len(e.Scores))
		for i, sc := range e.Scores {
			scores[i] = ImportedScore{Question: sc.Question}
		}
		e.Scores = scores
		return e, true
	case HealthCheckAnswered:
		if !v.owns(e.Respondent) {
			return nil, false
		}
		e.Respondent = ""
		return e, true
	case CheckInAnswered:
		if !v.owns(e.Respondent) {
			return nil, false
		}
		e.Respondent = ""
		return e, true
	case VoteCast:
		if !v.owns(e.Voter) {
			return nil, false
		}
		e.Voter = author(e.Voter)
		return e, true
	case VoteRetracted:
		if !v.owns(e.Voter) {
			return nil, false
		}
		e.Voter = author(e.Voter)
		return e, true
	case RotiRated:
		if !v.owns(e.Rater) {
			return nil, false
		}
		e.Rater = ""
		return e, true
	}
	return nil, false
}
