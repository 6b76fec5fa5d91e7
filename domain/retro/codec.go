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
	case "RetroCreated":
		return retroCreatedCodec(), true
	case "ParticipantJoined":
		return domain.Current[Event, ParticipantJoined](1), true
	case "RetroLocked":
		return domain.Current[Event, RetroLocked](1), true
	case "RetroUnlocked":
		return domain.Current[Event, RetroUnlocked](1), true
	case "ModerationHandedOver":
		return domain.Current[Event, ModerationHandedOver](1), true
	case "AnonymitySet":
		return domain.Current[Event, AnonymitySet](1), true
	case "RetroClosed":
		return domain.Current[Event, RetroClosed](1), true
	case "StepChanged":
		return domain.Current[Event, StepChanged](1), true
	case "StepSkipped":
		return domain.Current[Event, StepSkipped](1), true
	case "StepsReordered":
		return domain.Current[Event, StepsReordered](1), true
	case "StepAdded":
		return domain.Current[Event, StepAdded](1), true
	case "TimerStarted":
		return domain.Current[Event, TimerStarted](1), true
	case "TimerExtended":
		return domain.Current[Event, TimerExtended](1), true
	case "TimerStopped":
		return domain.Current[Event, TimerStopped](1), true
	case "IcebreakerChosen":
		return domain.Current[Event, IcebreakerChosen](1), true
	case "IcebreakerAnswered":
		return domain.Current[Event, IcebreakerAnswered](1), true
	case "OpenActionsAdded":
		return domain.Current[Event, OpenActionsAdded](1), true
	case "CarriedActionReviewed":
		return domain.Current[Event, CarriedActionReviewed](1), true
	case "CarriedActionCommented":
		return domain.Current[Event, CarriedActionCommented](1), true
	case "HealthCheckStarted":
		return domain.Current[Event, HealthCheckStarted](1), true
	case "HealthCheckAnswered":
		return domain.Current[Event, HealthCheckAnswered](1), true
	case "HealthCheckRevealed":
		return domain.Current[Event, HealthCheckRevealed](1), true
	case "SurveyCardsImported":
		return domain.Current[Event, SurveyCardsImported](1), true
	case "SurveyScoresImported":
		return domain.Current[Event, SurveyScoresImported](1), true
	case "CardAdded":
		return domain.Upcast[Event, CardAdded](2, func(_ int, p []byte) (Event, error) { return upcastCardAddedV1(p) }), true
	case "CardEdited":
		return domain.Current[Event, CardEdited](1), true
	case "CardDeleted":
		return domain.Current[Event, CardDeleted](1), true
	case "ColumnRevealed":
		return domain.Current[Event, ColumnRevealed](1), true
	case "CardHidden":
		return domain.Current[Event, CardHidden](1), true
	case "GroupCreated":
		return domain.Current[Event, GroupCreated](1), true
	case "CardGrouped":
		return domain.Current[Event, CardGrouped](1), true
	case "CardUngrouped":
		return domain.Current[Event, CardUngrouped](1), true
	case "GroupDissolved":
		return domain.Current[Event, GroupDissolved](1), true
	case "GroupsMerged":
		return domain.Current[Event, GroupsMerged](1), true
	case "GroupNamed":
		return domain.Current[Event, GroupNamed](1), true
	case "VotingStarted":
		return domain.Current[Event, VotingStarted](1), true
	case "VoteCast":
		return domain.Current[Event, VoteCast](1), true
	case "VoteRetracted":
		return domain.Current[Event, VoteRetracted](1), true
	case "VotingClosed":
		return domain.Current[Event, VotingClosed](1), true
	case "TopicVotesSet":
		return domain.Current[Event, TopicVotesSet](1), true
	case "TopicFocused":
		return domain.Current[Event, TopicFocused](1), true
	case "ActionCreated":
		return domain.Current[Event, ActionCreated](1), true
	case "ActionAssigned":
		return domain.Current[Event, ActionAssigned](1), true
	case "ActionDueDateSet":
		return domain.Current[Event, ActionDueDateSet](1), true
	case "ActionStatusSet":
		return domain.Current[Event, ActionStatusSet](1), true
	case "TopicWhiteboardOpened":
		return domain.Current[Event, TopicWhiteboardOpened](1), true
	case "RotiRated":
		return domain.Current[Event, RotiRated](1), true
	case "RotiClosed":
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

func codec() domain.Codec[Event] { return domain.Codec[Event]{Aggregate: "retro", Lookup: schemaOf} }

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
