// Package decidertest is how every decider under domain is tested: given
// the events so far, when a command, then the events it decides or the
// refusal it gives (kind and code). It also holds the check that an
// aggregate's lists of its own types (Events, Commands) are whole. Like the
// rest of domain it uses the standard library only.
package decidertest

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
)

// Decider is a decider under these helpers, so that an aggregate's tests
// bind it once and read decider.Then(t, given, when, want...).
type Decider[S, C, E any] struct{ d domain.Decider[S, C, E] }

// For binds the helpers to d.
func For[S, C, E any](d domain.Decider[S, C, E]) Decider[S, C, E] { return Decider[S, C, E]{d} }

// Then is the package function Then on this decider.
func (d Decider[S, C, E]) Then(t testing.TB, given []E, when C, want ...E) S {
	t.Helper()
	return Then(t, d.d, given, when, want...)
}

// Refused is the package function Refused on this decider.
func (d Decider[S, C, E]) Refused(t testing.TB, given []E, when C, kind domain.Kind, code string) {
	t.Helper()
	Refused(t, d.d, given, when, kind, code)
}

// RefusedAll is the package function RefusedAll on this decider.
func (d Decider[S, C, E]) RefusedAll(t *testing.T, cases map[string]Refusal[C, E]) {
	t.Helper()
	RefusedAll(t, d.d, cases)
}

// Run is the package function Run on this decider.
func (d Decider[S, C, E]) Run(t *testing.T, cases []Case[C, E]) {
	t.Helper()
	Run(t, d.d, cases)
}

// Then decides when on the state folded from given and fails the test
// unless it is accepted with exactly want (none means no events). It
// returns the state after the new events.
func Then[S, C, E any](t testing.TB, d domain.Decider[S, C, E], given []E, when C, want ...E) S {
	t.Helper()
	got, s, err := d.Run(given, when)
	if err != nil {
		t.Fatalf("refused: %v", err)
		return s
	}
	if (len(got) != 0 || len(want) != 0) && !reflect.DeepEqual(got, want) {
		t.Fatalf("events:\n got  %#v\n want %#v", got, want)
	}
	return s
}

// Refused decides when on the state folded from given and fails the test
// unless it is refused with a *domain.Error of that kind and code.
func Refused[S, C, E any](t testing.TB, d domain.Decider[S, C, E], given []E, when C, kind domain.Kind, code string) {
	t.Helper()
	got, _, err := d.Run(given, when)
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("want refusal %s/%s, got events %#v, err %v", kind, code, got, err)
		return
	}
	if de.Kind != kind || de.Code != code {
		t.Fatalf("want refusal %s/%s, got %s/%s (%s)", kind, code, de.Kind, de.Code, de.Message)
	}
}

// Refusal is one refused command: given, when, and the kind and code.
type Refusal[C, E any] struct {
	Given []E
	When  C
	Kind  domain.Kind
	Code  string
}

// RefusedAll runs each refusal as a subtest named by its key.
func RefusedAll[S, C, E any](t *testing.T, d domain.Decider[S, C, E], cases map[string]Refusal[C, E]) {
	t.Helper()
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { Refused(t, d, c.Given, c.When, c.Kind, c.Code) })
	}
}

// Case is one given/when/then: Then holds the events expected, or Kind and
// Code the refusal expected (Code set means a refusal).
type Case[C, E any] struct {
	Name  string
	Given []E
	When  C
	Then  []E
	Kind  domain.Kind
	Code  string
}

// Run runs each case as a subtest.
func Run[S, C, E any](t *testing.T, d domain.Decider[S, C, E], cases []Case[C, E]) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.Code != "" {
				Refused(t, d, c.Given, c.When, c.Kind, c.Code)
				return
			}
			Then(t, d, c.Given, c.When, c.Then...)
		})
	}
}

// Covers fails the test unless an aggregate's lists (events, commands)
// name every type its package declares, its codec (encode, decode) knows
// every listed event, and Decide every listed command: decided or refused
// on the initial state, never refused with unknownCode. A new type breaks
// it until it is on the list, and then until each of these switches has it.
func Covers[S, C any, E domain.Typed](t testing.TB, d domain.Decider[S, C, E], events []E, commands []C,
	encode func(E) (string, int, []byte, error), decode func(string, int, []byte) (E, error), unknownCode string) {
	t.Helper()
	ListsEveryType(t, "EventType", events)
	ListsEveryType(t, "isCommand", commands)
	for _, e := range events {
		typ, version, payload, err := encode(e)
		if err != nil {
			t.Errorf("the codec cannot encode %T: %v", e, err)
			continue
		}
		back, err := decode(typ, version, payload)
		if err != nil || reflect.TypeOf(back) != reflect.TypeOf(e) {
			t.Errorf("the codec reads %T's type %q back as %T, %v", e, typ, back, err)
		}
	}
	for _, c := range commands {
		if _, err := d.Decide(d.Initial(), c); domain.CodeOf(err) == unknownCode {
			t.Errorf("Decide does not know %T: %v", c, err)
		}
	}
}

// ListsEveryType fails the test unless listed (an aggregate's Events or
// Commands) holds one value of every type that the package in the current
// directory declares method on, and nothing else. Reading the source is
// what catches a new type left off the list, and with it off every switch
// tested against the list.
func ListsEveryType[T any](t testing.TB, method string, listed []T) {
	t.Helper()
	declared := TypesWithMethod(t, ".", method)
	var names []string
	for _, v := range listed {
		names = append(names, reflect.TypeOf(v).Name())
	}
	slices.Sort(names)
	if len(declared) == 0 {
		t.Fatalf("the source declares no type with method %s", method)
	}
	for _, n := range declared {
		if !slices.Contains(names, n) {
			t.Errorf("%s declares %s but the list leaves it out", n, method)
		}
	}
	for i, n := range names {
		if !slices.Contains(declared, n) {
			t.Errorf("the list holds %s, which does not declare %s", n, method)
		}
		if i > 0 && names[i-1] == n {
			t.Errorf("the list holds %s twice", n)
		}
	}
}

// TypesWithMethod reads the non-test Go files in dir and names, sorted,
// the types that declare a method of that name.
func TypesWithMethod(t testing.TB, dir, method string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, dir+string(os.PathSeparator)+e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Name.Name != method || fn.Recv == nil {
				continue
			}
			recv := fn.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			if id, ok := recv.(*ast.Ident); ok {
				out = append(out, id.Name)
			}
		}
	}
	slices.Sort(out)
	return out
}
