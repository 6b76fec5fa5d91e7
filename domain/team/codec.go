package team

import (
	"encoding/json"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
)

// teamCreatedV1 is TeamCreated as written before team templates and a
// separately named first admin existed: the creator ran the team and the
// health pack was picked by hand.
type teamCreatedV1 struct {
	TeamID       string    `json:"teamId"`
	WorkspaceID  string    `json:"workspaceId"`
	Name         string    `json:"name"`
	HealthPackID string    `json:"healthPackId"`
	CreatedBy    string    `json:"createdBy"`
	At           time.Time `json:"at"`
}

func teamCreatedCodec() domain.Schema[Event] {
	return domain.Upcast[Event, TeamCreated](2, func(_ int, p []byte) (Event, error) {
		var old teamCreatedV1
		if err := json.Unmarshal(p, &old); err != nil {
			return nil, err
		}
		return TeamCreated{
			TeamID: old.TeamID, WorkspaceID: old.WorkspaceID, Name: old.Name,
			HealthPackID: old.HealthPackID, FirstAdminID: old.CreatedBy, CreatedBy: old.CreatedBy, At: old.At,
		}, nil
	})
}

// codecFor is a switch rather than a package map so there is no package
// state anyone could change.
func codecFor(typ string) (domain.Schema[Event], bool) {
	switch typ {
	case TypeTeamCreated:
		return teamCreatedCodec(), true
	case TypeMemberAdded:
		return domain.Current[Event, MemberAdded](1), true
	case TypeMemberRemoved:
		return domain.Current[Event, MemberRemoved](1), true
	case TypeTeamAdminAppointed:
		return domain.Current[Event, TeamAdminAppointed](1), true
	case TypeTeamAdminRemoved:
		return domain.Current[Event, TeamAdminRemoved](1), true
	case TypeGuestAdmitted:
		return domain.Current[Event, GuestAdmitted](1), true
	case TypeGuestPromoted:
		return domain.Current[Event, GuestPromoted](1), true
	case TypeActionRecorded:
		return domain.Current[Event, ActionRecorded](1), true
	case TypeActionStatusChanged:
		return domain.Current[Event, ActionStatusChanged](1), true
	case TypeActionCommented:
		return domain.Current[Event, ActionCommented](1), true
	case TypeActionReassigned:
		return domain.Current[Event, ActionReassigned](1), true
	case TypeActionRescheduled:
		return domain.Current[Event, ActionRescheduled](1), true
	}
	return domain.Schema[Event]{}, false
}

func codec() domain.Codec[Event] {
	return domain.Codec[Event]{Aggregate: Category, Lookup: codecFor}
}

// EncodeEvent turns an event into its stored form.
func EncodeEvent(e Event) (typ string, schemaVersion int, payload []byte, err error) {
	return codec().Encode(e)
}

// DecodeEvent reads a stored event, upcasting older schema versions.
func DecodeEvent(typ string, schemaVersion int, payload []byte) (Event, error) {
	return codec().Decode(typ, schemaVersion, payload)
}
