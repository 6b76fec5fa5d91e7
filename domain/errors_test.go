package domain

import (
	"errors"
	"fmt"
	"testing"
)

func TestEveryKindHasANameOfItsOwn(t *testing.T) {
	seen := map[string]Kind{}
	for _, k := range Kinds() {
		name := k.String()
		if name == "unknown" {
			t.Errorf("kind %d has no name", k)
		}
		if prev, dup := seen[name]; dup {
			t.Errorf("kinds %d and %d are both called %s", prev, k, name)
		}
		seen[name] = k
	}
	if Kind(0).String() != "unknown" || Kind(99).String() != "unknown" {
		t.Error("a kind outside the list has a name")
	}
}

func TestARefusalIsFoundThroughTheContextWrappedAroundIt(t *testing.T) {
	err := fmt.Errorf("load team t1: %w", fmt.Errorf("check access: %w", ErrForbidden))
	if !errors.Is(err, ErrForbidden) || errors.Is(err, ErrNotFound) || KindOf(err) != Forbidden || CodeOf(err) != "" {
		t.Errorf("%v: kind %s, code %q", err, KindOf(err), CodeOf(err))
	}
	coded := fmt.Errorf("add card: %w", Errorf(Conflict, "column-revealed", "column %s is revealed", "keep"))
	if KindOf(coded) != Conflict || CodeOf(coded) != "column-revealed" || coded.Error() != "add card: column-revealed (conflict): column keep is revealed" {
		t.Errorf("%v: kind %s, code %q", coded, KindOf(coded), CodeOf(coded))
	}
	if ErrNotFound.Error() != "not-found: no such resource, or not one you may see" {
		t.Errorf("a refusal without a code reads %q", ErrNotFound.Error())
	}
	if KindOf(errors.New("disk on fire")) != 0 || CodeOf(nil) != "" {
		t.Error("an error that is no refusal has a kind or a code")
	}
}
