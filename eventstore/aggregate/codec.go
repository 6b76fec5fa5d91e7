package aggregate

// Codec turns an aggregate's events into their stored form and back. The
// domain owns event names and schema versions; the runner only moves bytes.
type Codec[E any] interface {
	Encode(E) (typ string, schemaVersion int, payload []byte, err error)
	// Decode reads a stored event, upcasting old schema versions.
	Decode(typ string, schemaVersion int, payload []byte) (E, error)
}

// CodecFuncs makes a Codec of a domain package's encode and decode
// functions, such as team.EncodeEvent and team.DecodeEvent.
func CodecFuncs[E any](
	encode func(E) (string, int, []byte, error),
	decode func(string, int, []byte) (E, error),
) Codec[E] {
	return funcCodec[E]{encode, decode}
}

type funcCodec[E any] struct {
	encode func(E) (string, int, []byte, error)
	decode func(string, int, []byte) (E, error)
}

func (c funcCodec[E]) Encode(e E) (string, int, []byte, error) { return c.encode(e) }

func (c funcCodec[E]) Decode(typ string, v int, p []byte) (E, error) { return c.decode(typ, v, p) }
