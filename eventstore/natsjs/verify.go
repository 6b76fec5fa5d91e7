package natsjs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// Damage checks. JetStream recovers a damaged stream file by dropping what
// it cannot read: a truncated file loses the commits at its end (the
// stream's state still counts them, as deleted), an emptied one loses all
// (the first sequence moves past the last), and a corrupted message is
// skipped by readers. Verify reads the whole log to find all three: every
// position from 1 to the end must hold a commit that decodes, and each
// stream's versions must follow on without a gap (the commit chain).
//
// A stream's files removed or replaced leave nothing to compare with, so
// the embedded store also keeps a mark outside them, in the data folder:
// the highest position it knows was written (raised every few seconds and
// at Close, fsynced). A log that ends before its mark lost its end.

// Finding is one piece of damage Verify found.
type Finding struct {
	// Key names the damage, so that an operator's acceptance of it
	// (AcceptDamage) still holds at the next check.
	Key string
	// What says what is missing or unreadable, naming positions and streams.
	What string
}

// Report is what Verify found.
type Report struct {
	// LastPosition is the log's end as the server reports it.
	LastPosition uint64
	// Commits and Streams are how many of each were read whole.
	Commits uint64
	Streams int
	// Findings is the damage not accepted before; Accepted counts the rest.
	Findings []Finding
	Accepted int
	// More counts findings left out of Findings to keep it short.
	More int
}

// maxFindings bounds a report's list.
const maxFindings = 50

// Err is nil for an undamaged log, otherwise an error wrapping
// eventstore.ErrDataLoss that lists the findings.
func (r Report) Err() error {
	if len(r.Findings) == 0 {
		return nil
	}
	whats := make([]string, 0, len(r.Findings)+1)
	for _, f := range r.Findings {
		whats = append(whats, f.What)
	}
	if r.More > 0 {
		whats = append(whats, fmt.Sprintf("and %d more", r.More))
	}
	return fmt.Errorf("%w: the event log is damaged: %s", eventstore.ErrDataLoss, strings.Join(whats, "; "))
}

func (r *Report) add(accepted map[string]bool, key, what string, args ...any) {
	switch {
	case accepted[key]:
		r.Accepted++
	case len(r.Findings) >= maxFindings:
		r.More++
	default:
		r.Findings = append(r.Findings, Finding{Key: key, What: fmt.Sprintf(what, args...)})
	}
}

func (r *Report) missing(accepted map[string]bool, from, to uint64) {
	if from == to {
		r.add(accepted, fmt.Sprintf("missing:%d", from), "the commit at position %d is missing", from)
		return
	}
	r.add(accepted, fmt.Sprintf("missing:%d-%d", from, to), "the commits at positions %d to %d are missing", from, to)
}

// Verify reads the whole log and reports what is missing or unreadable.
// onStream, when set, is called once for each stream in the log, at its
// first commit. The error is for a check that could not run; damage is in
// the report (see Report.Err).
func (s *Store) Verify(ctx context.Context, onStream func(eventstore.StreamID)) (Report, error) {
	var rep Report
	if s.isClosed() {
		return rep, eventstore.ErrClosed
	}
	m, err := s.readMark()
	if err != nil {
		return rep, err
	}
	accepted := map[string]bool{}
	for _, k := range m.Accepted {
		accepted[k] = true
	}
	ictx, cancel := s.withTimeout(ctx)
	st, err := s.js.Stream(ictx, s.cfg.Stream)
	cancel()
	if err != nil {
		return rep, s.fail("verify: stream state", err)
	}
	info := st.CachedInfo()
	state := info.State
	last := state.LastSeq
	// A stream an operator set up for more subjects than ours has positions
	// that hold other messages, which a gap cannot tell from lost commits.
	ours := len(info.Config.Subjects) == 1 && info.Config.Subjects[0] == s.cfg.SubjectPrefix+".>"
	missing := func(from, to uint64) {
		if ours {
			rep.missing(accepted, from, to)
		}
	}
	rep.LastPosition = last
	if m.LastPosition > last {
		rep.add(accepted, fmt.Sprintf("end:%d-%d", last+1, m.LastPosition),
			"the log ends at position %d but held commits up to %d: the commits at positions %d to %d are missing",
			last, m.LastPosition, last+1, m.LastPosition)
	}

	expected := uint64(1) // the next position a commit must be at
	versions := map[eventstore.StreamID]int64{}
	h := func(_ context.Context, e eventstore.RecordedEvent) error {
		if e.Index == 0 {
			if e.Position > expected {
				missing(expected, e.Position-1)
			}
			expected = e.Position + 1
			rep.Commits++
			prev, known := versions[e.Stream]
			if !known && onStream != nil {
				onStream(e.Stream)
			}
			if e.StreamVersion != prev+1 {
				rep.add(accepted, fmt.Sprintf("chain:%s:%d-%d", e.Stream, prev+1, e.StreamVersion-1),
					"stream %s lacks versions %d to %d (its commit at position %d follows version %d)",
					e.Stream, prev+1, e.StreamVersion-1, e.Position, prev)
			}
		}
		versions[e.Stream] = e.StreamVersion
		if !json.Valid(e.Payload) {
			rep.add(accepted, fmt.Sprintf("payload:%d:%d", e.Position, e.Index),
				"event %d of the commit at position %d (stream %s, version %d) is not valid JSON",
				e.Index, e.Position, e.Stream, e.StreamVersion)
		}
		return nil
	}
	if state.Msgs > 0 {
		// consume stops at the end or at the last commit there is; one
		// that does not decode stops it too, and the read goes on after it.
		after := uint64(0)
		for after < last {
			_, err := s.consume(ctx, &after, last, h)
			var bad *malformedError
			if errors.As(err, &bad) {
				if bad.seq > expected {
					missing(expected, bad.seq-1)
				}
				expected, after = bad.seq+1, bad.seq
				rep.add(accepted, fmt.Sprintf("unreadable:%d", bad.seq), "the commit at position %d does not decode: %v", bad.seq, bad.err)
				continue
			}
			if err != nil {
				return rep, fmt.Errorf("natsjs: verify: %w", err)
			}
			break
		}
	}
	if expected <= last {
		missing(expected, last)
	}
	rep.Streams = len(versions)
	return rep, nil
}

