package app

// Failed addresses: a mail the server refused for good (an SMTP 5xx) is
// recorded in the log as a mailfailure.Refused on the stream of the
// workspace the mail's cause belongs to (a retro's, team's or survey's),
// and its admins list and clear them (MailFailures, ClearMailFailure). The
// address is known by identity's keyed hash and sealed under its owner's
// key; the server's reply is kept with the address taken out. An address
// refused mailfailure.SuppressAfter times gets no more mail from that
// workspace until an admin clears it. Recording never holds other mail: a
// refused recipient is passed once the record is written, and the record's
// command ID comes from the Message-ID, so a cause mailed again after a
// crash records each refusal once.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/mail"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/mailfailure"
	"github.com/hindsight-retro/hindsight/domain/reminder"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/schedule"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// mailFailuresOutside is the stream of refusals whose cause belongs to no
// workspace (a mail about an account); the operator lists it
// (OperatorMailFailures).
const mailFailuresOutside = "installation"

// MailFailure is a failed address as a workspace admin sees it.
type MailFailure struct {
	// AddressHash names the address in ClearMailFailure.
	AddressHash string `json:"addressHash"`
	UserID      string `json:"userId"`
	Name        string `json:"name,omitempty"`
	// Address is the refused address, empty once the person was erased.
	// Workspace admins see its first character and its domain only
	// (n…@example.org), enough to spot a mistyped domain: they see no
	// member's address elsewhere either. The operator sees it whole.
	Address string `json:"address,omitempty"`
	// Suppressed: no more mail goes to the address until it is cleared.
	Suppressed bool          `json:"suppressed"`
	Refusals   []MailRefusal `json:"refusals"`
}

// MailRefusal is one refused mail.
type MailRefusal struct {
	Kind string `json:"kind"`
	// Cause is the ID of the event the mail was sent for.
	Cause string `json:"cause"`
	// Reply is the mail server's answer, the address taken out.
	Reply string    `json:"reply"`
	At    time.Time `json:"at"`
}

// mailFailureLog runs the record without a cache: a clear on one node is
// seen by the next send on every node.
func (a *App) mailFailureLog() *aggregate.Runner[mailfailure.State, mailfailure.Command, mailfailure.Event] {
	return &aggregate.Runner[mailfailure.State, mailfailure.Command, mailfailure.Event]{
		Store: a.d.Store, Category: mailfailure.Category, Initial: mailfailure.Initial, Decide: mailfailure.Decide, Evolve: mailfailure.Evolve,
		Codec: aggregate.CodecFuncs(mailfailure.EncodeEvent, mailfailure.DecodeEvent),
	}
}

// mailFailureStream is the workspace a mail's cause belongs to (a
// retro's, team's, schedule's, survey's or a claimed reminder's team), whose
// admins see its failures.
func (a *App) mailFailureStream(ctx context.Context, cause eventstore.RecordedEvent) (string, error) {
	teamID := ""
	switch cause.Stream.Category {
	case retro.Category:
		r, _, err := a.loadRetro(ctx, cause.Stream.ID)
		if err != nil {
			return "", fmt.Errorf("the retro of a mail's cause: %w", err)
		}
		teamID = r.TeamID
	case team.Category, schedule.Category:
		teamID = cause.Stream.ID
	case reminder.Category:
		ev, err := reminder.DecodeEvent(cause.Type, cause.SchemaVersion, cause.Payload)
		if c, ok := ev.(reminder.Claimed); err == nil && ok {
			teamID = c.TeamID
			if teamID == "" && c.SurveyID != "" {
				if s, err := a.loadSurvey(ctx, c.SurveyID); err == nil && len(s.TeamIDs) > 0 {
					teamID = s.TeamIDs[0]
				}
			}
		}
	case survey.Category:
		s, err := a.loadSurvey(ctx, cause.Stream.ID)
		if err != nil {
			return "", fmt.Errorf("the survey of a mail's cause: %w", err)
		}
		if len(s.TeamIDs) > 0 {
			teamID = s.TeamIDs[0]
		}
	}
	if teamID == "" {
		return mailFailuresOutside, nil
	}
	t, _, err := a.loadTeam(ctx, teamID)
	if err != nil {
		return "", fmt.Errorf("the team of a mail's cause: %w", err)
	}
	return t.WorkspaceID, nil
}

