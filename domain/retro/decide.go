package retro

import (
	"strings"
	"unicode/utf8"

	"github.com/hindsight-retro/hindsight/domain"
)

// Command is one of the retro's commands (sealed: only this package's
// structs implement it). Every command carries the acting user and the time
// the server received it.
type Command interface{ isCommand() }

// Event is one of the retro's events.
type Event interface{ EventType() string }

// Decider bundles the retro's rules for the generic runner. Its Fold goes
// through Evolve, a copy of the state per event; loaders of long retros
// should prefer this package's Fold, which is linear.
func Decider() domain.Decider[State, Command, Event] {
	return domain.Decider[State, Command, Event]{Initial: Initial, Decide: Decide, Evolve: Evolve}
}

// Limits on free text, so one command cannot bloat the log.
const (
	MaxTextLen  = 2000
	MaxTitleLen = 200
)

// Rejection codes, stable for clients.
const (
	CodeActionIDInvalid       = "action-id-invalid"
	CodeActionIDRequired      = "action-id-required"
	CodeActionNotFound        = "action-not-found"
	CodeActorRequired         = "actor-required"
	CodeAgendaInvalid         = "agenda-invalid"
	CodeAlreadyModerator      = "already-moderator"
	CodeAnonymityFixed        = "anonymity-fixed"
	CodeBudgetInvalid         = "budget-invalid"
	CodeCapInvalid            = "cap-invalid"
	CodeCardConcealed         = "card-concealed"
	CodeCardHidden            = "card-hidden"
	CodeCardIDInvalid         = "card-id-invalid"
	CodeCardIDRequired        = "card-id-required"
	CodeCardNotFound          = "card-not-found"
	CodeCardNotGrouped        = "card-not-grouped"
	CodeColumnInvalid         = "column-invalid"
	CodeColumnNotFound        = "column-not-found"
	CodeColumnRevealed        = "column-revealed"
	CodeColumnsRequired       = "columns-required"
	CodeCommandRequired       = "command-required"
	CodeCommentIDInvalid      = "comment-id-invalid"
	CodeCommentIDRequired     = "comment-id-required"
	CodeDurationInvalid       = "duration-invalid"
	CodeGroupIDRequired       = "group-id-required"
	CodeGroupNotFound         = "group-not-found"
	CodeHealthCheckNotStarted = "health-check-not-started"
	CodeHealthCheckRevealed   = "health-check-revealed"
	CodeHealthCheckStarted    = "health-check-started"
	CodeIcebreakerAnswered    = "icebreaker-answered"
	CodeCheckInInvalid        = "check-in-invalid"
	CodeNoCheckIn             = "no-check-in"
	CodeCheckInClosed         = "check-in-closed"
	CodeCheckInOptionUnknown  = "check-in-option-unknown"
	CodeIDTaken               = "id-taken"
	CodeMergeIntoSelf         = "merge-into-self"
	CodeNameTooLong           = "name-too-long"
	CodeNoIcebreaker          = "no-icebreaker"
	CodeNoVoteToRetract       = "no-vote-to-retract"
	CodeNotAuthor             = "not-author"
	CodeNotModerator          = "not-moderator"
	CodeNotParticipant        = "not-participant"
	CodeOpenActionInvalid     = "open-action-invalid"
	CodeOrderMismatch         = "order-mismatch"
	CodeOutcomeInvalid        = "outcome-invalid"
	CodeParticipantNotFound   = "participant-not-found"
	CodePseudonymInvalid      = "pseudonym-invalid"
	CodePseudonymRequired     = "pseudonym-required"
	CodeQuestionInvalid       = "question-invalid"
	CodeQuestionNotFound      = "question-not-found"
	CodeQuestionsRequired     = "questions-required"
	CodeRetroClosed           = "retro-closed"
	CodeRetroExists           = "retro-exists"
	CodeRetroIDInvalid        = "retro-id-invalid"
	CodeRetroIDRequired       = "retro-id-required"
	CodeRetroLocked           = "retro-locked"
	CodeRetroNotFound         = "retro-not-found"
	CodeRoleInvalid           = "role-invalid"
	CodeRotiClosed            = "roti-closed"
	CodeRoundIDInvalid        = "round-id-invalid"
	CodeRoundIDRequired       = "round-id-required"
	CodeScoreOutOfRange       = "score-out-of-range"
	CodeStatusInvalid         = "status-invalid"
	CodeStepCurrent           = "step-current"
	CodeStepExists            = "step-exists"
	CodeStepIDInvalid         = "step-id-invalid"
	CodeStepIDRequired        = "step-id-required"
	CodeStepKindInvalid       = "step-kind-invalid"
	CodeStepNotFound          = "step-not-found"
	CodeStepNotSkippable      = "step-not-skippable"
	CodeSurveyEmpty           = "survey-empty"
	CodeSurveyIDInvalid       = "survey-id-invalid"
	CodeSurveyIDRequired      = "survey-id-required"
	CodeSurveyImported        = "survey-imported"
	CodeTeamIDInvalid         = "team-id-invalid"
	CodeTeamIDRequired        = "team-id-required"
	CodeTextRequired          = "text-required"
	CodeTextTooLong           = "text-too-long"
	CodeTimerNotRunning       = "timer-not-running"
	CodeTimerRunning          = "timer-running"
	CodeTitleRequired         = "title-required"
	CodeTitleTooLong          = "title-too-long"
	CodeTopicNotFound         = "topic-not-found"
	CodeUnknownCommand        = "unknown-command"
	CodeVoteBudgetExhausted   = "vote-budget-exhausted"
	CodeVoteCapReached        = "vote-cap-reached"
	CodeVotesInvalid          = "votes-invalid"
	CodeVotingNotOpen         = "voting-not-open"
	CodeVotingOpen            = "voting-open"
	CodeWhiteboardIDInvalid   = "whiteboard-id-invalid"
	CodeWhiteboardIDRequired  = "whiteboard-id-required"
	CodeWhiteboardOpen        = "whiteboard-open"
)

