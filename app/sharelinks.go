package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/documents"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/sharelink"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
)

// subjectShareLink names the server secret share-link secrets derive from.
const subjectShareLink = "server:share-link"

// ShareLink is a created link: the token is shown to its creator only,
// and the log keeps only its secret's hash.
type ShareLink struct {
	LinkID    string    `json:"linkId"`
	RetroID   string    `json:"retroId"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// shareLinks runs the share-link aggregate without a cache: every read
// folds the link's stream from the log, so a revocation written on any
// node closes the link on every node at once.
func (a *App) shareLinks() *aggregate.Runner[sharelink.State, sharelink.Command, sharelink.Event] {
	return &aggregate.Runner[sharelink.State, sharelink.Command, sharelink.Event]{
		Store: a.d.Store, Category: sharelink.Category, Initial: sharelink.Initial, Decide: sharelink.Decide, Evolve: sharelink.Evolve,
		Codec: aggregate.CodecFuncs(sharelink.EncodeEvent, sharelink.DecodeEvent),
	}
}

// CreateShareLink makes a read-only link to a closed retro's summary,
// open until expires (at most sharelink.MaxTTL ahead); the retro's
// moderator only. The token is the link's ID and a secret derived from a
// server key and the ID, so a retry of the command (same command ID, same
// link ID) answers the same token; the log holds the secret's SHA-256.
func (a *App) CreateShareLink(ctx context.Context, c identity.Caller, retroID string, expires time.Time) (ShareLink, error) {
	if err := commandGate(c); err != nil {
		return ShareLink{}, err
	}
	p := c.Principal
	if err := notGuest(p); err != nil {
		return ShareLink{}, err
	}
	r, t, err := a.retroAccess(ctx, p, retroID)
	if err != nil {
		return ShareLink{}, err
	}
	if r.Moderator != p.UserID {
		return ShareLink{}, forbidden("only the retro's moderator shares it")
	}
	// A quick retro's link ends with it: its summary is erased then.
	if q, quick, err := a.quickRetroOf(ctx, t.WorkspaceID); err != nil {
		return ShareLink{}, err
	} else if quick && q.claimedBy == "" && !q.ExpiresAt.IsZero() && expires.After(q.ExpiresAt) {
		expires = q.ExpiresAt
	}
	if !r.Closed {
		return ShareLink{}, domain.Errorf(domain.Conflict, "retro-not-closed", "retro %s is still running: share it once it closes", retroID)
	}
	id, err := a.claimID(ctx, "share-link", p.UserID, c.CommandID)
	if err != nil {
		return ShareLink{}, err
	}
	secret, err := a.shareSecret(ctx, id)
	if err != nil {
		return ShareLink{}, err
	}
	actor := domain.Actor{UserID: p.UserID}
	res, err := a.shareLinks().Handle(ctx, id, aggregate.Meta{CommandID: c.CommandID, Actor: p.UserID}, sharelink.CreateLink{
		Actor: actor, At: a.now(), LinkID: id, RetroID: retroID, TeamID: r.TeamID,
		SecretHash: sharelink.HashSecret(secret), ExpiresAt: expires,
	})
	if err != nil {
		return ShareLink{}, fmt.Errorf("share link for retro %s: %w", retroID, err)
	}
	return ShareLink{LinkID: id, RetroID: retroID, Token: id + "." + secret, ExpiresAt: res.State.ExpiresAt}, nil
}

// ShareLinkInfo is a share link as its retro's list shows it: never its
// token or secret.
type ShareLinkInfo struct {
	LinkID    string     `json:"linkId"`
	CreatedBy string     `json:"createdBy"`
	CreatedAt time.Time  `json:"createdAt"`
	ExpiresAt time.Time  `json:"expiresAt"`
	Expired   bool       `json:"expired"`
	Revoked   bool       `json:"revoked"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
}

