package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaCheck validates every JSON answer the tests receive against the
// schema the OpenAPI document gives for its route and status, so the
// generated schemas cannot drift from what the handlers really send.
type schemaCheck struct {
	mux *chi.Mux
	doc map[string]any

	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema
}

func newSchemaCheck(h http.Handler) (*schemaCheck, error) {
	mux, ok := h.(*chi.Mux)
	if !ok {
		return nil, fmt.Errorf("api.New returned %T, not a chi router", h)
	}
	rec := httpGet(h, "/v1/openapi.json")
	var doc map[string]any
	if err := json.Unmarshal(rec.raw, &doc); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not JSON: %w", err)
	}
	return &schemaCheck{mux: mux, doc: doc, compiled: map[string]*jsonschema.Schema{}}, nil
}

// validate checks one answer; routes outside the table and non-JSON
// answers are not checked.
func (c *schemaCheck) validate(method, path string, status int, contentType string, body []byte) error {
	var schema any
	switch {
	case contentType == "application/problem+json":
		schema = map[string]any{"$ref": "#/components/schemas/Problem"}
	case strings.HasPrefix(contentType, "application/json"):
		pattern := c.mux.Find(chi.NewRouteContext(), method, path)
		if pattern == "" || pattern == "/v1/openapi.json" {
			return nil
		}
		s, ok := dig(c.doc, "paths", pattern, strings.ToLower(method), "responses", strconv.Itoa(status), "content", "application/json", "schema")
		if !ok {
			return fmt.Errorf("%s %s answered %d, which its operation does not document", method, pattern, status)
		}
		schema = s
	default:
		return nil
	}
	key := fmt.Sprintf("%s|%s|%d|%s", method, path, status, contentType)
	if contentType == "application/problem+json" {
		key = "problem"
	}
	sch, err := c.compile(key, schema)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s: the body is not JSON: %w", method, path, err)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("%s %s %d: the body does not match the documented schema: %v\nbody: %s", method, path, status, err, body)
	}
	return nil
}

func (c *schemaCheck) compile(key string, schema any) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.compiled[key]; ok {
		return s, nil
	}
	// The operation's schema with the document's components beside it, so
	// its "#/components/schemas/..." references resolve.
	root := map[string]any{
		"$schema":    "https://json-schema.org/draft/2020-12/schema",
		"allOf":      []any{schema},
		"components": c.doc["components"],
	}
	raw, err := json.Marshal(root)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	comp := jsonschema.NewCompiler()
	url := fmt.Sprintf("mem://schema/%d.json", len(c.compiled))
	if err := comp.AddResource(url, doc); err != nil {
		return nil, err
	}
	s, err := comp.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile the documented schema: %w", err)
	}
	c.compiled[key] = s
	return s, nil
}

func dig(v any, keys ...string) (any, bool) {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}
