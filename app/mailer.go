package app

// The mail reactor: mails follow the log, never the request path. A
// runner.Reactor (MailReactorName, its checkpoint in the log) reads the
// events that call for mail and sends one mail per recipient, each with a
// Message-ID derived from its cause (event ID, recipient, kind): a crash
// between sending and the checkpoint sends again only the mails of the one
// unsaved cause, under the same IDs, so the receiver can drop the copy. A
// temporary failure is retried with the reactor's backoff and holds later
// mail (nothing is skipped); a permanent refusal (SMTP 5xx) is recorded
// for the workspace's admins (mail_failures.go) and passed, so one bad
// address never blocks other mail.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/mail"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections/runner"
)

// MailReactorName names the mail reactor's checkpoint stream.
const MailReactorName = "mail"

// MailConfig says how mail leaves the server; a nil Transport turns mail off.
type MailConfig struct {
	Transport mail.Transport
	// From is the sender's address; its domain names the Message-IDs.
	From string
	// BaseURL is the server's public URL (https://retro.example.com), for
	// the links in mails; empty leaves them out.
	BaseURL string
}

type mailer struct {
	cfg      MailConfig
	tmpl     *mail.Templates
	reactor  *runner.Reactor
	buildErr error
	// timers is what the mail timers read from the log (mail_reminders.go).
	timers mailTimers
}

func (a *App) newMailer() *mailer {
	m := &mailer{cfg: a.d.Mail}
	if m.cfg.Transport == nil {
		return m
	}
	if m.tmpl, m.buildErr = mail.ParseTemplates(); m.buildErr != nil {
		return m
	}
	m.reactor, m.buildErr = runner.NewReactor(runner.ReactorConfig{
		Name: MailReactorName, Store: a.d.Store, Logger: a.d.Logger, Crashpoint: a.d.Crashpoint,
		Reacts: func(e eventstore.RecordedEvent) bool {
			return e.Stream.Category == retro.Category && e.Type == retro.TypeRetroClosed || noticeReacts(e) ||
				identity.CallsForLink(e) // mail_accounts.go
		},
		React: a.mailFor,
	})
	return m
}

// MailOn reports whether the server sends mail.
func (a *App) MailOn() bool { return a.mail.reactor != nil }

// StartMail sets the mail reactor following the log from its checkpoint;
// without a transport it does nothing.
func (a *App) StartMail(ctx context.Context) error {
	if a.mail.buildErr != nil {
		return fmt.Errorf("app: mail: %w", a.mail.buildErr)
	}
	if a.mail.reactor == nil {
		return nil
	}
	if err := a.mail.reactor.Start(ctx); err != nil {
		return fmt.Errorf("app: start the mail reactor: %w", err)
	}
	return nil
}

// CloseMail stops sending and saves the mail reactor's checkpoint.
func (a *App) CloseMail() error {
	if a.mail.reactor == nil {
		return nil
	}
	if err := a.mail.reactor.Close(); err != nil {
		return fmt.Errorf("app: close the mail reactor: %w", err)
	}
	return nil
}

func (a *App) mailFor(ctx context.Context, e eventstore.RecordedEvent) error {
	if e.Stream.Category == retro.Category && e.Type == retro.TypeRetroClosed {
		return a.mailSummaries(ctx, e)
	}
	if identity.CallsForLink(e) {
		return a.mailLink(ctx, e)
	}
	return a.mailNotices(ctx, e)
}

