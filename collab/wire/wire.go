// Package wire is the automerge-repo network protocol, version 1, as spoken by
// @automerge/automerge-repo-network-websocket: one CBOR map per WebSocket
// binary message. Everything a peer sends is untrusted, so Decode enforces
// limits on size, nesting and types before any field is looked at.
package wire

import (
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// ProtocolV1 is the only protocol version this server speaks.
const ProtocolV1 = "1"

// Message types of protocol v1.
const (
	TypeJoin           = "join"
	TypePeer           = "peer"
	TypeError          = "error"
	TypeLeave          = "leave"
	TypeRequest        = "request"
	TypeSync           = "sync"
	TypeDocUnavailable = "doc-unavailable"
	TypeEphemeral      = "ephemeral"
	// Sent by repos that track remote heads; this server neither sends nor
	// needs them, and ignores them rather than dropping the peer.
	TypeRemoteSubscriptionChange = "remote-subscription-change"
	TypeRemoteHeadsChanged       = "remote-heads-changed"
)

// Limits on what Decode accepts.
const (
	// MaxMessageBytes bounds one WebSocket message. A first sync of a large
	// board carries its whole history, so this is generous; the document size
	// limit is enforced separately when the changes are applied.
	MaxMessageBytes = 4 << 20
	MaxIDBytes      = 128
	maxNesting      = 8
	maxMapPairs     = 32
	maxArrayItems   = 64
)

// PeerMetadata is what a peer says about itself in join and peer messages.
type PeerMetadata struct {
	StorageID   string `cbor:"storageId,omitempty"`
	IsEphemeral bool   `cbor:"isEphemeral"`
}

// Message is any protocol v1 message; which fields are set depends on Type.
type Message struct {
	Type     string `cbor:"type"`
	SenderID string `cbor:"senderId,omitempty"`
	TargetID string `cbor:"targetId,omitempty"`

	// join and peer
	PeerMetadata              *PeerMetadata `cbor:"peerMetadata,omitempty"`
	SupportedProtocolVersions []string      `cbor:"supportedProtocolVersions,omitempty"`
	SelectedProtocolVersion   string        `cbor:"selectedProtocolVersion,omitempty"`

	// error
	ErrorMessage string `cbor:"message,omitempty"`

	// request, sync, doc-unavailable, ephemeral
	DocumentID string `cbor:"documentId,omitempty"`
	Data       []byte `cbor:"data,omitempty"`

	// ephemeral: a sender's session and its message counter, for de-duplication.
	Count     uint64 `cbor:"count,omitempty"`
	SessionID string `cbor:"sessionId,omitempty"`
}

// ErrMalformed wraps every rejection of a message a peer sent.
var ErrMalformed = errors.New("malformed message")

var decMode, encMode = mustModes()

func mustModes() (cbor.DecMode, cbor.EncMode) {
	dm, err := cbor.DecOptions{
		MaxNestedLevels:  maxNesting,
		MaxArrayElements: maxArrayItems,
		MaxMapPairs:      maxMapPairs,
		// cbor-x writes definite lengths; indefinite ones only serve an attacker.
		IndefLength: cbor.IndefLengthForbidden,
		DupMapKey:   cbor.DupMapKeyEnforcedAPF,
		// No tag has a meaning in this protocol (cbor-x is told not to tag
		// Uint8Array), so none is accepted.
		TagsMd:            cbor.TagsForbidden,
		FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
		NaN:               cbor.NaNDecodeForbidden,
		Inf:               cbor.InfDecodeForbidden,
	}.DecMode()
	if err != nil {
		panic(fmt.Sprintf("wire: decoder options: %v", err))
	}
	em, err := cbor.EncOptions{}.EncMode()
	if err != nil {
		panic(fmt.Sprintf("wire: encoder options: %v", err))
	}
	return dm, em
}

// Decode reads one message a peer sent and checks it is well formed for its
// type. Unknown message types decode without error (Type tells them apart),
// so a newer client's extra messages can be ignored rather than fatal.
func Decode(b []byte) (Message, error) {
	var m Message
	if len(b) == 0 {
		return m, fmt.Errorf("%w: empty", ErrMalformed)
	}
	if len(b) > MaxMessageBytes {
		return m, fmt.Errorf("%w: %d bytes, at most %d allowed", ErrMalformed, len(b), MaxMessageBytes)
	}
	if err := decMode.Unmarshal(b, &m); err != nil {
		return Message{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := m.validate(); err != nil {
		return Message{}, fmt.Errorf("%w: %s message: %v", ErrMalformed, m.Type, err)
	}
	return m, nil
}

func (m Message) validate() error {
	if m.Type == "" || len(m.Type) > 64 {
		return errors.New("no type")
	}
	if m.SenderID == "" || len(m.SenderID) > MaxIDBytes || len(m.TargetID) > MaxIDBytes {
		return errors.New("sender ID missing or too long")
	}
	if m.PeerMetadata != nil && len(m.PeerMetadata.StorageID) > MaxIDBytes {
		return errors.New("storage ID too long")
	}
	if len(m.SessionID) > MaxIDBytes || len(m.ErrorMessage) > 1024 {
		return errors.New("field too long")
	}
	switch m.Type {
	case TypeJoin:
		for _, v := range m.SupportedProtocolVersions {
			if len(v) > 16 {
				return errors.New("protocol version too long")
			}
		}
	case TypeRequest, TypeSync, TypeEphemeral, TypeDocUnavailable:
		if _, err := ParseDocumentID(m.DocumentID); err != nil {
			return err
		}
		if m.Type != TypeDocUnavailable && len(m.Data) == 0 {
			return errors.New("no data")
		}
		if m.Type == TypeEphemeral && m.SessionID == "" {
			return errors.New("no session ID")
		}
	}
	return nil
}

// Encode writes a message for a peer.
func Encode(m Message) ([]byte, error) {
	b, err := encMode.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode %s message: %w", m.Type, err)
	}
	return b, nil
}

// SupportsV1 reports whether a join message accepts protocol v1. A client
// that names no versions predates negotiation and speaks v1.
func (m Message) SupportsV1() bool {
	if len(m.SupportedProtocolVersions) == 0 {
		return true
	}
	for _, v := range m.SupportedProtocolVersions {
		if v == ProtocolV1 {
			return true
		}
	}
	return false
}
