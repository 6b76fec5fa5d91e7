package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/hindsight-retro/hindsight/api"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

type openapiDoc struct {
	OpenAPI string `json:"openapi"`
	Paths   map[string]map[string]struct {
		OperationID string `json:"operationId"`
		Parameters  []struct {
			Name string `json:"name"`
			In   string `json:"in"`
		} `json:"parameters"`
		Responses map[string]any `json:"responses"`
	} `json:"paths"`
	Components struct {
		Schemas map[string]any `json:"schemas"`
	} `json:"components"`
}

func fetchDocument(t *testing.T, h http.Handler) (openapiDoc, []byte) {
	t.Helper()
	rec := httpGet(h, "/v1/openapi.json")
	if rec.status != http.StatusOK {
		t.Fatalf("GET /v1/openapi.json = %d", rec.status)
	}
	var doc openapiDoc
	if err := json.Unmarshal(rec.raw, &doc); err != nil {
		t.Fatalf("the document is not JSON: %v", err)
	}
	return doc, rec.raw
}

func TestTheDocumentAndTheRouterAgree(t *testing.T) {
	h := api.New(api.Deps{Store: memstore.New(nil)})
	doc, _ := fetchDocument(t, h)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}

	routed := map[string]bool{}
	err := chi.Walk(h.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routed[method+" "+route] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	for r := range routed {
		if !documented[r] {
			t.Errorf("%s is routed but not in the OpenAPI document", r)
		}
	}
	for d := range documented {
		if !routed[d] {
			t.Errorf("%s is documented but not routed", d)
		}
	}
	if len(routed) < 70 {
		t.Errorf("only %d routes; every command and query of the domain should have one", len(routed))
	}
}

func TestEveryOperationIsNamedOnceAndDescribesItsPathParameters(t *testing.T) {
	doc, raw := fetchDocument(t, api.New(api.Deps{Store: memstore.New(nil)}))
	seen := map[string]string{}
	param := regexp.MustCompile(`\{([^}]+)\}`)
	for path, ops := range doc.Paths {
		for method, op := range ops {
			where := strings.ToUpper(method) + " " + path
			if op.OperationID == "" {
				t.Errorf("%s has no operationId", where)
			} else if prev, dup := seen[op.OperationID]; dup {
				t.Errorf("operationId %s is used by %s and %s", op.OperationID, prev, where)
			}
			seen[op.OperationID] = where
			for _, m := range param.FindAllStringSubmatch(path, -1) {
				found := false
				for _, p := range op.Parameters {
					found = found || (p.In == "path" && p.Name == m[1])
				}
				if !found {
					t.Errorf("%s does not describe its path parameter %s", where, m[1])
				}
			}
			if _, ok := op.Responses["default"]; !ok {
				t.Errorf("%s does not describe its problem responses", where)
			}
		}
	}
	// Every $ref points at a component that exists.
	refs := regexp.MustCompile(`"\$ref":"#/components/schemas/([^"]+)"`).FindAllSubmatch(raw, -1)
	var missing []string
	for _, m := range refs {
		if _, ok := doc.Components.Schemas[string(m[1])]; !ok {
			missing = append(missing, string(m[1]))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("dangling schema references: %v", missing)
	}
	for _, want := range []string{"Problem", "RetroView", "AddCardRequest"} {
		if _, ok := doc.Components.Schemas[want]; !ok {
			t.Errorf("component %s missing", want)
		}
	}
}

// The response check every harness request goes through is not vacuous: a
// body that strays from the documented schema is caught.
func TestTheSchemaCheckCatchesADriftedBody(t *testing.T) {
	c, err := newSchemaCheck(api.New(api.Deps{Store: memstore.New(nil)}))
	if err != nil {
		t.Fatal(err)
	}
	good := `{"userId":"u","kind":"user","scopes":["read"],"tokenId":"t","name":"Ada","email":"a@example.com","guest":false,"emailVerified":false,"language":"en"}`
	if err := c.validate("GET", "/v1/me", 200, "application/json", []byte(good)); err != nil {
		t.Errorf("a conforming body was rejected: %v", err)
	}
	for _, bad := range []string{
		`{"userId":5,"kind":"user","scopes":[],"tokenId":"t","name":"Ada","email":"a","guest":false,"emailVerified":false,"language":"en"}`,
		`{"kind":"user","scopes":[],"tokenId":"t","name":"Ada","email":"a","guest":false,"emailVerified":false,"language":"en"}`,
	} {
		if err := c.validate("GET", "/v1/me", 200, "application/json", []byte(bad)); err == nil {
			t.Errorf("a drifted body passed: %s", bad)
		}
	}
	if err := c.validate("GET", "/v1/retros/r1", 200, "application/json", []byte(`{"retroId":"r1"}`)); err == nil {
		t.Error("a retro view without its required fields passed")
	}
	if err := c.validate("POST", "/v1/workspaces", 418, "application/json", []byte(`{}`)); err == nil {
		t.Error("an undocumented status passed")
	}
	if err := c.validate("GET", "/nope", 404, "application/problem+json", []byte(`{"type":1}`)); err == nil {
		t.Error("a malformed problem passed")
	}
}
