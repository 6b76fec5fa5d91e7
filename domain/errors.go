package domain

import (
	"errors"
	"fmt"
)

// Kind classifies a rejected command so the edge can map it to a status
// (HTTP 400, 403, 404, 409) without parsing messages.
type Kind int

const (
	// Invalid: the command is malformed or out of range (HTTP 400/422).
	Invalid Kind = iota + 1
	// Forbidden: the actor lacks the role or right (HTTP 403).
	Forbidden
	// NotFound: the command names something that does not exist (HTTP 404).
	NotFound
	// Conflict: the aggregate's state does not allow it now, e.g. a closed
	// retro, a revealed column, an exhausted vote budget (HTTP 409).
	Conflict
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case Forbidden:
		return "forbidden"
	case NotFound:
		return "not-found"
	case Conflict:
		return "conflict"
	}
	return "unknown"
}

// Error is a rejection of a command. Code is a stable machine-readable
// reason (for example "vote-budget-exhausted"), Message is for people.
type Error struct {
	Kind    Kind
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s (%s): %s", e.Code, e.Kind, e.Message) }

// Errorf builds a rejection.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of a domain rejection in err's chain, 0 if none.
func KindOf(err error) Kind {
	var de *Error
	if errors.As(err, &de) {
		return de.Kind
	}
	return 0
}

// CodeOf returns the code of a domain rejection in err's chain, "" if none.
func CodeOf(err error) string {
	var de *Error
	if errors.As(err, &de) {
		return de.Code
	}
	return ""
}