// mailSummaries sends the closed retro's summary to everyone who may read
// it (its team's members and its admitted guests), each their own view.
func (a *App) mailSummaries(ctx context.Context, e eventstore.RecordedEvent) error {
	retroID := e.Stream.ID
	// The close's own reactions first: an anonymous retro's key is
	// destroyed then, and a summary made before would still show each
	// reader their own concealed cards, unlike their view of the closed
	// retro ever after.
	if err := a.catchUpReactions(ctx, e.Position); err != nil {
		return fmt.Errorf("mail: the reactions to closing retro %s: %w", retroID, err)
	}
	r, _, err := a.loadRetro(ctx, retroID)
	if err != nil {
		return fmt.Errorf("mail: retro %s: %w", retroID, err)
	}
	t, _, err := a.loadTeam(ctx, r.TeamID)
	if err != nil {
		return fmt.Errorf("mail: team of retro %s: %w", retroID, err)
	}
	var readers []string
	for id := range t.Members {
		readers = append(readers, id)
	}
	for id, g := range t.Guests {
		if slices.Contains(g.RetroIDs, retroID) {
			readers = append(readers, id)
		}
	}
	slices.Sort(readers)
	link := ""
	if a.mail.cfg.BaseURL != "" {
		link = a.mail.cfg.BaseURL + "/retros/" + url.PathEscape(retroID)
	}
	for _, userID := range readers {
		doc, err := a.RetroSummaryFor(ctx, retroID, userID)
		if domain.KindOf(err) == domain.NotFound {
			continue // left the team since
		}
		if err != nil {
			return fmt.Errorf("mail: summary of retro %s for %s: %w", retroID, userID, err)
		}
		if err := a.sendTo(ctx, e, userID, mail.KindSummary, func(lang mail.Lang, unsubscribe string) (string, string, string, error) {
			return a.mail.tmpl.Summary(lang, doc, link, unsubscribe)
		}); err != nil {
			return err
		}
	}
	return nil
}

// recipient is where and in which language mail to userID goes: the one
// lookup every kind of mail uses, so a person's chosen language
// (identity.SetLanguage, English by default) holds for all of them. ok is
// false for someone with no address (erased, unknown, or a quick retro's
// starter who gave none): they get no mail.
func (a *App) recipient(ctx context.Context, userID string) (addr string, lang mail.Lang, ok bool) {
	if a.d.Identity == nil {
		return "", "", false
	}
	p, err := a.d.Identity.Profile(ctx, userID)
	if err != nil || p.Email == "" {
		return "", "", false
	}
	return p.Email, mail.LangOf(p.Language), true
}

// sendTo composes and sends one mail of kind to userID because of e. A
// person without an address (erased, or none known) or who turned the kind
// off (mailprefs.go) gets nothing; a permanent refusal is recorded
// (mail_failures.go) and passed. compose gets the reader's language and
// the mail's one-click unsubscribe link (empty for security mails).
func (a *App) sendTo(ctx context.Context, e eventstore.RecordedEvent, userID string, kind mail.Kind,
	compose func(lang mail.Lang, unsubscribe string) (subject, text, html string, err error)) error {
	to, lang, ok := a.recipient(ctx, userID)
	if !ok {
		return nil
	}
	if ok, err := a.wantsMail(ctx, userID, kind); err != nil || !ok {
		return err
	}
	unsubscribe, err := a.unsubscribeURL(ctx, userID, kind)
	if err != nil {
		return fmt.Errorf("mail: unsubscribe link of %s for %s: %w", kind, userID, err)
	}
	subject, text, html, err := compose(lang, unsubscribe)
	if err != nil {
		return fmt.Errorf("mail: compose %s for %s: %w", kind, userID, err)
	}
	m := mail.Message{ID: mail.MessageID(e.EventID, userID, kind, mail.DomainOf(a.mail.cfg.From)),
		To: to, Subject: subject, Text: text, HTML: html, Unsubscribe: unsubscribe}
	if held, err := a.mailSuppressed(ctx, e, to); err != nil || held {
		if held {
			a.d.Logger.Info("a mail is not sent: its address was refused too often", "kind", kind, "user", userID, "cause", e.EventID)
		}
		return err
	}
	if err := a.mail.cfg.Transport.Send(ctx, m); err != nil {
		if errors.Is(err, mail.ErrPermanent) {
			a.d.Logger.Warn("a mail was refused for good and is given up", "kind", kind, "user", userID,
				"cause", e.EventID, "err", redactAddress(err.Error(), to))
			return a.recordMailRefusal(ctx, e, userID, kind, m, err)
		}
		return fmt.Errorf("mail: %s to %s: %w", kind, userID, err)
	}
	return nil
}
