package api

import (
	"net/http"
	"reflect"
	"time"

	"github.com/go-chi/httprate"

	"github.com/hindsight-retro/hindsight/api/problem"
	"github.com/hindsight-retro/hindsight/app/identity"
)

// Requests that make the server mail someone are limited per client
// address and per address mailed, so nobody floods a mailbox through us.
// Both limits count known and unknown addresses alike, so a 429 tells
// nothing about who has an account.
const (
	mailRequestsPerClientPerHour  = 30
	mailRequestsPerAddressPerHour = 5
)

type mailLimiter struct {
	client, address *httprate.RateLimiter
}

func newMailLimiter() mailLimiter {
	return mailLimiter{client: httprate.NewRateLimiter(mailRequestsPerClientPerHour, time.Hour),
		address: httprate.NewRateLimiter(mailRequestsPerAddressPerHour, time.Hour)}
}

// allow counts one request to mail addr from the caller's client address;
// a problem when either limit is reached (Retry-After is set).
func (l mailLimiter) allow(c call, addr string) *problem.Problem {
	if l.client.OnLimit(c.w, c.r, clientIP(c.r)) || l.address.OnLimit(c.w, c.r, "mail:"+emailScope(addr)) {
		return problem.New(problem.RateLimited, "too many mails asked for; wait for Retry-After seconds").WithCode("mail-limit")
	}
	return nil
}

// PasswordResetRequest asks for a password reset link by mail.
type PasswordResetRequest struct {
	Email string `json:"email"`
}

// MailAccepted answers a request that a mail go out; it says the same
// whether or not the address has an account.
type MailAccepted struct {
	Status string `json:"status"`
	Detail string `json:"detail"`
	// ExpiresAt is when the mailed link stops working (guest joins only).
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// LinkRequest follows a mailed link: the token from its fragment.
type LinkRequest struct {
	Token string `json:"token"`
}

// PasswordResetCompletion sets a new password with a reset link's token.
type PasswordResetCompletion struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// LinkFollowed answers a followed verification or reset link.
type LinkFollowed struct {
	// Status is "verified" or "password-set".
	Status string `json:"status"`
}

var resetAccepted = MailAccepted{Status: "accepted",
	Detail: "if an account has this address, a link to choose a new password is on its way there; it works once, for 45 minutes"}

func mailAccountRoutes() []route {
	return tagged("accounts",
		exchange("/v1/password-resets", "requestPasswordReset",
			"Ask for a password reset link by mail; answers 202 alike whether or not the address has an account; limited per client and address", false,
			func(s *server, c call, in PasswordResetRequest) (MailAccepted, error) {
				if p := s.mailLinks.allow(c, in.Email); p != nil {
					return MailAccepted{}, p
				}
				return resetAccepted, s.deps.Identity.RequestPasswordReset(c.r.Context(), in.Email)
			}).public().accepted(),
		exchange("/v1/password-resets/complete", "completePasswordReset",
			"Set a new password with the token of a mailed reset link (single use): ends every session of the account and voids its other reset links", false,
			func(s *server, c call, in PasswordResetCompletion) (LinkFollowed, error) {
				return LinkFollowed{Status: "password-set"}, s.deps.Identity.ResetPassword(c.r.Context(), in.Token, in.Password)
			}).public(),
		exchange("/v1/email-verifications", "verifyEmail",
			"Verify your e-mail address with the token of the mailed link (single use, 24 hours)", false,
			func(s *server, c call, in LinkRequest) (LinkFollowed, error) {
				return LinkFollowed{Status: "verified"}, s.deps.Identity.VerifyEmail(c.r.Context(), in.Token)
			}).public(),
		route{
			method: http.MethodPost, pattern: "/v1/me/email-verifications", op: "requestEmailVerification", auth: true, idem: true,
			status: http.StatusAccepted, resp: reflect.TypeFor[MailAccepted](),
			summary: "Ask for another verification mail for your account's address (none once it is verified); no body; limited per client and address",
			handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
				c, ok := s.begin(rt, w, r)
				if !ok {
					return
				}
				if !s.deps.App.MailOn() {
					problem.Write(w, r, problem.New(problem.Conflict, "this server sends no mail").WithCode("mail-off"))
					return
				}
				if p := s.mailLinks.allow(c, "user:"+c.p.UserID); p != nil {
					problem.Write(w, r, p)
					return
				}
				s.answer(w, r, rt, MailAccepted{Status: "accepted", Detail: "a verification link is on its way to your address"},
					s.deps.Identity.RequestVerification(r.Context(), c.caller()))
			},
		},
		withParams(exchange("/v1/invites/{code}/join-by-mail", "joinInviteByMail",
			"On a server with mail, join a retro as a guest: a link that gives the guest session is mailed to the address (single use, 30 minutes)", true,
			func(s *server, c call, in JoinInviteRequest) (MailAccepted, error) {
				if p := s.mailLinks.allow(c, in.Email); p != nil {
					return MailAccepted{}, p
				}
				caller := identity.Caller{CommandID: commandID("guest-mail:"+c.param("code")+"\x00"+emailScope(in.Email), c.key)}
				pending, err := s.deps.Identity.RequestGuestJoin(c.r.Context(), caller, c.param("code"), identity.GuestInput{Email: in.Email, Name: in.Name})
				if err != nil {
					return MailAccepted{}, err
				}
				at := pending.ExpiresAt.UTC()
				return MailAccepted{Status: "mailed", Detail: "check your mailbox: follow the link we sent to join", ExpiresAt: &at}, nil
			}).public().accepted()),
		withParams(exchange("/v1/guest-links", "followGuestLink",
			"Follow a guest's mailed join link (single use): the guest session for the invite's retro (or cookies, as for log-in)", false,
			func(s *server, c call, in LinkRequest) (TokenResponse, error) {
				t, _, err := s.deps.Identity.ConfirmGuestJoin(c.r.Context(), in.Token)
				if err != nil {
					return TokenResponse{}, err
				}
				return issue(c, t)
			}).public().created(), sessionModeParam),
	)
}
