package app

// The account mails: verifying an address, resetting a password, and a
// guest's join link. The request path records what was asked for
// (identity); the mail reactor, following the log, has identity record the
// link and mails it here. identity.CallsForLink is the list of causes.

import (
	"context"
	"fmt"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/mail"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// linkMail is the mail kind and the browser app's page of each link
// purpose; the token goes in the fragment, which browsers send to no
// server (not in access logs, not in a Referer).
var linkMail = map[identity.LinkPurpose]struct {
	kind mail.Kind
	page string
}{
	identity.PurposeVerify: {mail.KindVerify, "/verify-email"},
	identity.PurposeReset:  {mail.KindReset, "/reset-password"},
	identity.PurposeGuest:  {mail.KindGuestLink, "/guest-link"},
}

// LinkURL is where a link token of the purpose is followed in the browser
// app, under the server's public URL.
func LinkURL(baseURL string, purpose identity.LinkPurpose, token string) string {
	return baseURL + linkMail[purpose].page + "#token=" + token
}

// mailLink mails the magic link the event e asks for, if any.
func (a *App) mailLink(ctx context.Context, e eventstore.RecordedEvent) error {
	if a.d.Identity == nil {
		return nil
	}
	l, ok, err := a.d.Identity.IssueLink(ctx, e)
	if err != nil {
		return fmt.Errorf("mail: link for %s: %w", e.EventID, err)
	}
	if !ok {
		return nil
	}
	lm, known := linkMail[l.Purpose]
	if !known {
		return fmt.Errorf("mail: a link of purpose %q has no mail", l.Purpose)
	}
	name := ""
	if p, err := a.d.Identity.Profile(ctx, l.UserID); err == nil {
		name = p.Name
	}
	link := LinkURL(a.mail.cfg.BaseURL, l.Purpose, l.Token)
	return a.sendTo(ctx, e, l.UserID, lm.kind, func(lang mail.Lang, _ string) (string, string, string, error) {
		return a.mail.tmpl.Link(lang, lm.kind, name, link, l.ExpiresAt)
	})
}
