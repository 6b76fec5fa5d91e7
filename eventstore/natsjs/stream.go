package natsjs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// ensureStream creates the stream, or checks and adjusts an existing one.
// An existing stream keeps its subjects and replicas (an operator may have
// set them up for more than this store); it must cover our subjects, keep
// every message, and get the duplicate window, message size and direct gets
// this store relies on.
func (s *Store) ensureStream(ctx context.Context) error {
	want := jetstream.StreamConfig{
		Name:        s.cfg.Stream,
		Description: "hindsight event log: one message per commit",
		Subjects:    []string{s.cfg.SubjectPrefix + ".>"},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxMsgs:     -1,
		MaxBytes:    -1,
		MaxAge:      0,
		MaxMsgSize:  maxMsgSize,
		Storage:     jetstream.FileStorage,
		Replicas:    s.cfg.Replicas,
		Duplicates:  s.cfg.DuplicateWindow,
		AllowDirect: true,
		DenyDelete:  true,
		DenyPurge:   true,
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ConnectTimeout)
	defer cancel()
	st, err := s.js.Stream(ctx, s.cfg.Stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		if _, err = s.js.CreateStream(ctx, want); err == nil {
			return nil
		}
		if !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return fmt.Errorf("natsjs: create stream %s: %w", s.cfg.Stream, err)
		}
		// Another node created it meanwhile: check theirs below.
		st, err = s.js.Stream(ctx, s.cfg.Stream)
	}
	if err != nil {
		return fmt.Errorf("natsjs: look up stream %s: %w", s.cfg.Stream, err)
	}
	have := st.CachedInfo().Config
	if err := s.compatible(have); err != nil {
		return err
	}
	upd := have
	changed := false
	if upd.Duplicates < s.cfg.DuplicateWindow {
		upd.Duplicates, changed = s.cfg.DuplicateWindow, true
	}
	if upd.MaxMsgSize > 0 && upd.MaxMsgSize < maxMsgSize {
		upd.MaxMsgSize, changed = maxMsgSize, true
	}
	if !upd.AllowDirect {
		upd.AllowDirect, changed = true, true
	}
	if !changed {
		return nil
	}
	if _, err := s.js.UpdateStream(ctx, upd); err != nil {
		return fmt.Errorf("natsjs: update stream %s (duplicate window, max message size, direct get): %w", s.cfg.Stream, err)
	}
	s.log.Info("natsjs: adjusted existing stream", "stream", s.cfg.Stream)
	return nil
}

// compatible rejects an existing stream that would lose or hide events.
func (s *Store) compatible(have jetstream.StreamConfig) error {
	ours := s.cfg.SubjectPrefix + ".*.*"
	covered := false
	for _, subj := range have.Subjects {
		if subjectCovers(subj, ours) {
			covered = true
			break
		}
	}
	name := s.cfg.Stream
	switch {
	case !covered:
		return fmt.Errorf("natsjs: stream %s exists with subjects %v, which do not cover %s.<category>.<id>; use another stream name or subject prefix",
			name, have.Subjects, s.cfg.SubjectPrefix)
	case have.Retention != jetstream.LimitsPolicy:
		return fmt.Errorf("natsjs: stream %s exists with %s retention; the event log needs limits retention", name, have.Retention)
	case have.MaxMsgs > 0 || have.MaxBytes > 0 || have.MaxAge > 0 || have.MaxMsgsPerSubject > 0:
		return fmt.Errorf("natsjs: stream %s exists with limits (max msgs %d, bytes %d, age %s, msgs per subject %d) that would delete events",
			name, have.MaxMsgs, have.MaxBytes, have.MaxAge, have.MaxMsgsPerSubject)
	case have.Sealed:
		return fmt.Errorf("natsjs: stream %s is sealed", name)
	case have.Mirror != nil:
		return fmt.Errorf("natsjs: stream %s is a mirror and cannot be written", name)
	}
	return nil
}

// subjectCovers reports whether every subject matching sub also matches the
// stream filter filter.
func subjectCovers(filter, sub string) bool {
	f, t := strings.Split(filter, "."), strings.Split(sub, ".")
	for i, ft := range f {
		if ft == ">" {
			return i < len(t)
		}
		if i >= len(t) {
			return false
		}
		switch {
		case ft == "*":
			if t[i] == ">" {
				return false
			}
		case ft != t[i]:
			return false
		}
	}
	return len(f) == len(t)
}
