// Package app is the application layer: one method per use case. It
// establishes who acts (from the principal the server verified, never from
// the client's word), decides whether they may act at all (team membership,
// workspace admin, retro participation), stamps commands with the actor,
// the time and new IDs, runs them through the domain's deciders against the
// log, and carries their consequences to other aggregates (reactors.go).
// Everything it returns to a caller is a domain view for that principal,
// never a raw state.
//
// Every command has one shape: (ctx, caller, target ID, input). The caller
// (identity.Caller) is the principal and the command ID; the input is this
// package's own type (RetroInput for a retro's commands, XxxInput or Person
// elsewhere), never a domain command and never a run of strings that could
// be swapped. The app makes the domain command from it, so the transport
// only decodes, passes the caller on and encodes.
//
// Anonymity: in a retro or survey a person appears in anonymous records as
// domain.Pseudonym(key, user ID), the key kept outside the log in keys.Store
// under "retro:<id>" or "survey:<id>" and destroyed when the retro or survey
// closes. The commit envelope follows the same rule (see actorMeta).
package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/collab"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/board"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/schedule"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
	"github.com/hindsight-retro/hindsight/projections/runner"
)

// CategoryIDClaim holds one tiny stream per creating command: the ID it was
// given, so a retry of the command gets the same ID (see claimID). The
// aggregates' categories are their domain packages' (retro.Category, ...).
const CategoryIDClaim = "idclaim"

// Deps is everything the app needs from outside.
type Deps struct {
	Store eventstore.Store
	Keys  keys.Store
	// Identity issues invites (CreateInvite) and names team members
	// (TeamMembers); nil leaves member names empty.
	Identity *identity.Service
	Catalog  *catalog.Catalog
	// Clock is the server's clock; nil means time.Now.
	Clock func() time.Time
	// NewID makes IDs for created resources; nil means UUIDv7 strings.
	NewID func() string
	// Logger receives failed reactions and skipped history events; nil
	// discards them.
	Logger *slog.Logger
	// CacheSize is how many streams of each aggregate kind stay folded in
	// memory; 0 means aggregate.DefaultCacheSize.
	CacheSize int
	// ReadModels says where the read models keep snapshots and how small a
	// group health aggregates may show.
	ReadModels ReadModelConfig
	// Crashpoint, when set, is called around every reaction (see
	// runner.ReactorConfig); only test builds of the binary set it.
	Crashpoint func(point string, cause eventstore.RecordedEvent)
	// SeedWhiteboard stores the first content of a board the server creates
	// (collab.SeedBoard over the same store), so a stock client can open it
	// by URL; nil creates only the metadata (tests without collab).
	SeedWhiteboard func(ctx context.Context, docID, title string, tpl board.Template) error
	// SeedNotes stores the first content of a person's private notes
	// document (collab.SeedNotes); RevealNotes merges private notes into
	// their board at a reveal (collab's Flush, then collab.MergeNotes), and
	// RevealOutcome reads what a reveal did (collab.RevealOutcome). Nil:
	// only the metadata (tests without collab).
	SeedNotes     func(ctx context.Context, docID, title string) error
	RevealNotes   func(ctx context.Context, r collab.Reveal) error
	RevealOutcome func(ctx context.Context, boardID string) (collab.Merged, bool, error)
	// Integrations says how webhooks are sent (integrations.go).
	Integrations IntegrationsConfig
	// SSO is single sign-on through OpenID providers (sso.go); the zero
	// value has no server-wide provider.
	SSO SSOConfig
	// Mail says how mail leaves the server (mailer.go); the zero value
	// sends none.
	Mail MailConfig
	// QuickRetroTTL is how long an unclaimed quick retro lives before its
	// content is erased; 0 means DefaultQuickRetroTTL.
	QuickRetroTTL time.Duration
}

