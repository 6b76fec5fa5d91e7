package identity

import "testing"

func TestPrincipalCan(t *testing.T) {
	for _, tc := range []struct {
		p           Principal
		read, write bool
	}{
		{Principal{UserID: "u", Scopes: []Scope{ScopeRead, ScopeWrite}}, true, true},
		{Principal{UserID: "u", Scopes: []Scope{ScopeWrite}}, true, true},
		{Principal{UserID: "u", Scopes: []Scope{ScopeRead}}, true, false},
		{Principal{UserID: "u"}, false, false},
		{Principal{Scopes: []Scope{ScopeRead, ScopeWrite}}, false, false}, // nobody
		{Principal{UserID: "u", Scopes: []Scope{"admin"}}, false, false},
	} {
		if got := tc.p.Can(ScopeRead); got != tc.read {
			t.Errorf("%+v Can(read) = %v", tc.p, got)
		}
		if got := tc.p.Can(ScopeWrite); got != tc.write {
			t.Errorf("%+v Can(write) = %v", tc.p, got)
		}
	}
}
