package domain

import (
	"errors"
	"fmt"
)

// Kind classifies a refusal so the edge can map it to a status without
// parsing messages. It is the server's one error vocabulary: deciders
// refuse commands with the first four, the application layer, identity and
// the live feed use the same type for the rest, and the HTTP layer holds the
// one map from kind to status (api/problem).
type Kind int

const (
	// Invalid: the command is malformed or out of range (HTTP 400).
	Invalid Kind = iota + 1
	// Forbidden: the actor lacks the role or right (HTTP 403).
	Forbidden
	// NotFound: the command names something that does not exist, or that
	// the actor may not know of (HTTP 404).
	NotFound
	// Conflict: the aggregate's state does not allow it now, e.g. a closed
	// retro, a revealed column, an exhausted vote budget (HTTP 409).
	Conflict
	// Unauthenticated: no one, or no one the server recognises, is asking
	// (HTTP 401).
	Unauthenticated
	// Unavailable: the request may succeed if sent again later, with the
	// same command ID (HTTP 503).
	Unavailable
)

var kindNames = [...]string{Invalid: "invalid", Forbidden: "forbidden", NotFound: "not-found",
	Conflict: "conflict", Unauthenticated: "unauthenticated", Unavailable: "unavailable"}

// Kinds lists every kind, for the edge's map and its test.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kindNames)-1)
	for k := Invalid; int(k) < len(kindNames); k++ {
		out = append(out, k)
	}
	return out
}

func (k Kind) String() string {
	if k < Invalid || int(k) >= len(kindNames) {
		return "unknown"
	}
	return kindNames[k]
}

// Error is a refusal. Code is a stable machine-readable reason (for example
// "vote-budget-exhausted"; empty where the kind says all), Message is for
// people and is what a client is shown: context for the server's logs goes
// in a wrapping error (fmt.Errorf("...: %w", err)), never in Message.
type Error struct {
	Kind    Kind
	Code    string
	Message string
}

func (e *Error) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("%s: %s", e.Kind, e.Message)
	}
	return fmt.Sprintf("%s (%s): %s", e.Code, e.Kind, e.Message)
}

// Errorf builds a refusal.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// The refusals that tell the client nothing beyond their kind, shared by
// every layer so that, for example, a retro that is missing and one that is
// not the caller's to know of get the same answer. Compare with errors.Is;
// wrap them to add context for the logs.
var (
	// ErrUnauthenticated: the bearer token is missing, malformed, forged,
	// expired or revoked; the client is never told which.
	ErrUnauthenticated = &Error{Kind: Unauthenticated, Message: "the bearer token is missing, invalid, expired or revoked"}
	// ErrForbidden: the principal may not do this.
	ErrForbidden = &Error{Kind: Forbidden, Message: "you may not do this here"}
	// ErrNotFound: no such resource, or none the principal may know of.
	ErrNotFound = &Error{Kind: NotFound, Message: "no such resource, or not one you may see"}
)

// KindOf returns the kind of the refusal in err's chain, 0 if none.
func KindOf(err error) Kind {
	var de *Error
	if errors.As(err, &de) {
		return de.Kind
	}
	return 0
}

// CodeOf returns the code of the refusal in err's chain, "" if none.
func CodeOf(err error) string {
	var de *Error
	if errors.As(err, &de) {
		return de.Code
	}
	return ""
}
