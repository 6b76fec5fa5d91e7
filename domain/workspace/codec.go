package workspace

import "github.com/hindsight-retro/hindsight/domain"

// codecFor is a switch rather than a package map so there is no package
// state anyone could change.
func codecFor(typ string) (domain.Schema[Event], bool) {
	switch typ {
	case TypeWorkspaceCreated:
		return domain.Current[Event, WorkspaceCreated](1), true
	case TypeWorkspaceRenamed:
		return domain.Current[Event, WorkspaceRenamed](1), true
	case TypeWorkspaceAdminAdded:
		return domain.Current[Event, WorkspaceAdminAdded](1), true
	case TypeWorkspaceAdminRemoved:
		return domain.Current[Event, WorkspaceAdminRemoved](1), true
	case TypeTeamRegistered:
		return domain.Current[Event, TeamRegistered](1), true
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