// Decide turns a command into events, or rejects it with a *domain.Error.
func Decide(s State, c Command) ([]Event, error) {
	switch c := c.(type) {
	case CreateRetro:
		return decideCreate(s, c)
	case JoinRetro:
		return decideJoin(s, c)
	case LockRetro:
		return decideLock(s, c)
	case UnlockRetro:
		return decideUnlock(s, c)
	case HandOverModeration:
		return decideHandOver(s, c)
	case SetAnonymity:
		return decideSetAnonymity(s, c)
	case CloseRetro:
		return decideClose(s, c)
	case GoToStep:
		return decideGoToStep(s, c)
	case SkipStep:
		return decideSkipStep(s, c)
	case ReorderSteps:
		return decideReorder(s, c)
	case AddStep:
		return decideAddStep(s, c)
	case StartTimer:
		return decideStartTimer(s, c)
	case ExtendTimer:
		return decideExtendTimer(s, c)
	case StopTimer:
		return decideStopTimer(s, c)
	case ChooseIcebreaker:
		return decideChooseIcebreaker(s, c)
	case AnswerIcebreaker:
		return decideAnswerIcebreaker(s, c)
	case AddOpenActions:
		return decideAddOpenActions(s, c)
	case ReviewAction:
		return decideReviewAction(s, c)
	case CommentOnAction:
		return decideCommentOnAction(s, c)
	case StartHealthCheck:
		return decideStartHealthCheck(s, c)
	case AnswerHealthCheck:
		return decideAnswerHealth(s, c)
	case AnswerCheckIn:
		return decideAnswerCheckIn(s, c)
	case RevealHealthCheck:
		return decideRevealHealth(s, c)
	case ImportSurvey:
		return decideImportSurvey(s, c)
	case AddCard:
		return decideAddCard(s, c)
	case EditCard:
		return decideEditCard(s, c)
	case DeleteCard:
		return decideDeleteCard(s, c)
	case RevealColumn:
		return decideRevealColumn(s, c)
	case HideCard:
		return decideHideCard(s, c)
	case MergeCard:
		return decideMergeCard(s, c)
	case MoveCardOut:
		return decideMoveCardOut(s, c)
	case MergeGroups:
		return decideMergeGroups(s, c)
	case NameGroup:
		return decideNameGroup(s, c)
	case StartVoting:
		return decideStartVoting(s, c)
	case CastVote:
		return decideCastVote(s, c)
	case RetractVote:
		return decideRetractVote(s, c)
	case CloseVoting:
		return decideCloseVoting(s, c)
	case SetTopicVotes:
		return decideSetTopicVotes(s, c)
	case FocusTopic:
		return decideFocusTopic(s, c)
	case CreateAction:
		return decideCreateAction(s, c)
	case AssignAction:
		return decideAssignAction(s, c)
	case SetActionDueDate:
		return decideSetDueDate(s, c)
	case SetActionStatus:
		return decideSetActionStatus(s, c)
	case OpenTopicWhiteboard:
		return decideOpenWhiteboard(s, c)
	case RateRoti:
		return decideRateRoti(s, c)
	case CloseRoti:
		return decideCloseRoti(s, c)
	case nil:
		return nil, domain.Errorf(domain.Invalid, CodeCommandRequired, "no command")
	}
	return nil, domain.Errorf(domain.Invalid, CodeUnknownCommand, "unknown command %T", c)
}

