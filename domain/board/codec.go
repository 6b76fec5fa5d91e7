package board

import "github.com/hindsight-retro/hindsight/domain"

// codecFor is a switch rather than a package map so there is no package
// state anyone could change.
func codecFor(typ string) (domain.Schema[Event], bool) {
	switch typ {
	case TypeCreated:
		return domain.Current[Event, Created](1), true
	case TypeRenamed:
		return domain.Current[Event, Renamed](1), true
	case TypeArchived:
		return domain.Current[Event, Archived](1), true
	case TypeRestored:
		return domain.Current[Event, Restored](1), true
	case TypeWritingStarted:
		return domain.Current[Event, WritingStarted](1), true
	case TypeNotesOpened:
		return domain.Current[Event, NotesOpened](1), true
	case TypeNotesRevealed:
		return domain.Current[Event, NotesRevealed](1), true
	}
	return domain.Schema[Event]{}, false
}

func codec() domain.Codec[Event] {
	return domain.Codec[Event]{Aggregate: "whiteboard", Lookup: codecFor}
}

// EncodeEvent turns an event into its stored form.
func EncodeEvent(e Event) (typ string, schemaVersion int, payload []byte, err error) {
	return codec().Encode(e)
}

// DecodeEvent reads a stored event.
func DecodeEvent(typ string, schemaVersion int, payload []byte) (Event, error) {
	return codec().Decode(typ, schemaVersion, payload)
}