// App runs the use cases. It is safe for concurrent use.
type App struct {
	d          Deps
	workspaces *aggregate.Runner[workspace.State, workspace.Command, workspace.Event]
	teams      *aggregate.Runner[team.State, team.Command, team.Event]
	retros     *aggregate.Runner[retro.State, retroCmd, retro.Event]
	surveys    *aggregate.Runner[survey.State, survey.Command, survey.Event]
	boards     *aggregate.Runner[board.State, board.Command, board.Event]
	schedules  *aggregate.Runner[schedule.State, schedule.Command, schedule.Event]
	index      logIndex // schedules, share links and calendar feeds (logindex.go)
	access     accessCache
	rm         *readModels
	// reactor carries retro events' consequences to other aggregates
	// and keys (reactors.go).
	reactor    *runner.Reactor
	reactorErr error
	// in holds the team integrations: webhooks, their queue and sender.
	in *integrations
	// mail sends the mails the log calls for (mailer.go).
	mail  *mailer
	ssoRP sync.Once
	// sealer seals a quick retro's content so its expiry can erase it
	// (quickretro.go); nil when the log cannot.
	sealer contentSealer
	// erasedSeen are the expired quick retros this process has dropped
	// from its caches and read models.
	erasedSeen erasedSet
	// erasedWatch are told of every quick retro this process sees erased
	// (OnQuickRetroErased).
	erasedWatch erasedWatchers
}

// Result of a command: where it landed, so a client can wait for its write
// on the live feed or in a read model.
type Result struct {
	// ID is the ID of the resource the command created, if it created one;
	// a retry of the command answers the same ID.
	ID string `json:"id,omitempty"`
	// StreamVersion is the aggregate's version after the command.
	StreamVersion int64 `json:"streamVersion"`
	// Position is the commit's global position; 0 if the command changed
	// nothing (for example joining a retro one has joined already).
	Position uint64 `json:"position"`
	// Duplicate is true when the command had been stored before and this
	// call wrote nothing.
	Duplicate bool `json:"duplicate,omitempty"`
}