// Evolve folds one event into a copy of the state; the state passed in is
// left as it was. Unknown events, and any event before RetroCreated, leave
// the state unchanged (an older binary reading a newer log, or a damaged
// stream, must not crash).
func Evolve(s State, e Event) State { return evolve(s.clone(), e) }

// EvolveAll folds events into s, copying s once rather than at every event
// as Evolve must; s itself is left as it was.
func EvolveAll(s State, events []Event) State {
	if len(events) == 0 {
		return s
	}
	s = s.clone()
	for _, e := range events {
		s = evolve(s, e)
	}
	return s
}

// Fold evolves the initial state through events. It owns the state it
// builds, so it evolves in place: linear in the events, where folding
// through Evolve copies the state at every step.
func Fold(events []Event) State {
	s := Initial()
	for _, e := range events {
		s = evolve(s, e)
	}
	return s
}

// evolve applies an event to a state it may mutate (a clone, or Fold's own).
func evolve(s State, e Event) State {
	if created, ok := e.(RetroCreated); ok {
		if s.Created {
			return s
		}
		return evolveCreated(s, created)
	}
	if !s.Created {
		return s
	}
	switch e := e.(type) {
	case ParticipantJoined:
		if !s.IsParticipant(e.UserID) {
			s.ParticipantOrder = appendTo(s.ParticipantOrder, e.UserID)
		}
		s.Participants[e.UserID] = e.Role
	case RetroLocked:
		s.Locked = true
	case RetroUnlocked:
		s.Locked = false
	case ModerationHandedOver:
		s.Moderator = e.To
	case AnonymitySet:
		s.Anonymous = e.Anonymous
	case RetroClosed:
		s.Closed = true
		s.Timer = nil
		s.Roti.Closed = true
		for _, st := range s.Agenda {
			if st.Kind == KindClosed {
				s.Current = st.ID
			}
		}
	case StepChanged, StepSkipped, StepsReordered, StepAdded, TimerStarted, TimerExtended, TimerStopped:
		return evolveAgenda(s, e)
	case IcebreakerChosen, IcebreakerAnswered, OpenActionsAdded, CarriedActionReviewed, CarriedActionCommented:
		return evolveWarmup(s, e)
	case HealthCheckStarted, HealthCheckAnswered, HealthCheckRevealed, SurveyScoresImported:
		return evolveHealth(s, e)
	case CheckInAnswered:
		return evolveCheckIn(s, e)
	case CardAdded, CardEdited, CardDeleted, ColumnRevealed, CardHidden, SurveyCardsImported:
		return evolveCards(s, e)
	case GroupCreated, CardGrouped, CardUngrouped, GroupDissolved, GroupsMerged, GroupNamed:
		return evolveGroups(s, e)
	case VotingStarted, VoteCast, VoteRetracted, VotingClosed, TopicVotesSet:
		return evolveVotes(s, e)
	case TopicFocused, ActionCreated, ActionAssigned, ActionDueDateSet, ActionStatusSet, TopicWhiteboardOpened:
		return evolveActions(s, e)
	case RotiRated, RotiClosed:
		return evolveRoti(s, e)
	}
	return s
}

