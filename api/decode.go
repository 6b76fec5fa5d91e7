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
	"unicode/utf8"

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
			return v, problem.BodyTooLarge(tooLarge.Limit)
		}
		return v, problem.New(problem.Validation, "the request body could not be read")
	}
	if int64(len(data)) > limit {
		return v, problem.BodyTooLarge(limit)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return v, problem.New(problem.Validation, "a JSON request body is required")
	}
	// encoding/json replaces invalid UTF-8 and lone surrogate escapes with
	// U+FFFD without a word, so a client's text would be stored changed;
	// refuse it instead, before decoding.
	if p := checkText(data); p != nil {
		return v, p
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

// textInURL refuses a request whose path or query, once percent-decoded,
// is not UTF-8 (%FF, an encoded surrogate): IDs, search words and times
// are text too, and would otherwise reach lookups and logs mangled.
func textInURL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok := utf8.ValidString(r.URL.Path)
		if ok && r.URL.RawQuery != "" {
			for k, vs := range r.URL.Query() {
				ok = ok && utf8.ValidString(k)
				for _, v := range vs {
					ok = ok && utf8.ValidString(v)
				}
			}
		}
		if !ok {
			problem.Write(w, r, problem.New(problem.Validation, "the request's path or query is not valid UTF-8 once percent-decoded").
				WithCode("invalid-utf8"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkText refuses a body that is not valid UTF-8 or whose strings hold a
// \u escape of a lone UTF-16 surrogate: neither is text, and JSON would
// turn both into U+FFFD silently.
func checkText(data []byte) *problem.Problem {
	if !utf8.Valid(data) {
		at := 0
		for at < len(data) {
			r, n := utf8.DecodeRune(data[at:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			at += n
		}
		return problem.New(problem.Validation, fmt.Sprintf("the request body is not valid UTF-8 (at byte %d)", at)).
			WithCode("invalid-utf8")
	}
	if at := loneSurrogate(data); at >= 0 {
		return problem.New(problem.Validation,
			fmt.Sprintf("the request body escapes a lone UTF-16 surrogate, which is no character (at byte %d)", at)).
			WithCode("invalid-utf8")
	}
	return nil
}

// loneSurrogate returns the offset of the first \uD800–\uDFFF escape in a
// JSON string that is not a high surrogate followed at once by an escaped
// low one, or -1. It only tracks strings and escapes; the decoder judges
// the rest of the syntax.
func loneSurrogate(data []byte) int {
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if !inString {
			inString = c == '"'
			continue
		}
		switch c {
		case '"':
			inString = false
		case '\\':
			if i+1 >= len(data) {
				return -1
			}
			if data[i+1] != 'u' {
				i++ // the escaped character
				continue
			}
			r, ok := hex4(data, i+2)
			if !ok {
				return -1 // not an escape the decoder will take either
			}
			switch {
			case r >= 0xD800 && r <= 0xDBFF:
				low, ok := -1, i+6+1 < len(data) && data[i+6] == '\\' && data[i+7] == 'u'
				if ok {
					if l, isHex := hex4(data, i+8); isHex {
						low = l
					}
				}
				if low < 0xDC00 || low > 0xDFFF {
					return i
				}
				i += 11 // both escapes
			case r >= 0xDC00 && r <= 0xDFFF:
				return i
			default:
				i += 5
			}
		}
	}
	return -1
}

// hex4 reads four hexadecimal digits at data[at:].
func hex4(data []byte, at int) (int, bool) {
	if at+4 > len(data) {
		return 0, false
	}
	n := 0
	for _, c := range data[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			n = n<<4 | int(c-'0')
		case c >= 'a' && c <= 'f':
			n = n<<4 | int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			n = n<<4 | int(c-'A'+10)
		default:
			return 0, false
		}
	}
	return n, true
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