// The mark, embedded mode only.

const markFile = "eventlog.mark"

type mark struct {
	Stream       string   `json:"stream"`
	LastPosition uint64   `json:"lastPosition"`
	Accepted     []string `json:"accepted,omitempty"`
}

// markInterval is how often the mark is raised while appends go on.
const markInterval = 5 * time.Second

// marker keeps the mark file and the highest position acknowledged.
type marker struct {
	path  string
	mu    sync.Mutex
	mark  mark
	acked uint64
}

func (s *Store) readMark() (mark, error) {
	if s.marker == nil {
		return mark{}, nil
	}
	s.marker.mu.Lock()
	defer s.marker.mu.Unlock()
	return s.marker.mark, nil
}

// loadMarker reads the data folder's mark; none yet is a mark at zero.
func loadMarker(dir, stream string) (*marker, error) {
	mk := &marker{path: filepath.Join(dir, markFile), mark: mark{Stream: stream}}
	b, err := os.ReadFile(mk.path)
	if errors.Is(err, os.ErrNotExist) {
		return mk, nil
	}
	if err != nil {
		return nil, fmt.Errorf("natsjs: read the log's mark %s: %w", mk.path, err)
	}
	if err := json.Unmarshal(b, &mk.mark); err != nil {
		return nil, fmt.Errorf("natsjs: the log's mark %s is damaged (%v); it says how far the log went: remove it only if the log is known to be whole", mk.path, err)
	}
	if mk.mark.Stream != stream {
		// The mark of another stream name in the same folder says nothing
		// of this one.
		mk.mark = mark{Stream: stream}
	}
	return mk, nil
}

// noteAcked records that position holds an acknowledged commit.
func (mk *marker) noteAcked(position uint64) {
	mk.mu.Lock()
	mk.acked = max(mk.acked, position)
	mk.mu.Unlock()
}

// raise writes the mark up to the highest acknowledged position, never down.
func (mk *marker) raise() error {
	mk.mu.Lock()
	defer mk.mu.Unlock()
	if mk.acked <= mk.mark.LastPosition {
		return nil
	}
	m := mk.mark
	m.LastPosition = mk.acked
	if err := writeFileSync(mk.path, m); err != nil {
		return err
	}
	mk.mark = m
	return nil
}

// AcceptDamage records that an operator accepted the damage in rep: later
// checks no longer report it, and the mark moves to where the log ends now.
// Embedded mode only; elsewhere the damage is reported again.
func (s *Store) AcceptDamage(rep Report) error {
	if s.marker == nil {
		return nil
	}
	mk := s.marker
	mk.mu.Lock()
	defer mk.mu.Unlock()
	m := mk.mark
	m.Accepted = slices.Clone(m.Accepted)
	for _, f := range rep.Findings {
		if !slices.Contains(m.Accepted, f.Key) {
			m.Accepted = append(m.Accepted, f.Key)
		}
	}
	m.LastPosition = rep.LastPosition
	if err := writeFileSync(mk.path, m); err != nil {
		return err
	}
	mk.mark = m
	mk.acked = max(mk.acked, m.LastPosition)
	return nil
}

// writeFileSync replaces path with v as JSON, durably.
func writeFileSync(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("natsjs: write %s: %w", path, err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("natsjs: write %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
