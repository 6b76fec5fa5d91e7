// Package export writes a team's history as NDJSON, one CloudEvents 1.0
// event (JSON format) per line, and reads such a file back for replay.
//
// Everything written goes through the same redaction as the live feed: a
// retro event is retro.RedactEvent for the caller, against the retro's
// state at that point (concealed card text only to its author, no
// anonymous author, no pseudonym, votes, health answers and ROTI ratings
// only the caller's own); events the caller may not see are left out, as
// the live feed leaves them out. Survey responses are anonymous: only the
// caller's own is written, without its pseudonym. Raw payloads of retro or
// survey content never leave through here.
package export

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections"
)

// Filter chooses what to export.
type Filter struct {
	// TeamID: the team's stream, its retros and the surveys addressed to it.
	TeamID string
	// RetroID, when set, narrows the export to that one retro.
	RetroID string
	// Only events after position After are written, up to Until (0: no
	// bound) and that happened up to UntilTime (zero: none), in the
	// domain's time as replay.Until reads it.
	After     uint64
	Until     uint64
	UntilTime time.Time
}

// Viewer is who the export is for: their user ID, and their pseudonym in a
// retro or survey (from that aggregate's anonymity key; "" when unknown or
// destroyed, and then they are shown nothing as their own).
type Viewer struct {
	UserID    string
	Pseudonym func(aggregateID string) string
}

func (v Viewer) pseudonym(id string) string {
	if v.Pseudonym == nil {
		return ""
	}
	return v.Pseudonym(id)
}

// CloudEvent is one line of an export.
type CloudEvent struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Time            time.Time       `json:"time"`
	Subject         string          `json:"subject"`
	DataContentType string          `json:"datacontenttype"`
	Data            json.RawMessage `json:"data"`
	// Extension attributes (lower-case alphanumerics, as CloudEvents requires).
	Position      uint64 `json:"position"`
	StreamVersion int64  `json:"streamversion"`
	EventIndex    int    `json:"eventindex"`
	SchemaVersion int    `json:"schemaversion"`
	// HindsightType is the type as stored in the log, for replay.
	HindsightType string `json:"hindsighttype"`
}

// ErrNoTeam is returned for an export with no team.
var ErrNoTeam = errors.New("export: a team is required")

