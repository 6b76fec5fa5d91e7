package team

import (
	"encoding/json"
	"fmt"
	"time"
)

// codecEntry knows one event type's current schema version and how to
// decode each version it has ever been written in.
type codecEntry struct {
	version int
	decode  func(version int, payload []byte) (Event, error)
}

func current[E Event](version int) codecEntry {
	return codecEntry{version: version, decode: func(v int, p []byte) (Event, error) {
		if v != version {
			return nil, fmt.Errorf("schema version %d is not known (current is %d)", v, version)
		}
		var e E
		if err := json.Unmarshal(p, &e); err != nil {
			return nil, err
		}
		return e, nil
	}}
}

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

func teamCreatedCodec() codecEntry {
	cur := current[TeamCreated](2)
	return codecEntry{version: 2, decode: func(v int, p []byte) (Event, error) {
		if v != 1 {
			return cur.decode(v, p)
		}
		var old teamCreatedV1
		if err := json.Unmarshal(p, &old); err != nil {
			return nil, err
		}
		return TeamCreated{
			TeamID: old.TeamID, WorkspaceID: old.WorkspaceID, Name: old.Name,
			HealthPackID: old.HealthPackID, FirstAdminID: old.CreatedBy, CreatedBy: old.CreatedBy, At: old.At,
		}, nil
	}}
}

// codecFor is a switch rather than a package map so there is no package
// state anyone could change.
func codecFor(typ string) (codecEntry, bool) {
	switch typ {
	case TypeTeamCreated:
		return teamCreatedCodec(), true
	case TypeMemberAdded:
		return current[MemberAdded](1), true
	case TypeMemberRemoved:
		return current[MemberRemoved](1), true
	case TypeTeamAdminAppointed:
		return current[TeamAdminAppointed](1), true
	case TypeTeamAdminRemoved:
		return current[TeamAdminRemoved](1), true
	case TypeGuestAdmitted:
		return current[GuestAdmitted](1), true
	case TypeGuestPromoted:
		return current[GuestPromoted](1), true
	case TypeActionRecorded:
		return current[ActionRecorded](1), true
	case TypeActionStatusChanged:
		return current[ActionStatusChanged](1), true
	case TypeActionCommented:
		return current[ActionCommented](1), true
	case TypeActionReassigned:
		return current[ActionReassigned](1), true
	case TypeActionRescheduled:
		return current[ActionRescheduled](1), true
	}
	return codecEntry{}, false
}

// EncodeEvent turns an event into its stored form.
func EncodeEvent(e Event) (typ string, schemaVersion int, payload []byte, err error) {
	if e == nil {
		return "", 0, nil, fmt.Errorf("encode team event: nil event")
	}
	c, ok := codecFor(e.EventType())
	if !ok {
		return "", 0, nil, fmt.Errorf("encode team event: unknown type %q", e.EventType())
	}
	p, err := json.Marshal(e)
	if err != nil {
		return "", 0, nil, fmt.Errorf("encode team event %s: %w", e.EventType(), err)
	}
	return e.EventType(), c.version, p, nil
}

// DecodeEvent reads a stored event, upcasting older schema versions.
func DecodeEvent(typ string, schemaVersion int, payload []byte) (Event, error) {
	c, ok := codecFor(typ)
	if !ok {
		return nil, fmt.Errorf("decode team event: unknown type %q", typ)
	}
	e, err := c.decode(schemaVersion, payload)
	if err != nil {
		return nil, fmt.Errorf("decode team event %s v%d: %w", typ, schemaVersion, err)
	}
	return e, nil
}
