package problem

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestEachKindHasItsOwnStatusAndType(t *testing.T) {
	statuses := map[int]Kind{}
	for _, k := range Kinds() {
		if prev, dup := statuses[k.Status()]; dup {
			t.Errorf("%s and %s share status %d: a client could not tell them apart by status", prev, k, k.Status())
		}
		statuses[k.Status()] = k
		if k.Type() != TypeBase+string(k) {
			t.Errorf("%s: type %s", k, k.Type())
		}
	}
	if Kind("nonsense").Status() != http.StatusInternalServerError {
		t.Error("an unknown kind is not an internal error")
	}
}

func TestWriteSendsProblemJSONWithInstanceAndRetryAfter(t *testing.T) {
	p := New(RateLimited, "slow down").WithCode("too-fast").WithField("limit", "too high")
	p.RetryAfter = 30
	rec := httptest.NewRecorder()
	Write(rec, httptest.NewRequest(http.MethodGet, "/v1/me?token=secret", nil), p)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Content-Type") != ContentType || rec.Header().Get("Retry-After") != "30" {
		t.Fatalf("got %d %v", rec.Code, rec.Header())
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body["type"] != TypeBase+"rate-limited" || body["status"] != float64(429) || body["instance"] != "/v1/me" ||
		body["code"] != "too-fast" || body["detail"] != "slow down" || len(body["errors"].([]any)) != 1 {
		t.Errorf("body = %v", body)
	}
	if p.Instance != "" {
		t.Error("Write changed the caller's problem")
	}
}
