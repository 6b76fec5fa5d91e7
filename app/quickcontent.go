package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/board"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections/actiontracker"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
	"github.com/hindsight-retro/hindsight/projections/teamhistory"
)

// A quick retro's content is erasable: what people write into it (card
// texts, group names, actions, comments, titles, surveys, whiteboards and
// private notes) is sealed in the log under a key per stream
// (app/sealedlog), and expiry destroys the keys. Its workspace is sealed
// when it starts; whatever is made in a sealed workspace later (its teams,
// their retros, surveys and whiteboards, their content) is sealed too, and
// listed on the workspace's quickcontent stream first, so expiry finds
// every key to destroy. A claimed quick retro keeps its keys, and with
// them its texts: they stay sealed and read as any other.

// contentSealer is a log that seals streams' texts (app/sealedlog.Store).
type contentSealer interface {
	Seal(ctx context.Context, stream eventstore.StreamID) error
	Sealed(ctx context.Context, stream eventstore.StreamID) (bool, error)
	Erase(ctx context.Context, stream eventstore.StreamID) error
	// Erased and Check tell a stream whose key is destroyed (Erased from
	// memory, Check from the key store).
	Erased(stream eventstore.StreamID) bool
	Check(ctx context.Context, stream eventstore.StreamID) (bool, error)
}

// CategoryQuickContent lists, per quick retro's workspace, every stream
// sealed in it.
const CategoryQuickContent = "quickcontent"

const typeQuickContentSealed = "QuickContentSealed"

type quickContentSealed struct {
	Category string `json:"category"`
	ID       string `json:"id"`
}

// sealQuickScope seals streams in the quick retro's workspace wsID: each
// is listed on the workspace's quickcontent stream first (so expiry
// destroys its key even if this stops half-way), then its key is made.
func (a *App) sealQuickScope(ctx context.Context, wsID string, streams ...eventstore.StreamID) error {
	if a.sealer == nil {
		return errors.New("app: the log cannot seal content (app/sealedlog), so a quick retro could not be erased")
	}
	for _, s := range streams {
		b, err := json.Marshal(quickContentSealed{Category: s.Category, ID: s.ID})
		if err != nil {
			return fmt.Errorf("seal %s: %w", s, err)
		}
		_, err = a.d.Store.Append(ctx, eventstore.Commit{
			Stream: eventstore.StreamID{Category: CategoryQuickContent, ID: wsID}, ExpectedVersion: eventstore.Any,
			CommandID: "seal-" + s.Category + "-" + s.ID, Actor: "system",
			Events: []eventstore.Event{{Type: typeQuickContentSealed, SchemaVersion: 1, Payload: b}},
		})
		if err != nil {
			return fmt.Errorf("list %s as sealed in workspace %s: %w", s, wsID, err)
		}
		if err := a.sealer.Seal(ctx, s); err != nil {
			return fmt.Errorf("seal %s: %w", s, err)
		}
	}
	return nil
}

// sealInWorkspace seals streams made in workspace wsID if it is a quick
// retro's (its own stream is sealed); a plain workspace's stay plain.
func (a *App) sealInWorkspace(ctx context.Context, wsID string, streams ...eventstore.StreamID) error {
	if a.sealer == nil || wsID == "" {
		return nil
	}
	sealed, err := a.sealer.Sealed(ctx, eventstore.StreamID{Category: workspace.Category, ID: wsID})
	if err != nil || !sealed {
		return err
	}
	return a.sealQuickScope(ctx, wsID, streams...)
}

// sealInTeam is sealInWorkspace for streams made in team teamID.
func (a *App) sealInTeam(ctx context.Context, teamID string, streams ...eventstore.StreamID) error {
	if a.sealer == nil || teamID == "" {
		return nil
	}
	t, _, err := a.loadTeam(ctx, teamID)
	if err != nil {
		return err
	}
	return a.sealInWorkspace(ctx, t.WorkspaceID, streams...)
}

