package problem_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain"
)

// Every refusal the server names is answered with the problem clients
// branch on: its status, type and code, and a detail that says what to do
// without the context the server wrapped it in for its logs.
func TestEveryNamedRefusalIsAnsweredWithItsOwnProblem(t *testing.T) {
	for _, c := range []struct {
		name   string
		err    error
		status int
		code   string
		detail string
	}{
		{"unauthenticated", domain.ErrUnauthenticated, 401, "", "the bearer token is missing, invalid, expired or revoked"},
		{"forbidden", domain.ErrForbidden, 403, "", "you may not do this here"},
		{"not found", domain.ErrNotFound, 404, "", "no such resource, or not one you may see"},
		{"bad credentials", identity.ErrBadCredentials, 401, "bad-credentials", "wrong e-mail address or password"},
		{"e-mail taken", identity.ErrEmailTaken, 409, "email-taken", "an account with this e-mail address exists"},
		{"account exists", identity.ErrAccountExists, 409, "account-exists", "this e-mail address has an account; log in, then join"},
		{"token already issued", identity.ErrAlreadyIssued, 409, "token-already-issued", "this Idempotency-Key already issued a token, whose secret was shown once"},
		{"invite invalid", identity.ErrInviteInvalid, 404, "invite-invalid", "the invite code is unknown or expired"},
		{"erased", identity.ErrErased, 404, "erased", "this person's data was erased"},
		{"incomplete", app.ErrIncomplete, 503, "incomplete", "the command was stored but a follow-up failed; retry with the same Idempotency-Key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, _ := problem.From(fmt.Errorf("load retro 0192-r1: %w", c.err))
			if p.Status != c.status || p.Code != c.code || p.Detail != c.detail {
				t.Errorf("got %d code %q detail %q; want %d code %q detail %q", p.Status, p.Code, p.Detail, c.status, c.code, c.detail)
			}
			if strings.Contains(p.Detail, "0192") {
				t.Errorf("the detail %q shows the context the server wrapped the error in", p.Detail)
			}
		})
	}
}