// Export writes the filtered history as the viewer may see it. The caller
// has checked that the viewer may read the team.
func Export(ctx context.Context, store eventstore.Store, f Filter, v Viewer, w io.Writer) error {
	if f.TeamID == "" {
		return ErrNoTeam
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	x := &exporter{f: f, v: v, enc: json.NewEncoder(bw), retros: map[string]*retro.State{}, surveys: map[string]bool{}}
	hides, err := cardHides(ctx, store)
	if err != nil {
		return fmt.Errorf("export team %s: %w", f.TeamID, err)
	}
	x.hides = hides
	errStop := errors.New("stop")
	// Read from the start even with After set: a retro's events after it
	// are redacted against the state its earlier events built.
	err = store.ReadAll(ctx, 0, func(ctx context.Context, e eventstore.RecordedEvent) error {
		if f.Until > 0 && e.Position > f.Until {
			return errStop
		}
		if !f.UntilTime.IsZero() && projections.HappenedAfter(e, f.UntilTime) {
			return nil
		}
		return x.event(e)
	})
	if err != nil && !errors.Is(err, errStop) {
		return fmt.Errorf("export team %s: %w", f.TeamID, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export team %s: write: %w", f.TeamID, err)
	}
	return nil
}

// cardHides are the cards a moderator hid, by retro, whenever: a hidden
// card's text is left out of every export, also of its events from before
// the hide (retro.RedactEvent reads hidden cards from the state it is given).
func cardHides(ctx context.Context, store eventstore.Store) (map[string][]retro.Event, error) {
	hides := map[string][]retro.Event{}
	err := store.ReadAll(ctx, 0, func(_ context.Context, e eventstore.RecordedEvent) error {
		if e.Stream.Category != retro.Category || e.Type != retro.TypeCardHidden {
			return nil
		}
		ev, err := retro.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
		if err != nil {
			return fmt.Errorf("position %d: %w", e.Position, err)
		}
		hides[e.Stream.ID] = append(hides[e.Stream.ID], ev)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find hidden cards: %w", err)
	}
	return hides, nil
}

type exporter struct {
	hides   map[string][]retro.Event // CardHidden events by retro
	f       Filter
	v       Viewer
	enc     *json.Encoder
	retros  map[string]*retro.State // the team's retros, folded as read
	surveys map[string]bool         // the team's surveys
}

func (x *exporter) event(e eventstore.RecordedEvent) error {
	id := e.Stream.ID
	var data any
	switch e.Stream.Category {
	case team.Category:
		if id != x.f.TeamID || x.f.RetroID != "" {
			return nil
		}
		ev, err := team.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
		if err != nil {
			return fmt.Errorf("position %d: %w", e.Position, err)
		}
		data = ev
	case retro.Category:
		if x.f.RetroID != "" && id != x.f.RetroID {
			return nil
		}
		ev, err := retro.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
		if err != nil {
			return fmt.Errorf("position %d: %w", e.Position, err)
		}
		st, ok := x.retros[id]
		if !ok {
			c, isCreate := ev.(retro.RetroCreated)
			if !isCreate || c.TeamID != x.f.TeamID {
				return nil
			}
			s := retro.Initial()
			st = &s
			x.retros[id] = st
		}
		// Evolve before redacting: anonymity is fixed before any content,
		// and the state after the event is the one the live feed had.
		*st = retro.Evolve(*st, ev)
		red, ok := retro.RedactEvent(retro.EvolveAll(*st, x.hides[id]), ev, retro.Viewer{UserID: x.v.UserID, Pseudonym: x.v.pseudonym(id)})
		if !ok {
			return nil
		}
		data = red
	case survey.Category:
		if x.f.RetroID != "" {
			return nil
		}
		ev, err := survey.DecodeEvent(e.Type, e.SchemaVersion, e.Payload)
		if err != nil {
			return fmt.Errorf("position %d: %w", e.Position, err)
		}
		if c, ok := ev.(survey.SurveyCreated); ok && slices.Contains(c.TeamIDs, x.f.TeamID) {
			x.surveys[id] = true
		}
		if !x.surveys[id] {
			return nil
		}
		red, ok := redactSurvey(ev, x.v.UserID, x.v.pseudonym(id))
		if !ok {
			return nil
		}
		data = red
	default:
		return nil
	}
	if e.Position <= x.f.After {
		return nil
	}
	payload, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("position %d: encode: %w", e.Position, err)
	}
	return x.enc.Encode(CloudEvent{
		SpecVersion: "1.0", ID: e.EventID, Source: "/hindsight/" + e.Stream.String(),
		Type: "dev.hindsight." + e.Stream.Category + "." + domain.EventName(e.Stream.Category, e.Type),
		Time: e.RecordedAt.UTC(), Subject: id, DataContentType: "application/json", Data: payload,
		Position: e.Position, StreamVersion: e.StreamVersion, EventIndex: e.Index, SchemaVersion: e.SchemaVersion,
		HindsightType: e.Type,
	})
}

// redactSurvey keeps anonymous responses to their respondent and drops the
// pseudonym; named answers only to their author.
func redactSurvey(ev survey.Event, userID, pseudonym string) (survey.Event, bool) {
	switch ev := ev.(type) {
	case survey.ResponseSubmitted:
		if pseudonym == "" || ev.Respondent != pseudonym {
			return nil, false
		}
		ev.Respondent = ""
		return ev, true
	case survey.NamedAnswersSubmitted:
		if userID == "" || ev.Author != userID {
			return nil, false
		}
		return ev, true
	}
	return ev, true
}

// Read reads an export back as recorded events, in order, for replay.
// Events a redaction left out leave gaps; the events of one commit are
// renumbered so a reader can still tell where each commit ends.
func Read(r io.Reader, h func(eventstore.RecordedEvent) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), eventstore.MaxCommitBytes+64<<10)
	var pending []eventstore.RecordedEvent
	flush := func() error {
		for i := range pending {
			pending[i].Index, pending[i].CommitSize = i, len(pending)
			if err := h(pending[i]); err != nil {
				return err
			}
		}
		pending = pending[:0]
		return nil
	}
	line := 0
	for sc.Scan() {
		line++
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var ce CloudEvent
		if err := json.Unmarshal(sc.Bytes(), &ce); err != nil {
			return fmt.Errorf("export line %d: %w", line, err)
		}
		stream, err := eventstore.ParseStreamID(strings.TrimPrefix(ce.Source, "/hindsight/"))
		if err != nil || ce.SpecVersion != "1.0" || ce.HindsightType == "" {
			return fmt.Errorf("export line %d: not a Hindsight CloudEvent (source %q, specversion %q)", line, ce.Source, ce.SpecVersion)
		}
		if len(pending) > 0 && pending[0].Position != ce.Position {
			if err := flush(); err != nil {
				return err
			}
		}
		pending = append(pending, eventstore.RecordedEvent{EventID: ce.ID, Type: ce.HindsightType, Stream: stream,
			StreamVersion: ce.StreamVersion, Position: ce.Position, RecordedAt: ce.Time, SchemaVersion: ce.SchemaVersion,
			Payload: ce.Data})
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("export: read: %w", err)
	}
	return flush()
}