// mailSuppressed reports whether mail to the address is held back in the
// workspace of the cause.
func (a *App) mailSuppressed(ctx context.Context, cause eventstore.RecordedEvent, address string) (bool, error) {
	streamID, err := a.mailFailureStream(ctx, cause)
	if err != nil {
		return false, err
	}
	hash, err := a.d.Identity.AddressHash(ctx, address)
	if err != nil {
		return false, fmt.Errorf("mail: hash an address: %w", err)
	}
	s, _, err := a.mailFailureLog().Load(ctx, streamID)
	if err != nil {
		return false, fmt.Errorf("mail: failed addresses of %s: %w", streamID, err)
	}
	return mailfailure.Suppressed(s, hash), nil
}

// recordMailRefusal writes the refusal of message m to userID's address.
// A person erased in the meantime leaves nothing to record.
func (a *App) recordMailRefusal(ctx context.Context, cause eventstore.RecordedEvent, userID string, kind mail.Kind,
	m mail.Message, refusal error) error {
	streamID, err := a.mailFailureStream(ctx, cause)
	if err != nil {
		return err
	}
	hash, err := a.d.Identity.AddressHash(ctx, m.To)
	if err != nil {
		return fmt.Errorf("mail: hash an address: %w", err)
	}
	sealed, err := a.d.Identity.SealAddress(ctx, userID, m.To)
	if errors.Is(err, identity.ErrErased) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mail: seal a refused address: %w", err)
	}
	_, err = a.mailFailureLog().Handle(ctx, streamID, aggregate.Meta{CommandID: refusalCommandID(m.ID), Actor: MailReactorName},
		mailfailure.RecordRefusal{At: a.now(), UserID: userID, AddressHash: hash, AddressSealed: sealed, Kind: string(kind),
			Cause: cause.EventID, MessageID: m.ID, Reply: serverReply(refusal, m.To)})
	if err != nil {
		return fmt.Errorf("mail: record the refusal of %s: %w", m.ID, err)
	}
	return nil
}

// refusalCommandID is the record's command ID: one per mail, so a mail
// refused again after a crash is recorded once.
func refusalCommandID(messageID string) string {
	h := sha256.Sum256([]byte(messageID))
	return "mailrefused-" + hex.EncodeToString(h[:16])
}

// serverReply is what the server said, without our own wrapping and the
// address.
func serverReply(refusal error, address string) string {
	s := refusal.Error()
	if _, after, ok := strings.Cut(s, mail.ErrPermanent.Error()+": "); ok {
		s = after
	}
	return redactAddress(s, address)
}

// redactAddress takes the address, and its local part on its own, out of
// a server's reply.
func redactAddress(reply, address string) string {
	reply = regexp.MustCompile(`(?i)`+regexp.QuoteMeta(address)).ReplaceAllString(reply, "<recipient>")
	if local, _, ok := strings.Cut(address, "@"); ok && len(local) >= 3 {
		reply = regexp.MustCompile(`(?i)`+regexp.QuoteMeta(local)).ReplaceAllString(reply, "<recipient>")
	}
	return reply
}

// MailFailures lists the workspace's failed addresses, the most recently
// refused first (workspace admins).
func (a *App) MailFailures(ctx context.Context, p identity.Principal, workspaceID string) ([]MailFailure, error) {
	if err := a.workspaceAdmin(ctx, p, workspaceID); err != nil {
		return nil, err
	}
	return a.mailFailures(ctx, workspaceID, maskAddress)
}

