package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/hindsight-retro/hindsight/api/problem"
)

// DefaultMaxBodyBytes bounds a request body: every command is a few hundred
// bytes of JSON; the largest (a retro's agenda, a survey import) stay far below.
const DefaultMaxBodyBytes = 64 << 10

// decodeJSON reads one JSON value of type T from body, at most limit bytes.
// Unknown fields, trailing data and oversized bodies are rejected, so a
// client's typo is an error instead of a silently ignored field. It never
// panics: every input gives either a value or a problem.
func decodeJSON[T any](body io.Reader, limit int64) (T, *problem.Problem) {
	var v T
	if body == nil {
		return v, problem.New(problem.Validation, "a JSON request body is required")
	}
	// Read one byte past the limit to tell "exactly at the limit" from "over".
	data, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return v, tooLargeProblem(tooLarge.Limit)
		}
		return v, problem.New(problem.Validation, "the request body could not be read")
	}
	if int64(len(data)) > limit {
		return v, tooLargeProblem(limit)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return v, problem.New(problem.Validation, "a JSON request body is required")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		var zero T
		return zero, jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var zero T
		return zero, problem.New(problem.Validation, "the request body holds data after its JSON value")
	}
	return v, nil
}

func tooLargeProblem(limit int64) *problem.Problem {
	return problem.New(problem.TooLarge, fmt.Sprintf("the request body is larger than %d bytes", limit))
}

// jsonProblem explains a decoding error in the client's terms: which field,
// which type, where in the body.
func jsonProblem(err error) *problem.Problem {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return problem.New(problem.Validation, fmt.Sprintf("the request body is not valid JSON (at byte %d)", syntax.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return problem.New(problem.Validation, "a field has the wrong type").
			WithField(field, fmt.Sprintf("want %s, got JSON %s", typ.Type.String(), typ.Value))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return problem.New(problem.Validation, "the request body ends in the middle of its JSON value")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return problem.New(problem.Validation, "the request body has a field this operation does not take").
			WithField(name, "unknown field")
	default:
		return problem.New(problem.Validation, "the request body could not be decoded as this operation's JSON")
	}
}

// checkContentType accepts a JSON media type or none (curl without -H); a
// form or anything else is refused, so a mistaken client hears why.
func checkContentType(r *http.Request) *problem.Problem {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return problem.New(problem.Unsupported,
		fmt.Sprintf("the request body must be application/json, not %q (with curl: --json, or -H 'Content-Type: application/json')", ct))
}
