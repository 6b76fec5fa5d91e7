package app

// A person's mail preferences (domain/mailpref, one stream per person):
// which kinds of mail they get. The mail reactor reads them before every
// mail of a kind a person may turn off; a mail's one-click unsubscribe
// link (RFC 8058) carries a token with the server's MAC of the person and
// the kind, so it works without a login and for nobody else.

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"net/url"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/mail"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/mailpref"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// subjectMailUnsubscribe names the server key unsubscribe tokens are
// signed with.
const subjectMailUnsubscribe = "server:mail-unsubscribe"

// UnsubscribePath is where an unsubscribe token is opened (GET: the
// confirm page; POST: unsubscribe), on the server's public URL.
const UnsubscribePath = "/v1/mail/unsubscribe/"

// MailPreferences is which kinds of mail a person gets.
type MailPreferences struct {
	// Kinds: every kind, true when the person gets it. The digest is
	// off until they opt in; the others are on until they turn them off.
	Kinds map[mailpref.Kind]bool `json:"kinds"`
}

// mailPrefs runs the preferences without a cache: every read folds the
// person's stream from the log, so an unsubscribe on any node holds on
// every node at once.
func (a *App) mailPrefs() *aggregate.Runner[mailpref.State, mailpref.Command, mailpref.Event] {
	return &aggregate.Runner[mailpref.State, mailpref.Command, mailpref.Event]{
		Store: a.d.Store, Category: mailpref.Category, Initial: mailpref.Initial, Decide: mailpref.Decide, Evolve: mailpref.Evolve,
		Codec: aggregate.CodecFuncs(mailpref.EncodeEvent, mailpref.DecodeEvent),
	}
}

func (a *App) loadMailPrefs(ctx context.Context, userID string) (mailpref.State, error) {
	s, _, err := a.mailPrefs().Load(ctx, userID)
	if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
		return mailpref.State{}, fmt.Errorf("mail preferences of %s: %w", userID, err)
	}
	return s, nil
}

// MyMailPreferences are the caller's mail preferences (not for guests,
// who get only the summary of their retro and unsubscribe by its link).
func (a *App) MyMailPreferences(ctx context.Context, p identity.Principal) (MailPreferences, error) {
	if err := canRead(p); err != nil {
		return MailPreferences{}, err
	}
	s, err := a.loadMailPrefs(ctx, p.UserID)
	if err != nil {
		return MailPreferences{}, err
	}
	return MailPreferences{Kinds: s.All()}, nil
}

// SetMyMailPreferences turns kinds of mail on or off for the caller; kinds
// not named keep what they were. It answers the preferences after.
func (a *App) SetMyMailPreferences(ctx context.Context, c identity.Caller, in MailPreferences) (MailPreferences, error) {
	if err := commandGate(c); err != nil {
		return MailPreferences{}, err
	}
	_, err := a.mailPrefs().Handle(ctx, c.Principal.UserID, aggregate.Meta{CommandID: c.CommandID, Actor: c.Principal.UserID},
		mailpref.SetPreferences{Actor: domain.Actor{UserID: c.Principal.UserID}, Kinds: in.Kinds, At: a.now()})
	if err != nil {
		return MailPreferences{}, fmt.Errorf("mail preferences of %s: %w", c.Principal.UserID, err)
	}
	return a.MyMailPreferences(ctx, c.Principal)
}

// unsubscribeMAC is the server's MAC of a person and a kind.
func (a *App) unsubscribeMAC(ctx context.Context, userID string, kind mail.Kind) (string, error) {
	return a.serverSecret(ctx, subjectMailUnsubscribe, "hindsight/mail-unsubscribe/v1", userID+"\x00"+string(kind))
}

// unsubscribeURL is the one-click link of mails of kind to userID; empty
// for kinds nobody turns off and without a public URL.
func (a *App) unsubscribeURL(ctx context.Context, userID string, kind mail.Kind) (string, error) {
	if a.mail.cfg.BaseURL == "" || !mail.Unsubscribable(kind) {
		return "", nil
	}
	mac, err := a.unsubscribeMAC(ctx, userID, kind)
	if err != nil {
		return "", err
	}
	return a.mail.cfg.BaseURL + UnsubscribePath + url.PathEscape(mail.UnsubscribeToken(userID, kind, mac)), nil
}

// openUnsubscribeToken checks a token: the person and kind it names when
// its MAC is the server's; a forged or garbled token is not found.
func (a *App) openUnsubscribeToken(ctx context.Context, token string) (string, mail.Kind, error) {
	userID, kind, mac, err := mail.ParseUnsubscribeToken(token)
	if err != nil {
		return "", "", notFound("no such unsubscribe link")
	}
	want, err := a.unsubscribeMAC(ctx, userID, kind)
	if err != nil {
		return "", "", err
	}
	if !hmac.Equal([]byte(mac), []byte(want)) {
		return "", "", notFound("no such unsubscribe link")
	}
	return userID, kind, nil
}

// UnsubscribeLink is what an unsubscribe link stops, for its confirm page.
type UnsubscribeLink struct {
	Kind mailpref.Kind `json:"kind"`
	// Subscribed is whether the person still gets that kind.
	Subscribed bool `json:"subscribed"`
}

// OpenUnsubscribeLink checks a token and tells what it would stop; it
// changes nothing (a mail scanner following links unsubscribes nobody).
func (a *App) OpenUnsubscribeLink(ctx context.Context, token string) (UnsubscribeLink, error) {
	userID, kind, err := a.openUnsubscribeToken(ctx, token)
	if err != nil {
		return UnsubscribeLink{}, err
	}
	s, err := a.loadMailPrefs(ctx, userID)
	if err != nil {
		return UnsubscribeLink{}, err
	}
	return UnsubscribeLink{Kind: mailpref.Kind(kind), Subscribed: s.Gets(mailpref.Kind(kind))}, nil
}

// Unsubscribe stops the token's kind of mail for its person: the one-click
// POST of a mail program or the confirm page's button. Unsubscribing again
// changes nothing.
func (a *App) Unsubscribe(ctx context.Context, token string, via mailpref.Via) (UnsubscribeLink, error) {
	userID, kind, err := a.openUnsubscribeToken(ctx, token)
	if err != nil {
		return UnsubscribeLink{}, err
	}
	_, err = a.mailPrefs().Handle(ctx, userID, aggregate.Meta{CommandID: a.d.NewID(), Actor: userID},
		mailpref.Unsubscribe{UserID: userID, Kind: mailpref.Kind(kind), Via: via, At: a.now()})
	if err != nil {
		return UnsubscribeLink{}, fmt.Errorf("unsubscribe %s from %s: %w", userID, kind, err)
	}
	return UnsubscribeLink{Kind: mailpref.Kind(kind), Subscribed: false}, nil
}

// wantsMail reports whether userID gets mail of kind: security mails
// always, the others by the person's preferences.
func (a *App) wantsMail(ctx context.Context, userID string, kind mail.Kind) (bool, error) {
	if !mail.Unsubscribable(kind) {
		return true, nil
	}
	s, err := a.loadMailPrefs(ctx, userID)
	if err != nil {
		return false, err
	}
	return s.Gets(mailpref.Kind(kind)), nil
}