// maskAddress keeps an address's first character and its domain.
func maskAddress(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return "…"
	}
	r := []rune(local)
	return string(r[0]) + "…@" + domain
}

// OperatorMailFailures lists the failed addresses of a workspace, or with
// no workspace ID those of mail about no workspace (an account's own), on
// the installation operator's word (`hindsight admin mail-failures`).
func (a *App) OperatorMailFailures(ctx context.Context, workspaceID string) ([]MailFailure, error) {
	if workspaceID == "" {
		workspaceID = mailFailuresOutside
	} else if _, _, err := a.loadWorkspace(ctx, workspaceID); err != nil {
		return nil, err
	}
	return a.mailFailures(ctx, workspaceID, func(addr string) string { return addr })
}

// OperatorClearMailFailure is ClearMailFailure on the operator's word;
// no workspace ID clears an address of mail about no workspace.
func (a *App) OperatorClearMailFailure(ctx context.Context, op Operator, workspaceID, addressHash string) (Result, error) {
	if op.CommandID == "" || op.Name == "" {
		return Result{}, domain.Errorf(domain.Invalid, "command-id-required", "an operator and a command ID are required")
	}
	if workspaceID == "" {
		workspaceID = mailFailuresOutside
	} else if _, _, err := a.loadWorkspace(ctx, workspaceID); err != nil {
		return Result{}, err
	}
	r, err := a.mailFailureLog().Handle(ctx, workspaceID, aggregate.Meta{CommandID: op.CommandID, Actor: op.Name},
		mailfailure.Clear{Actor: domain.Actor{UserID: op.Name}, At: a.now(), AddressHash: addressHash})
	if err != nil {
		return Result{}, fmt.Errorf("clear a failed address: %w", err)
	}
	return Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, nil
}

func (a *App) mailFailures(ctx context.Context, workspaceID string, show func(addr string) string) ([]MailFailure, error) {
	s, _, err := a.mailFailureLog().Load(ctx, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("mail failures of workspace %s: %w", workspaceID, err)
	}
	out := []MailFailure{}
	for _, f := range mailfailure.List(s) {
		m := MailFailure{AddressHash: f.AddressHash, UserID: f.UserID, Suppressed: f.Suppressed(), Refusals: []MailRefusal{}}
		if a.d.Identity != nil {
			if addr, err := a.d.Identity.OpenAddress(ctx, f.UserID, f.AddressSealed); err == nil {
				m.Address = show(addr)
			} else if !errors.Is(err, identity.ErrErased) {
				return nil, fmt.Errorf("mail failures of workspace %s: %w", workspaceID, err)
			}
			if pr, err := a.d.Identity.Profile(ctx, f.UserID); err == nil {
				m.Name = pr.Name
			}
		}
		for _, r := range f.Refusals {
			m.Refusals = append(m.Refusals, MailRefusal{Kind: r.Kind, Cause: r.Cause, Reply: r.Reply, At: r.At})
		}
		out = append(out, m)
	}
	return out, nil
}

// ClearMailFailure forgets a failed address's refusals, so mail goes to it
// again: the person fixed their mailbox (workspace admins).
func (a *App) ClearMailFailure(ctx context.Context, c identity.Caller, workspaceID, addressHash string) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	if err := a.workspaceAdmin(ctx, c.Principal, workspaceID); err != nil {
		return Result{}, err
	}
	r, err := a.mailFailureLog().Handle(ctx, workspaceID, aggregate.Meta{CommandID: c.CommandID, Actor: c.Principal.UserID},
		mailfailure.Clear{Actor: domain.Actor{UserID: c.Principal.UserID}, At: a.now(), AddressHash: addressHash})
	if err != nil {
		return Result{}, fmt.Errorf("workspace %s: clear a failed address: %w", workspaceID, err)
	}
	return Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, nil
}