// live checks what every command on an existing retro needs: the retro
// exists, is not closed, and the actor is known.
func (s State) live(a domain.Actor) error {
	if !s.Created {
		return domain.Errorf(domain.NotFound, CodeRetroNotFound, "the retro does not exist")
	}
	if s.Closed {
		return domain.Errorf(domain.Conflict, CodeRetroClosed, "the retro is closed")
	}
	if a.UserID == "" {
		return domain.Errorf(domain.Invalid, CodeActorRequired, "the command has no acting user")
	}
	return nil
}

// asModerator guards the moderator tools; they work on a locked retro, so
// the moderator can still steer a frozen board.
func (s State) asModerator(a domain.Actor) error {
	if err := s.live(a); err != nil {
		return err
	}
	if a.UserID != s.Moderator {
		return domain.Errorf(domain.Forbidden, CodeNotModerator, "only the moderator may do this")
	}
	return nil
}

// asParticipant guards contributions: only participants, and not while the
// retro is locked.
func (s State) asParticipant(a domain.Actor) error {
	if err := s.live(a); err != nil {
		return err
	}
	if !s.IsParticipant(a.UserID) {
		return domain.Errorf(domain.Forbidden, CodeNotParticipant, "only participants of the retro may do this")
	}
	if s.Locked {
		return domain.Errorf(domain.Conflict, CodeRetroLocked, "the retro is locked")
	}
	return nil
}

// authorKey is how the actor is recorded next to content: the pseudonym in
// an anonymous retro, the user ID otherwise.
func (s State) authorKey(a domain.Actor) (string, error) {
	if s.Anonymous {
		return requirePseudonym(a)
	}
	return a.UserID, nil
}

// requirePseudonym returns the actor's pseudonym for anonymous records.
func requirePseudonym(a domain.Actor) (string, error) {
	if a.Pseudonym == "" {
		return "", domain.Errorf(domain.Invalid, CodePseudonymRequired, "an anonymous contribution needs the actor's pseudonym")
	}
	if a.Pseudonym == a.UserID || !strings.HasPrefix(a.Pseudonym, pseudonymPrefix) {
		// A pseudonym that is the user ID, or not one domain.Pseudonym made,
		// would put the identity into the log.
		return "", domain.Errorf(domain.Invalid, CodePseudonymInvalid, "the pseudonym is not one made by domain.Pseudonym")
	}
	return a.Pseudonym, nil
}

// pseudonymPrefix is what domain.Pseudonym puts in front of every pseudonym.
const pseudonymPrefix = "anon:"

// isPseudonym reports whether an author field holds a pseudonym.
func isPseudonym(author string) bool { return strings.HasPrefix(author, pseudonymPrefix) }

// checkText refuses empty text with missingCode and text over max
// characters with longCode.
func checkText(field, text string, max int, missingCode, longCode string) error {
	if strings.TrimSpace(text) == "" {
		return domain.Errorf(domain.Invalid, missingCode, "the %s is empty", field)
	}
	if utf8.RuneCountInString(text) > max {
		return domain.Errorf(domain.Invalid, longCode, "the %s is longer than %d characters", field, max)
	}
	return nil
}

// checkID refuses a missing ID with missingCode and one over 128 bytes
// with badCode.
func checkID(field, id, missingCode, badCode string) error {
	if id == "" {
		return domain.Errorf(domain.Invalid, missingCode, "the %s is missing", field)
	}
	if len(id) > 128 {
		return domain.Errorf(domain.Invalid, badCode, "the %s is longer than 128 characters", field)
	}
	return nil
}
