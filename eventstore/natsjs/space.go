package natsjs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// A full disk, embedded mode. JetStream meets a failed write by keeping the
// stream's write error for good and never answering the publish: every
// later append would wait for its timeout, also after space was freed, until
// the process restarts. So the store keeps a reserve: an append is refused
// at once (ErrStorageFull) while less than MinFreeBytes are free in the data
// folder. Should JetStream fill the disk anyway (another process wrote to
// it meanwhile), the server's error log line cuts short the appends that
// wait, and once space is back the store restarts JetStream, which reopens
// the stream from its files: every acknowledged write is there, and writes
// go on.
const (
	defaultMinFree = 8 << 20
	spacePoll      = 200 * time.Millisecond
	// noJetStreamCap is the store limit given to JetStream. Left unset,
	// JetStream caps its files at 75% of the space free when it started
	// and refuses every write once that is used, however much is freed
	// later; the disk itself is the limit here, guarded by the reserve.
	noJetStreamCap = 1 << 50
)

// space watches the data folder's free space and JetStream's write errors.
type space struct {
	dir     string
	minFree uint64 // 0: no reserve (tests let JetStream meet a full disk)

	mu     sync.Mutex
	full   bool // the last check found less than the reserve
	broken bool // JetStream failed a write; it restarts once space is back
	// failed ends when JetStream reports a write error, so appends waiting
	// for an acknowledgement that will never come give up at once.
	failed context.Context
	fail   context.CancelFunc
	wake   chan struct{}
}

func newSpace(dir string, minFree int64) *space {
	sp := &space{dir: dir, wake: make(chan struct{}, 1)}
	switch {
	case minFree == 0:
		sp.minFree = defaultMinFree
	case minFree > 0:
		sp.minFree = uint64(minFree)
	}
	sp.failed, sp.fail = context.WithCancel(context.Background())
	return sp
}

// check returns an error wrapping eventstore.ErrStorageFull when an append
// cannot succeed now.
func (sp *space) check() error {
	sp.mu.Lock()
	broken := sp.broken
	sp.mu.Unlock()
	if broken {
		return fmt.Errorf("natsjs: the disk of %s filled up and writes stopped; they resume by themselves once space is freed: %w",
			sp.dir, eventstore.ErrStorageFull)
	}
	if sp.minFree == 0 {
		return nil
	}
	free, ok := freeBytes(sp.dir)
	if !ok || free >= sp.minFree {
		return nil
	}
	sp.mu.Lock()
	sp.full = true
	sp.mu.Unlock()
	sp.poke()
	return fmt.Errorf("natsjs: %d bytes free in %s, less than the %d kept in reserve: %w", free, sp.dir, sp.minFree, eventstore.ErrStorageFull)
}

// failure is what ends when JetStream reports a write error.
func (sp *space) failure() context.Context {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.failed
}

// writeFailed records a write error JetStream reported.
func (sp *space) writeFailed() {
	sp.mu.Lock()
	sp.broken = true
	sp.fail()
	sp.mu.Unlock()
	sp.poke()
}

func (sp *space) poke() {
	select {
	case sp.wake <- struct{}{}:
	default:
	}
}

// resumeAt is how much must be free before writes resume.
func (sp *space) resumeAt() uint64 { return max(sp.minFree, 2*maxMsgSize) }

// isWriteFailure tells the embedded server's log lines about a failed write
// of stream files (nats-server gives no other signal: the publish is
// simply never answered).
func isWriteFailure(line string) bool {
	return strings.Contains(line, "no space left on device") || strings.Contains(line, "Critical write error") ||
		strings.Contains(line, "JetStream out of")
}

// watchSpace runs until ctx ends: while writes are refused, it waits for
// space and then lets them resume, restarting JetStream if it had failed.
// It also raises the log's mark now and then.
func (s *Store) watchSpace(ctx context.Context) {
	sp := s.space
	tick := time.NewTicker(spacePoll)
	defer tick.Stop()
	lastMark := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sp.wake:
		case <-tick.C:
		}
		if time.Since(lastMark) >= markInterval {
			lastMark = time.Now()
			if err := s.marker.raise(); err != nil {
				s.log.Warn("natsjs: the log's mark was not raised", "err", err)
			}
		}
		sp.mu.Lock()
		full, broken := sp.full, sp.broken
		sp.mu.Unlock()
		if !full && !broken {
			continue
		}
		if free, ok := freeBytes(sp.dir); ok && free < sp.resumeAt() {
			continue
		}
		if broken {
			if err := s.restartJetStream(); err != nil {
				s.log.Error("natsjs: space is back but JetStream did not restart; retrying", "err", err)
				continue
			}
		}
		sp.mu.Lock()
		sp.full, sp.broken = false, false
		if sp.failed.Err() != nil {
			sp.failed, sp.fail = context.WithCancel(context.Background())
		}
		sp.mu.Unlock()
		s.log.Info("natsjs: the data folder has room again; writes resume", "dir", sp.dir)
	}
}

// restartJetStream reopens every stream from its files, which clears the
// write error JetStream keeps after a failed write.
func (s *Store) restartJetStream() error {
	s.log.Warn("natsjs: restarting JetStream to resume writes after a full disk")
	if s.srv.JetStreamEnabled() {
		if err := s.srv.ShutdownJetStream(); err != nil {
			return fmt.Errorf("stop JetStream: %w", err)
		}
	}
	cfg := s.jsCfg
	cfg.StoreDir = s.cfg.DataDir
	if err := s.srv.EnableJetStream(&cfg); err != nil {
		return fmt.Errorf("start JetStream: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ConnectTimeout)
	defer cancel()
	if _, err := s.js.Stream(ctx, s.cfg.Stream); err != nil {
		return fmt.Errorf("look up stream %s after the restart: %w", s.cfg.Stream, err)
	}
	if s.group != nil {
		// JetStream read its files again: what they hold is put on disk
		// by the next round like any write.
		s.group.reset()
	}
	return nil
}

// CheckWritable reports whether an append can succeed now: an error wrapping
// eventstore.ErrStorageFull while the embedded server's disk is full. An
// external cluster is not checked (its servers' disks are its own): there,
// an append that meets a full disk fails with ErrStorageFull.
func (s *Store) CheckWritable(context.Context) error {
	if s.isClosed() {
		return eventstore.ErrClosed
	}
	if s.space == nil {
		return nil
	}
	return s.space.check()
}

// isInsufficientResources tells JetStream's answer to a write over its
// storage limits (a cluster's disk full, or a reservation exceeded).
func isInsufficientResources(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jsErrCodeInsufficientResources
}

// jsErrCodeInsufficientResources is nats-server's JSInsufficientResourcesErr,
// which nats.go does not name.
const jsErrCodeInsufficientResources jetstream.ErrorCode = 10023
