package library

import (
	"fmt"

	"github.com/hindsight-retro/hindsight/domain"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// codecFor is a switch rather than a package map so there is no package
// state anyone could change.
func codecFor(typ string) (domain.Schema[Event], bool) {
	switch typ {
	case TypeTemplateSaved:
		return domain.Current[Event, TemplateSaved](1), true
	case TypeTemplateArchived:
		return domain.Current[Event, TemplateArchived](1), true
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

// DecodeEvent reads a stored event.
func DecodeEvent(typ string, schemaVersion int, payload []byte) (Event, error) {
	return codec().Decode(typ, schemaVersion, payload)
}
