package retro

import (
	"encoding/json"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// schemaOf is each event type's current schema version and its decoder.
// Bump the version when a payload's shape changes and give the type an
// upcast of the old shape; stored events are never rewritten. A switch
// rather than a package map keeps the table out of anyone's reach.
func schemaOf(typ string) (domain.Schema[Event], bool) {
	switch typ {
	case TypeRetroCreated:
		return retroCreatedCodec(), true
	case TypeParticipantJoined:
		return domain.Current[Event, ParticipantJoined](1), true
	case TypeRetroLocked:
		return domain.Current[Event, RetroLocked](1), true
	case TypeRetroUnlocked:
		return domain.Current[Event, RetroUnlocked](1), true
	case TypeModerationHandedOver:
		return domain.Current[Event, ModerationHandedOver](1), true
	case TypeAnonymitySet:
		return domain.Current[Event, AnonymitySet](1), true
	case TypeRetroClosed:
		return domain.Current[Event, RetroClosed](1), true
	case TypeStepChanged:
		return domain.Current[Event, StepChanged](1), true
	case TypeStepSkipped:
		return domain.Current[Event, StepSkipped](1), true
	case TypeStepsReordered:
		return domain.Current[Event, StepsReordered](1), true
	case TypeStepAdded:
		return domain.Current[Event, StepAdded](1), true
	case TypeTimerStarted:
		return domain.Current[Event, TimerStarted](1), true
	case TypeTimerExtended:
		return domain.Current[Event, TimerExtended](1), true
	case TypeTimerStopped:
		return domain.Current[Event, TimerStopped](1), true
	case TypeIcebreakerChosen:
		return domain.Current[Event, IcebreakerChosen](1), true
	case TypeIcebreakerAnswered:
		return domain.Current[Event, IcebreakerAnswered](1), true
	case TypeOpenActionsAdded:
		return domain.Current[Event, OpenActionsAdded](1), true
	case TypeCarriedActionReviewed:
		return domain.Current[Event, CarriedActionReviewed](1), true
	case TypeCarriedActionCommented:
		return domain.Current[Event, CarriedActionCommented](1), true
	case TypeHealthCheckStarted:
		return domain.Current[Event, HealthCheckStarted](1), true
	case TypeHealthCheckAnswered:
		return domain.Current[Event, HealthCheckAnswered](1), true
	case TypeCheckInAnswered:
		return domain.Current[Event, CheckInAnswered](1), true
	case TypeHealthCheckRevealed:
		return domain.Current[Event, HealthCheckRevealed](1), true
	case TypeSurveyCardsImported:
		return domain.Current[Event, SurveyCardsImported](1), true
	case TypeSurveyScoresImported:
		return domain.Current[Event, SurveyScoresImported](1), true
	case TypeCardAdded:
		return domain.Upcast[Event, CardAdded](2, func(_ int, p []byte) (Event, error) { return upcastCardAddedV1(p) }), true
	case TypeCardEdited:
		return domain.Current[Event, CardEdited](1), true
	case TypeCardDeleted:
		return domain.Current[Event, CardDeleted](1), true
	case TypeColumnRevealed:
		return domain.Current[Event, ColumnRevealed](1), true
	case TypeCardHidden:
		return domain.Current[Event, CardHidden](1), true
	case TypeGroupCreated:
		return domain.Current[Event, GroupCreated](1), true
	case TypeCardGrouped:
		return domain.Current[Event, CardGrouped](1), true
	case TypeCardUngrouped:
		return domain.Current[Event, CardUngrouped](1), true
	case TypeGroupDissolved:
		return domain.Current[Event, GroupDissolved](1), true
	case TypeGroupsMerged:
		return domain.Current[Event, GroupsMerged](1), true
	case TypeGroupNamed:
		return domain.Current[Event, GroupNamed](1), true
	case TypeVotingStarted:
		return domain.Current[Event, VotingStarted](1), true
	case TypeVoteCast:
		return domain.Current[Event, VoteCast](1), true
	case TypeVoteRetracted:
		return domain.Current[Event, VoteRetracted](1), true
	case TypeVotingClosed:
		return domain.Current[Event, VotingClosed](1), true
	case TypeTopicVotesSet:
		return domain.Current[Event, TopicVotesSet](1), true
	case TypeTopicFocused:
		return domain.Current[Event, TopicFocused](1), true
	case TypeActionCreated:
		return domain.Current[Event, ActionCreated](1), true
	case TypeActionAssigned:
		return domain.Current[Event, ActionAssigned](1), true
	case TypeActionDueDateSet:
		return domain.Current[Event, ActionDueDateSet](1), true
	case TypeActionStatusSet:
		return domain.Current[Event, ActionStatusSet](1), true
	case TypeTopicWhiteboardOpened:
		return domain.Current[Event, TopicWhiteboardOpened](1), true
	case TypeRotiRated:
		return domain.Current[Event, RotiRated](1), true
	case TypeRotiClosed:
		return domain.Current[Event, RotiClosed](1), true
	}
	return domain.Schema[Event]{}, false
}

// retroCreatedCodec reads RetroCreated's first shape, from before ROTI moved
// to the classic 1-5 scale: the same fields, and its ratings were 0-10.
func retroCreatedCodec() domain.Schema[Event] {
	return domain.Upcast[Event, RetroCreated](2, func(_ int, p []byte) (Event, error) {
		var e RetroCreated
		if err := json.Unmarshal(p, &e); err != nil {
			return nil, err
		}
		e.RotiScale = catalog.ScaleTen
		return e, nil
	})
}

func codec() domain.Codec[Event] { return domain.Codec[Event]{Aggregate: Category, Lookup: schemaOf} }

// EncodeEvent gives an event's type name, schema version and JSON payload.
func EncodeEvent(e Event) (typ string, schemaVersion int, payload []byte, err error) {
	return codec().Encode(e)
}

// DecodeEvent reads an event back, upcasting older schema versions.
func DecodeEvent(typ string, schemaVersion int, payload []byte) (Event, error) {
	return codec().Decode(typ, schemaVersion, payload)
}

// upcastCardAddedV1 reads CardAdded's first shape, from before this
// package's development added the concealed flag: the column under
// "column" and no flag. (No log written by a release holds it; it is the
// worked example of an upcast.) A v1 card is taken as concealed, the safe
// reading: its text reaches others only through the view once the column is
// revealed.
func upcastCardAddedV1(payload []byte) (Event, error) {
	var v1 struct {
		CardAdded
		Column string `json:"column"`
	}
	if err := json.Unmarshal(payload, &v1); err != nil {
		return nil, err
	}
	e := v1.CardAdded
	if e.ColumnID == "" {
		e.ColumnID = v1.Column
	}
	e.Concealed = true
	return e, nil
}
