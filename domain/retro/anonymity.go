package retro

// Anonymity says whether a command's events are a record nobody may link to
// its author. Such records carry the actor's pseudonym, never the user ID;
// the application also dates them coarsely and names nobody but the
// pseudonym beside them in the commit (app's actorMeta), so this list is on
// the privacy path: a command missing from it would be treated as the
// others are, hence the fail-safe reading of an unknown command in Record.
type Anonymity int

const (
	// Named: the command's events are not anonymous records.
	Named Anonymity = iota + 1
	// AnonymousInAnonymousRetro: a contribution (card, icebreaker answer,
	// comment on a carried action, vote), anonymous in an anonymous retro.
	AnonymousInAnonymousRetro
	// AlwaysAnonymous: a health answer or ROTI rating, anonymous in every
	// retro.
	AlwaysAnonymous
)

// AnonymityOf classifies every command this package has; 0 for any other.
func AnonymityOf(c Command) Anonymity {
	switch c.(type) {
	case AnswerHealthCheck, RateRoti, AnswerCheckIn:
		return AlwaysAnonymous
	case AddCard, EditCard, DeleteCard, AnswerIcebreaker, CommentOnAction, CastVote, RetractVote:
		return AnonymousInAnonymousRetro
	case CreateRetro, JoinRetro, LockRetro, UnlockRetro, HandOverModeration, SetAnonymity, CloseRetro,
		GoToStep, SkipStep, ReorderSteps, AddStep, StartTimer, ExtendTimer, StopTimer, ChooseIcebreaker,
		AddOpenActions, ReviewAction, StartHealthCheck, RevealHealthCheck, ImportSurvey, RevealColumn,
		HideCard, MergeCard, MoveCardOut, MergeGroups, NameGroup, StartVoting, CloseVoting,
		SetTopicVotes, FocusTopic, CreateAction, AssignAction, SetActionDueDate, SetActionStatus,
		OpenTopicWhiteboard, CloseRoti:
		return Named
	}
	return 0
}

// Record reports whether the command's events are an anonymous record in a
// retro that is anonymous or not. A command AnonymityOf does not know is
// taken as one: better a pseudonym too many than a name.
func (a Anonymity) Record(anonymousRetro bool) bool {
	switch a {
	case Named:
		return false
	case AnonymousInAnonymousRetro:
		return anonymousRetro
	}
	return true
}
