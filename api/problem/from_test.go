package problem

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore"
)

func TestEveryKindOfRefusalHasAStatusOfItsOwn(t *testing.T) {
	seen := map[int]domain.Kind{}
	for _, k := range domain.Kinds() {
		err := fmt.Errorf("context for the log only: %w", domain.Errorf(k, "some-code", "told to the client"))
		p, _ := From(err)
		if p.Status == http.StatusInternalServerError {
			t.Errorf("%s is answered as an internal error: it has no place in the map", k)
		}
		if prev, dup := seen[p.Status]; dup {
			t.Errorf("%s and %s both answer %d: a client could not tell them apart", prev, k, p.Status)
		}
		seen[p.Status] = k
		if p.Code != "some-code" || p.Detail != "told to the client" {
			t.Errorf("%s: code %q, detail %q; want the refusal's own", k, p.Code, p.Detail)
		}
	}
}

func TestAStatusOfFiveHundredOrMoreIsLoggedAndTheRestAreNot(t *testing.T) {
	for _, k := range domain.Kinds() {
		p, expected := From(domain.Errorf(k, "", "x"))
		if expected != (p.Status < 500) {
			t.Errorf("%s: status %d, expected %v", k, p.Status, expected)
		}
	}
}

func TestAnErrorTheServerDoesNotKnowKeepsItsTextOnTheServer(t *testing.T) {
	for _, err := range []error{
		errors.New("disk /dev/sda1 on fire"),
		&domain.Error{Kind: domain.Kind(99), Message: "disk /dev/sda1 on fire"},
	} {
		p, expected := From(err)
		if expected || p.Status != http.StatusInternalServerError || strings.Contains(p.Detail, "sda1") {
			t.Errorf("%v: %+v, expected %v; want a 500 that is logged and says nothing", err, p, expected)
		}
	}
}

func TestTheLogsAndTheContextsErrorsAnswerTheirOwnProblems(t *testing.T) {
	for _, c := range []struct {
		err      error
		kind     Kind
		code     string
		expected bool
	}{
		{eventstore.ErrStreamNotFound, NotFound, "", true},
		{eventstore.ErrConflict, Conflict, "concurrent-change", true},
		{eventstore.ErrInvalidArgument, Validation, "", false},
		{eventstore.ErrStorageFull, StorageFull, "", false},
		{eventstore.ErrClosed, Unavailable, "", false},
		{context.Canceled, Unavailable, "", false},
		{context.DeadlineExceeded, Unavailable, "", false},
		{&http.MaxBytesError{Limit: 10}, TooLarge, "", true},
	} {
		p, expected := From(fmt.Errorf("load retro r1: %w", c.err))
		if p.Type != c.kind.Type() || p.Code != c.code || expected != c.expected || p.Detail == "" {
			t.Errorf("%v: %+v, expected %v; want %s, code %q, expected %v", c.err, p, expected, c.kind, c.code, c.expected)
		}
	}
}

func TestAProblemInTheChainIsAnsweredAsItIs(t *testing.T) {
	want := New(Validation, "a field has the wrong type").WithField("text", "want string")
	got, expected := From(fmt.Errorf("decode: %w", want))
	if got != want || !expected {
		t.Errorf("got %+v, %v", got, expected)
	}
}

// A kind of problem no error reaches is one clients are promised and never
// get; only the transport's own refusals (routing, media type, throttling)
// are written without an error to map.
func TestEveryKindOfProblemIsReachedFromAnError(t *testing.T) {
	byTransport := map[Kind]bool{MethodNotAllowed: true, Unsupported: true, RateLimited: true}
	errs := []error{errors.New("unknown"), &http.MaxBytesError{Limit: 1}, eventstore.ErrStreamNotFound, eventstore.ErrConflict,
		eventstore.ErrInvalidArgument, eventstore.ErrStorageFull, eventstore.ErrClosed, context.Canceled}
	for _, k := range domain.Kinds() {
		errs = append(errs, domain.Errorf(k, "", "x"))
	}
	reached := map[string]bool{}
	for _, err := range errs {
		p, _ := From(err)
		reached[p.Type] = true
	}
	for _, k := range Kinds() {
		if !reached[k.Type()] && !byTransport[k] {
			t.Errorf("no error is answered as %s", k)
		}
	}
}
