package decidertest_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/decidertest"
)

// A counter that refuses to go below zero stands in for an aggregate.
type (
	add      struct{ n int }
	added    struct{ n int }
	counter  = domain.Decider[int, add, added]
	recorder struct {
		testing.TB
		failures []string
	}
)

func decider() counter {
	return counter{
		Initial: func() int { return 0 },
		Decide: func(s int, c add) ([]added, error) {
			if s+c.n < 0 {
				return nil, domain.Errorf(domain.Conflict, "below-zero", "the count would go below zero")
			}
			if c.n == 0 {
				return nil, nil
			}
			return []added{{c.n}}, nil
		},
		Evolve: func(s int, e added) int { return s + e.n },
	}
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func TestThenPassesOnTheDecidedEventsAndFailsOnOthers(t *testing.T) {
	if s := decidertest.Then(t, decider(), []added{{2}}, add{3}, added{3}); s != 5 {
		t.Errorf("state after = %d, want 5", s)
	}
	decidertest.Then(t, decider(), nil, add{0}) // no events expected, none decided
	for name, want := range map[string][]added{"other events": {{4}}, "no events": nil} {
		r := &recorder{TB: t}
		decidertest.Then(r, decider(), nil, add{3}, want...)
		if len(r.failures) != 1 {
			t.Errorf("%s: failures %q, want one", name, r.failures)
		}
	}
	r := &recorder{TB: t}
	decidertest.Then(r, decider(), nil, add{-1})
	if len(r.failures) != 1 || !strings.Contains(r.failures[0], "below-zero") {
		t.Errorf("a refusal where events were expected: failures %q", r.failures)
	}
}

func TestRefusedPassesOnTheKindAndCodeAndFailsOtherwise(t *testing.T) {
	decidertest.Refused(t, decider(), []added{{1}}, add{-2}, domain.Conflict, "below-zero")
	for name, c := range map[string]struct {
		when add
		kind domain.Kind
		code string
	}{
		"accepted":   {add{1}, domain.Conflict, "below-zero"},
		"other kind": {add{-1}, domain.Invalid, "below-zero"},
		"other code": {add{-1}, domain.Conflict, "too-low"},
	} {
		r := &recorder{TB: t}
		decidertest.Refused(r, decider(), nil, c.when, c.kind, c.code)
		if len(r.failures) != 1 {
			t.Errorf("%s: failures %q, want one", name, r.failures)
		}
	}
}

func TestTypesWithMethodReadsTheSource(t *testing.T) {
	got := decidertest.TypesWithMethod(t, "testdata/sample", "EventType")
	if want := []string{"Closed", "Opened"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("types with EventType = %q, want %q", got, want)
	}
}