// ShareLinks lists a retro's share links, oldest first, for its moderator,
// who may revoke every one of them.
func (a *App) ShareLinks(ctx context.Context, p identity.Principal, retroID string) ([]ShareLinkInfo, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	if err := notGuest(p); err != nil {
		return nil, err
	}
	r, _, err := a.retroAccess(ctx, p, retroID)
	if err != nil {
		return nil, err
	}
	if r.Moderator != p.UserID {
		return nil, forbidden("only the retro's moderator lists its share links")
	}
	var ids []string
	if err := a.index.read(ctx, a.d.Store, func(x *logIndex) { ids = append(ids, x.shareLinks[retroID]...) }); err != nil {
		return nil, err
	}
	now := a.now()
	out := []ShareLinkInfo{}
	for _, id := range ids {
		l, err := a.loadShareLink(ctx, id)
		if err != nil {
			return nil, err
		}
		info := ShareLinkInfo{LinkID: id, CreatedBy: l.CreatedBy, CreatedAt: l.CreatedAt, ExpiresAt: l.ExpiresAt,
			Expired: !now.Before(l.ExpiresAt), Revoked: l.Revoked}
		if l.Revoked {
			at := l.RevokedAt
			info.RevokedAt = &at
		}
		out = append(out, info)
	}
	return out, nil
}

// RevokeShareLink closes a link for good: its creator or the retro's
// moderator now. Revoking a revoked link changes nothing.
func (a *App) RevokeShareLink(ctx context.Context, c identity.Caller, linkID string) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	p := c.Principal
	if err := notGuest(p); err != nil {
		return Result{}, err
	}
	l, err := a.loadShareLink(ctx, linkID)
	if err != nil {
		return Result{}, err
	}
	r, _, err := a.retroAccess(ctx, p, l.RetroID)
	if err != nil {
		return Result{}, hidden("share link %s", linkID)
	}
	res, err := a.shareLinks().Handle(ctx, linkID, aggregate.Meta{CommandID: c.CommandID, Actor: p.UserID},
		sharelink.RevokeLink{Actor: domain.Actor{UserID: p.UserID}, At: a.now(), RetroModerator: r.Moderator})
	if err != nil {
		return Result{}, fmt.Errorf("share link %s: %w", linkID, err)
	}
	return Result{ID: linkID, StreamVersion: res.Version, Position: res.Position, Duplicate: res.Duplicate}, nil
}

// SharedRetroSummary is the retro a share-link token opens, as a guest who
// took part but wrote nothing would see it (retro.View for no one in
// particular): concealed and hidden text, anonymous authors and everyone's
// own answers stay out, and people are not named. The token is checked on
// the link's stream as it is in the log now, on whichever node.
func (a *App) SharedRetroSummary(ctx context.Context, token string) (documents.Retro, error) {
	linkID, secret, ok := strings.Cut(token, ".")
	if !ok || linkID == "" || secret == "" {
		return documents.Retro{}, notFound("no such share link")
	}
	l, err := a.loadShareLink(ctx, linkID)
	if err != nil {
		return documents.Retro{}, err
	}
	if err := sharelink.Open(l, secret, a.now()); err != nil {
		return documents.Retro{}, err
	}
	if err := a.erasedContent(eventstore.StreamID{Category: retro.Category, ID: l.RetroID}); err != nil {
		return documents.Retro{}, err
	}
	r, _, err := a.loadRetro(ctx, l.RetroID)
	if err != nil {
		return documents.Retro{}, err
	}
	if !r.Closed {
		return documents.Retro{}, notFound("no such share link")
	}
	return documents.Retro{View: retro.View(r, retro.Viewer{}, a.GroupPolicy())}, nil
}

func (a *App) loadShareLink(ctx context.Context, id string) (sharelink.State, error) {
	s, _, err := a.shareLinks().Load(ctx, id)
	switch {
	case errors.Is(err, eventstore.ErrInvalidArgument):
		return s, notFound("no such share link")
	case err != nil:
		return s, fmt.Errorf("load share link %s: %w", id, err)
	case !s.Created:
		return s, notFound("no such share link")
	}
	return s, nil
}

// shareSecret is the link's secret: an HMAC of its ID under a server key
// kept outside the log, 256 bits in base64url.
func (a *App) shareSecret(ctx context.Context, linkID string) (string, error) {
	return a.serverSecret(ctx, subjectShareLink, "hindsight/share-link/v1", linkID)
}

// serverSecret is the secret of a thing opened by a token (a share link, a
// calendar feed): an HMAC of its ID under the server key subject, kept
// outside the log, so a retried creation answers the same token and the
// log needs to hold only the secret's hash.
func (a *App) serverSecret(ctx context.Context, subject, label, id string) (string, error) {
	key, err := a.d.Keys.GetOrCreate(ctx, subject)
	if err != nil {
		return "", fmt.Errorf("%s key: %w", subject, err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}