// sealedIn lists the streams sealed in the quick retro's workspace wsID.
func (a *App) sealedIn(ctx context.Context, wsID string) ([]eventstore.StreamID, error) {
	evs, err := a.d.Store.Load(ctx, eventstore.StreamID{Category: CategoryQuickContent, ID: wsID}, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sealed streams of workspace %s: %w", wsID, err)
	}
	out := make([]eventstore.StreamID, 0, len(evs))
	for _, e := range evs {
		if e.Type != typeQuickContentSealed {
			continue
		}
		var s quickContentSealed
		if err := json.Unmarshal(e.Payload, &s); err != nil {
			return nil, fmt.Errorf("sealed streams of workspace %s: %w", wsID, err)
		}
		out = append(out, eventstore.StreamID{Category: s.Category, ID: s.ID})
	}
	return out, nil
}

// eraseQuickGuests erases the guests who joined the quick retro's
// workspace wsID by one invite join each (identity.EraseSingleJoinGuest):
// nothing but this workspace's retros knew them, so their names go with it.
// Guests keyed by an address and people with accounts are kept. Erasing is
// idempotent, so a sweep that stopped half-way is finished by the next one.
func (a *App) eraseQuickGuests(ctx context.Context, wsID string) (int, error) {
	streams, err := a.sealedIn(ctx, wsID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range streams {
		if id.Category != team.Category {
			continue
		}
		t, _, err := a.teams.Load(ctx, id.ID)
		if err != nil {
			return n, fmt.Errorf("team %s of quick retro workspace %s: %w", id.ID, wsID, err)
		}
		people := make([]string, 0, len(t.Guests)+len(t.Members))
		for g := range t.Guests {
			people = append(people, g)
		}
		for m := range t.Members {
			people = append(people, m) // a promoted guest is still one join's guest
		}
		slices.Sort(people)
		for _, userID := range slices.Compact(people) {
			erased, err := a.d.Identity.EraseSingleJoinGuest(ctx, userID)
			if err != nil && !errors.Is(err, domain.ErrNotFound) {
				return n, fmt.Errorf("guest %s of quick retro workspace %s: %w", userID, wsID, err)
			}
			if erased {
				n++
			}
		}
	}
	return n, nil
}

// eraseQuickContent destroys the key of every stream sealed in the quick
// retro's workspace wsID. Destroying is idempotent, so a sweep that
// stopped half-way is finished by the next one.
func (a *App) eraseQuickContent(ctx context.Context, wsID string) error {
	if a.sealer == nil {
		return errors.New("app: the log cannot seal content (app/sealedlog), so a quick retro's content cannot be erased")
	}
	streams, err := a.sealedIn(ctx, wsID)
	if err != nil {
		return err
	}
	for _, s := range streams {
		if err := a.sealer.Erase(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// forgetErased drops what this process folded from an erased quick
// retro's streams before their keys were destroyed: the cached aggregates
// (read again, their texts are empty) and, once per sweep, the read models
// that keep texts, folded again from the log. Every node's sweep does this
// for each expiry it has not seen yet, so no node keeps an erased text in
// memory or in a snapshot it saves later, and each learns which streams
// are erased (sealer.Check) so it answers them as expired.
func (a *App) forgetErased(ctx context.Context, st []quickState) {
	if len(st) == 0 {
		return
	}
	for _, s := range st {
		if s.WorkspaceID == "" {
			continue
		}
		streams, err := a.sealedIn(ctx, s.WorkspaceID)
		if err != nil {
			a.d.Logger.Warn("erased quick retro's streams not read; the next sweep tries again", "workspace", s.WorkspaceID, "err", err)
			a.erasedSeen.unsee(s.UserID)
			continue
		}
		var gone ErasedQuickRetro
		for _, id := range streams {
			if _, err := a.sealer.Check(ctx, id); err != nil {
				a.d.Logger.Warn("erased stream not checked", "stream", id, "err", err)
			}
			switch id.Category {
			case workspace.Category:
				a.workspaces.Cache.Forget(id)
			case team.Category:
				a.teams.Cache.Forget(id)
			case retro.Category:
				a.retros.Cache.Forget(id)
				gone.RetroIDs = append(gone.RetroIDs, id.ID)
			case survey.Category:
				a.surveys.Cache.Forget(id)
			case board.Category:
				a.boards.Cache.Forget(id)
			case board.ContentCategory:
				a.access.forget(id.ID)
				gone.DocIDs = append(gone.DocIDs, id.ID)
			}
		}
		a.erasedWatch.tell(gone)
	}
	if a.rm.runner == nil {
		return
	}
	// The read models that keep texts are folded again, so neither they
	// nor their snapshots keep an erased text.
	a.invalidateTextModels()
	for _, name := range textModels {
		if err := a.rm.runner.Rebuild(ctx, name); err != nil && ctx.Err() == nil {
			a.d.Logger.Warn("read model not folded again after a quick retro's erasure; the next sweep tries again", "projection", name, "err", err)
			for _, s := range st {
				a.erasedSeen.unsee(s.UserID)
			}
		}
	}
}

// textModels are the read models that keep texts (retro and action
// titles, health questions).
var textModels = []string{teamhistory.Name, actiontracker.Name, healthtrends.Name}

// invalidateTextModels deletes the snapshots of the read models that keep
// texts and saves none until they are folded again: called before keys are
// destroyed, so no snapshot written after holds a text read before.
func (a *App) invalidateTextModels() {
	if a.rm.runner == nil {
		return
	}
	for _, name := range textModels {
		if err := a.rm.runner.Invalidate(name); err != nil {
			a.d.Logger.Warn("read model's snapshot not invalidated before an erasure", "projection", name, "err", err)
		}
	}
}

// erasedContent refuses a stream whose quick retro expired: its texts are
// gone, and the people who still hold a session into it are told so.
func (a *App) erasedContent(stream eventstore.StreamID) error {
	if a.sealer == nil || !a.sealer.Erased(stream) {
		return nil
	}
	return domain.Errorf(domain.NotFound, CodeQuickRetroExpired, "%s %s belonged to a quick retro that expired; what was written in it was erased", stream.Category, stream.ID)
}

// erasedSet remembers which erased quick retros this process has
// forgotten (by their starter's user ID).
type erasedSet struct {
	mu   sync.Mutex
	seen map[string]struct{}
}

// see reports whether id is new, and remembers it.
func (s *erasedSet) see(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[id]; ok {
		return false
	}
	if s.seen == nil {
		s.seen = map[string]struct{}{}
	}
	s.seen[id] = struct{}{}
	return true
}

func (s *erasedSet) unsee(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.seen, id)
}

// ErasedQuickRetro names what of an expired quick retro was erased that
// people may still hold open: its retros (live feeds) and its whiteboards'
// and private notes' documents (sync connections).
type ErasedQuickRetro struct {
	RetroIDs []string
	DocIDs   []string
}

// QuickRetroExpiredDetail is what a connection cut at a quick retro's
// expiry is told, for its client to show; QuickRetroExpiredReason the same
// after its code.
const (
	QuickRetroExpiredDetail = "this quick retro expired and what was written in it was erased"
	QuickRetroExpiredReason = CodeQuickRetroExpired + ": " + QuickRetroExpiredDetail
)

// OnQuickRetroErased calls fn for every quick retro this process sees
// erased (its own sweep's, and another node's at this node's next sweep),
// after its keys are destroyed and its cached states dropped, so whoever
// serves open connections can end them. fn must not block.
func (a *App) OnQuickRetroErased(fn func(ErasedQuickRetro)) { a.erasedWatch.add(fn) }

type erasedWatchers struct {
	mu  sync.Mutex
	fns []func(ErasedQuickRetro)
}

func (w *erasedWatchers) add(fn func(ErasedQuickRetro)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fns = append(w.fns, fn)
}

func (w *erasedWatchers) tell(e ErasedQuickRetro) {
	if len(e.RetroIDs) == 0 && len(e.DocIDs) == 0 {
		return
	}
	w.mu.Lock()
	fns := slices.Clone(w.fns)
	w.mu.Unlock()
	for _, fn := range fns {
		fn(e)
	}
}