// New builds the app. Deps.Store, Keys and Catalog are required.
func New(d Deps) *App {
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.NewID == nil {
		d.NewID = newUUIDv7
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.QuickRetroTTL <= 0 {
		d.QuickRetroTTL = DefaultQuickRetroTTL
	}
	a := &App{d: d}
	a.sealer, _ = d.Store.(contentSealer)
	a.rm = a.newReadModels()
	a.reactor, a.reactorErr = a.newReactor()
	a.in = a.newIntegrations()
	a.mail = a.newMailer()
	a.workspaces = &aggregate.Runner[workspace.State, workspace.Command, workspace.Event]{
		Store: d.Store, Category: workspace.Category, Initial: workspace.Initial, Decide: workspace.Decide, Evolve: workspace.Evolve,
		Codec: aggregate.CodecFuncs(workspace.EncodeEvent, workspace.DecodeEvent), Cache: aggregate.NewCache[workspace.State](d.CacheSize),
	}
	a.teams = &aggregate.Runner[team.State, team.Command, team.Event]{
		Store: d.Store, Category: team.Category, Initial: team.Initial, Decide: team.Decide, Evolve: team.Evolve,
		Codec: aggregate.CodecFuncs(team.EncodeEvent, team.DecodeEvent), Cache: aggregate.NewCache[team.State](d.CacheSize),
	}
	a.retros = &aggregate.Runner[retro.State, retroCmd, retro.Event]{
		Store: d.Store, Category: retro.Category, Initial: retro.Initial, Decide: decideRetro, Evolve: retro.Evolve, EvolveAll: retro.EvolveAll,
		Codec: aggregate.CodecFuncs(retro.EncodeEvent, retro.DecodeEvent), Cache: aggregate.NewCache[retro.State](d.CacheSize),
	}
	a.surveys = &aggregate.Runner[survey.State, survey.Command, survey.Event]{
		Store: d.Store, Category: survey.Category, Initial: survey.Initial, Decide: decideSurvey, Evolve: survey.Evolve,
		Codec: aggregate.CodecFuncs(survey.EncodeEvent, survey.DecodeEvent), Cache: aggregate.NewCache[survey.State](d.CacheSize),
	}
	a.boards = &aggregate.Runner[board.State, board.Command, board.Event]{
		Store: d.Store, Category: board.Category, Initial: board.Initial, Decide: board.Decide, Evolve: board.Evolve,
		Codec: aggregate.CodecFuncs(board.EncodeEvent, board.DecodeEvent), Cache: aggregate.NewCache[board.State](d.CacheSize),
	}
	a.schedules = &aggregate.Runner[schedule.State, schedule.Command, schedule.Event]{
		Store: d.Store, Category: schedule.Category, Initial: schedule.Initial, Decide: schedule.Decide, Evolve: schedule.Evolve,
		Codec: aggregate.CodecFuncs(schedule.EncodeEvent, schedule.DecodeEvent), Cache: aggregate.NewCache[schedule.State](d.CacheSize),
	}
	return a
}

func newUUIDv7() string {
	u, err := uuid.NewV7()
	if err != nil {
		// NewV7 fails only when the system's random source does; a random
		// v4 is still unique, only not time-ordered.
		return uuid.NewString()
	}
	return u.String()
}

// NewID returns a fresh ID as the app makes them (UUIDv7 by default), for
// handlers that choose IDs of things a command creates (cards, actions).
func (a *App) NewID() string { return a.d.NewID() }

// NewContentID returns a random ID (UUIDv4) for what a person writes into a
// retro: cards, icebreaker answers, comments. A UUIDv7 would carry the
// millisecond it was made into the log and into every path that names the
// card, and time links an anonymous card to the request that wrote it.
func (a *App) NewContentID() string { return uuid.NewString() }

// Catalog is the template catalogue the app was built with.
func (a *App) Catalog() *catalog.Catalog { return a.d.Catalog }

func (a *App) now() time.Time { return a.d.Clock().UTC() }

// claimID gives a creating command its new resource's ID, the same on every
// retry of the command. A created resource's stream is named by its new
// ID, so a retry with a freshly made ID would land on another stream and
// create a second resource; instead the first attempt records the ID in a
// stream named by (kind, principal, command ID), and retries read it back.
// The claim holds no personal data: its stream name is a hash.
func (a *App) claimID(ctx context.Context, kind, userID, cmdID string) (string, error) {
	return a.claimIDWith(ctx, kind, userID, cmdID, a.d.NewID)
}

// claimIDWith is claimID with IDs of another form (whiteboards are named by
// Automerge document IDs, not UUIDs).
func (a *App) claimIDWith(ctx context.Context, kind, userID, cmdID string, newID func() string) (string, error) {
	if cmdID == "" {
		return "", domain.Errorf(domain.Invalid, "command-id-required", "a command ID (idempotency key) is required")
	}
	sum := sha256.Sum256([]byte(kind + "\x00" + userID + "\x00" + cmdID))
	stream := eventstore.StreamID{Category: CategoryIDClaim, ID: hex.EncodeToString(sum[:16])}
	id := newID()
	payload, err := json.Marshal(idClaimed{Kind: kind, ID: id})
	if err != nil {
		return "", fmt.Errorf("claim %s ID: %w", kind, err)
	}
	res, err := a.d.Store.Append(ctx, eventstore.Commit{
		Stream: stream, ExpectedVersion: eventstore.NoStream, CommandID: cmdID,
		Events: []eventstore.Event{{Type: typeIDClaimed, SchemaVersion: 1, Payload: payload}},
	})
	switch {
	case err == nil && !res.Duplicate:
		return id, nil
	case err == nil, errors.Is(err, eventstore.ErrConflict):
		// Stored by an earlier attempt: the stream is this command's alone.
		evs, lerr := a.d.Store.Load(ctx, stream, 0)
		if lerr != nil {
			return "", fmt.Errorf("claim %s ID: read the earlier claim: %w", kind, lerr)
		}
		for _, e := range evs {
			var c idClaimed
			if e.Type == typeIDClaimed && json.Unmarshal(e.Payload, &c) == nil && c.ID != "" {
				return c.ID, nil
			}
		}
		return "", fmt.Errorf("claim %s ID: stream %s holds no claim", kind, stream)
	default:
		return "", fmt.Errorf("claim %s ID: %w", kind, err)
	}
}

const typeIDClaimed = "app.IDClaimed"

type idClaimed struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}
