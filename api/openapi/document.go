package openapi

import (
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Version is the OpenAPI version of every document this package builds.
const Version = "3.1.0"

// Document is an OpenAPI 3.1 document (the parts the API uses).
type Document struct {
	OpenAPI    string                           `json:"openapi"`
	Info       Info                             `json:"info"`
	Paths      map[string]map[string]*Operation `json:"paths"`
	Components Components                       `json:"components"`
	Security   []map[string][]string            `json:"security,omitempty"`
}

// Info describes the API.
type Info struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description,omitempty"`
}

// Components holds the shared schemas, responses and security schemes.
type Components struct {
	Schemas         map[string]*Schema         `json:"schemas"`
	Responses       map[string]*Response       `json:"responses,omitempty"`
	SecuritySchemes map[string]*SecurityScheme `json:"securitySchemes,omitempty"`
}

// SecurityScheme is how a client authenticates.
type SecurityScheme struct {
	Type   string `json:"type"`
	Scheme string `json:"scheme,omitempty"`
	// In and Name locate an apiKey (the browser session cookie).
	In          string `json:"in,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// Operation is one method on one path.
type Operation struct {
	OperationID string                `json:"operationId"`
	Summary     string                `json:"summary,omitempty"`
	Description string                `json:"description,omitempty"`
	Tags        []string              `json:"tags,omitempty"`
	Parameters  []*Parameter          `json:"parameters,omitempty"`
	RequestBody *RequestBody          `json:"requestBody,omitempty"`
	Responses   map[string]*Response  `json:"responses"`
	Security    []map[string][]string `json:"security"`
}

// Parameter is a path, query or header parameter.
type Parameter struct {
	Name        string  `json:"name"`
	In          string  `json:"in"`
	Description string  `json:"description,omitempty"`
	Required    bool    `json:"required"`
	Schema      *Schema `json:"schema"`
}

// RequestBody is a JSON request body.
type RequestBody struct {
	Required bool                  `json:"required"`
	Content  map[string]*MediaType `json:"content"`
}

// Response is one response of an operation, or a reference to a shared one.
type Response struct {
	Ref         string                `json:"$ref,omitempty"`
	Description string                `json:"description,omitempty"`
	Content     map[string]*MediaType `json:"content,omitempty"`
}

// MediaType holds the schema of one content type.
type MediaType struct {
	Schema *Schema `json:"schema"`
}

// Param documents a query or header parameter of a route.
type Param struct {
	Name        string
	In          string // "query" or "header"
	Description string
	Required    bool
	Type        reflect.Type // nil means string
}

// Route is what the document needs to know about one route; the router's
// table holds one per handler.
type Route struct {
	Method      string
	Pattern     string // chi pattern, e.g. /v1/retros/{id}; also the OpenAPI path
	OperationID string
	Summary     string
	Description string
	Tag         string
	Request     reflect.Type // JSON body type; nil for none
	Response    reflect.Type // JSON body type; nil for an empty response
	// ResponseTypes are the media types of the success response, each
	// described by Response's schema; empty means application/json.
	ResponseTypes []string
	Status        int // success status; 0 means 200
	Auth          bool
	Params        []Param
}

// ProblemSchemaName is the component every error response refers to.
const ProblemSchemaName = "Problem"

var pathParam = regexp.MustCompile(`\{([^}:]+)(:[^}]*)?\}`)

// Build returns the document of routes. problemType is the Go type of the
// problem+json body, described once as a shared response.
func Build(info Info, routes []Route, problemType reflect.Type) *Document {
	g := NewGenerator()
	doc := &Document{
		OpenAPI: Version,
		Info:    info,
		Paths:   map[string]map[string]*Operation{},
		Components: Components{
			Responses: map[string]*Response{},
			SecuritySchemes: map[string]*SecurityScheme{
				"bearer": {Type: "http", Scheme: "bearer",
					Description: "a session token from POST /v1/sessions, a guest token from POST /v1/invites/{code}/join, or an API token"},
				"cookie": {Type: "apiKey", In: "cookie", Name: "hindsight_token",
					Description: "a browser session from POST /v1/sessions with X-Session-Mode: cookie; unsafe methods must send " +
						"X-CSRF-Token with the value of the hindsight_csrf cookie"},
			},
		},
	}
	problemSchema := g.Schema(problemType)
	g.schemas[ProblemSchemaName] = g.schemas[strings.TrimPrefix(problemSchema.Ref, "#/components/schemas/")]
	doc.Components.Responses[ProblemSchemaName] = &Response{
		Description: "an RFC 9457 problem",
		Content:     map[string]*MediaType{"application/problem+json": {Schema: &Schema{Ref: "#/components/schemas/" + ProblemSchemaName}}},
	}

	sorted := append([]Route(nil), routes...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Pattern < sorted[j].Pattern })
	for _, rt := range sorted {
		path := pathParam.ReplaceAllString(rt.Pattern, "{$1}")
		item := doc.Paths[path]
		if item == nil {
			item = map[string]*Operation{}
			doc.Paths[path] = item
		}
		op := &Operation{
			OperationID: rt.OperationID,
			Summary:     rt.Summary,
			Description: rt.Description,
			Responses:   map[string]*Response{},
			Security:    []map[string][]string{},
		}
		if rt.Tag != "" {
			op.Tags = []string{rt.Tag}
		}
		if rt.Auth {
			op.Security = []map[string][]string{{"bearer": {}}, {"cookie": {}}}
		}
		for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
			op.Parameters = append(op.Parameters, &Parameter{Name: m[1], In: "path", Required: true, Schema: &Schema{Type: "string"}})
		}
		for _, p := range rt.Params {
			s := &Schema{Type: "string"}
			if p.Type != nil {
				s = g.Schema(p.Type)
			}
			op.Parameters = append(op.Parameters, &Parameter{Name: p.Name, In: p.In, Description: p.Description, Required: p.Required, Schema: s})
		}
		if rt.Request != nil {
			op.RequestBody = &RequestBody{Required: true, Content: map[string]*MediaType{
				"application/json": {Schema: g.Schema(rt.Request)},
			}}
		}
		status := rt.Status
		if status == 0 {
			status = http.StatusOK
		}
		res := &Response{Description: http.StatusText(status)}
		if rt.Response != nil {
			s := g.Schema(rt.Response)
			types := rt.ResponseTypes
			if len(types) == 0 {
				types = []string{"application/json"}
			}
			res.Content = map[string]*MediaType{}
			for _, ct := range types {
				res.Content[ct] = &MediaType{Schema: s}
			}
		}
		op.Responses[strconv.Itoa(status)] = res
		op.Responses["default"] = &Response{Ref: "#/components/responses/" + ProblemSchemaName}
		item[strings.ToLower(rt.Method)] = op
	}
	doc.Components.Schemas = g.Components()
	return doc
}
