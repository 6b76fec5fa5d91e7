// Package problem writes RFC 9457 problem details: every error the API
// answers has a stable type URI per kind of failure, so clients branch on the
// type (and on the domain's code) instead of parsing messages.
package problem

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
)

// TypeBase prefixes every problem type. The URIs are identifiers, stable
// across releases; they need not resolve.
const TypeBase = "https://hindsight.dev/problems/"

// ContentType is the media type of every problem body.
const ContentType = "application/problem+json"

// Kind is one stable kind of failure; its type URI is TypeBase + Kind.
type Kind string

// The kinds the API answers with. Each maps to one HTTP status.
const (
	Validation       Kind = "validation"
	Unauthenticated  Kind = "unauthenticated"
	Forbidden        Kind = "forbidden"
	NotFound         Kind = "not-found"
	MethodNotAllowed Kind = "method-not-allowed"
	Conflict         Kind = "conflict"
	TooLarge         Kind = "too-large"
	Unsupported      Kind = "unsupported-media-type"
	RateLimited      Kind = "rate-limited"
	Internal         Kind = "internal"
	Unavailable      Kind = "unavailable"
	// StorageFull: the server's disk is full; nothing was stored, and the
	// same request succeeds once space is freed.
	StorageFull Kind = "storage-full"
)

var kinds = map[Kind]struct {
	status int
	title  string
}{
	Validation:       {http.StatusBadRequest, "Invalid Request"},
	Unauthenticated:  {http.StatusUnauthorized, "Authentication Required"},
	Forbidden:        {http.StatusForbidden, "Forbidden"},
	NotFound:         {http.StatusNotFound, "Not Found"},
	MethodNotAllowed: {http.StatusMethodNotAllowed, "Method Not Allowed"},
	Conflict:         {http.StatusConflict, "Conflict"},
	TooLarge:         {http.StatusRequestEntityTooLarge, "Request Too Large"},
	Unsupported:      {http.StatusUnsupportedMediaType, "Unsupported Media Type"},
	RateLimited:      {http.StatusTooManyRequests, "Too Many Requests"},
	Internal:         {http.StatusInternalServerError, "Internal Server Error"},
	Unavailable:      {http.StatusServiceUnavailable, "Service Unavailable"},
	StorageFull:      {http.StatusInsufficientStorage, "Insufficient Storage"},
}

// Kinds lists every kind by status, for documentation and tests.
func Kinds() []Kind {
	out := slices.Collect(maps.Keys(kinds))
	slices.SortFunc(out, func(a, b Kind) int { return kinds[a].status - kinds[b].status })
	return out
}

// Status is the HTTP status of a kind; unknown kinds are internal errors.
func (k Kind) Status() int {
	if d, ok := kinds[k]; ok {
		return d.status
	}
	return http.StatusInternalServerError
}

// Type is the kind's type URI.
func (k Kind) Type() string { return TypeBase + string(k) }

// FieldError names one rejected field of a request body or query.
type FieldError struct {
	// Field is a JSON pointer-like path ("text", "order/2") or a parameter name.
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Problem is an RFC 9457 problem details object with two extensions: code
// (the domain's stable reason, e.g. "vote-budget-exhausted") and errors
// (per-field validation failures).
type Problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Code     string       `json:"code,omitempty"`
	Errors   []FieldError `json:"errors,omitempty"`
	// RetryAfter, in seconds, is sent as the Retry-After header, not in the body.
	RetryAfter int `json:"-"`
}

// New builds the problem of a kind with a human-readable detail.
func New(k Kind, detail string) *Problem {
	d, ok := kinds[k]
	if !ok {
		k, d = Internal, kinds[Internal]
	}
	return &Problem{Type: k.Type(), Title: d.title, Status: d.status, Detail: detail}
}

// WithCode sets the machine-readable reason.
func (p *Problem) WithCode(code string) *Problem { p.Code = code; return p }

// WithField adds a field validation failure.
func (p *Problem) WithField(field, msg string) *Problem {
	p.Errors = append(p.Errors, FieldError{Field: field, Message: msg})
	return p
}

func (p *Problem) Error() string {
	if p.Detail != "" {
		return p.Title + ": " + p.Detail
	}
	return p.Title
}

// Write sends p; instance defaults to the request's path so a log line and
// the client's report can be matched.
func Write(w http.ResponseWriter, r *http.Request, p *Problem) {
	out := *p
	if out.Instance == "" && r != nil && r.URL != nil {
		out.Instance = r.URL.Path
	}
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Cache-Control", "no-store")
	if out.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(out.RetryAfter))
	}
	w.WriteHeader(out.Status)
	// An encoding error means the client went away; nothing to tell it.
	_ = json.NewEncoder(w).Encode(out)
}
