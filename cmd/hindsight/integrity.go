package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/natsjs"
)

// A damaged data folder must not be served as if whole: serve checks the
// log, the key store against the log and the read models' snapshots
// against the log before it answers, and refuses to start on damage unless
// the operator accepts the loss (--accept-data-loss). `hindsight verify`
// runs the same checks and exits non-zero on damage.

// acceptHint ends every refusal: what the operator can do.
const acceptHint = "restore the data folder from a backup, or start with --accept-data-loss to serve what is left (this is logged)"

// logVerifier is a store that can check its whole log (natsjs).
type logVerifier interface {
	Verify(ctx context.Context, onStream func(eventstore.StreamID)) (natsjs.Report, error)
	AcceptDamage(natsjs.Report) error
}

var _ logVerifier = (*natsjs.Store)(nil)

// logCheck is what reading the whole log found.
type logCheck struct {
	checked bool // false: the store cannot check its log
	report  natsjs.Report
	// keys are the key subjects the log's streams need.
	keys []string
}

// verifyLog reads the whole log when the store can check it.
func verifyLog(ctx context.Context, store eventstore.Store) (logCheck, error) {
	v, ok := store.(logVerifier)
	if !ok {
		return logCheck{}, nil
	}
	lc := logCheck{checked: true}
	rep, err := v.Verify(ctx, func(id eventstore.StreamID) {
		if subject, ok := identity.PersonalKeySubject(id); ok {
			lc.keys = append(lc.keys, subject)
		}
	})
	if err != nil {
		return lc, fmt.Errorf("check the event log: %w", err)
	}
	lc.report = rep
	return lc, nil
}

// checkLogAtStart verifies the log before serve builds anything on it. On
// damage it refuses, or with --accept-data-loss records the acceptance and
// drops the read models' snapshots, which may hold what the log lost, so
// they are rebuilt from the log.
func checkLogAtStart(ctx context.Context, cfg serveConfig, store eventstore.Store, logger *slog.Logger) (logCheck, error) {
	logger.Info("checking the event log")
	lc, err := verifyLog(ctx, store)
	if err != nil || !lc.checked {
		return lc, err
	}
	damage := lc.report.Err()
	if damage == nil {
		logger.Info("event log checked", "commits", lc.report.Commits, "streams", lc.report.Streams,
			"last_position", lc.report.LastPosition, "accepted_damage", lc.report.Accepted)
		return lc, nil
	}
	if !cfg.AcceptDataLoss {
		return lc, fmt.Errorf("refusing to start: %w; %s", damage, acceptHint)
	}
	logger.Error("DATA LOSS ACCEPTED (--accept-data-loss): serving what the event log still holds", "damage", damage.Error())
	if err := store.(logVerifier).AcceptDamage(lc.report); err != nil {
		return lc, fmt.Errorf("record the accepted loss: %w", err)
	}
	if dir := snapshotDir(cfg, store); dir != "" {
		if err := os.RemoveAll(dir); err != nil {
			return lc, fmt.Errorf("drop the read models' snapshots after a loss: %w", err)
		}
		logger.Warn("read-model snapshots dropped: the read models are rebuilt from the log", "dir", dir)
	}
	return lc, nil
}

// checkKeys asks the key store for every key the log needs. A destroyed key
// is an erasure, not damage; one that never existed there is.
func checkKeys(ctx context.Context, ks keys.Store, subjects []string) (missing []string, err error) {
	for _, subject := range subjects {
		_, err := ks.Get(ctx, subject)
		switch {
		case err == nil, errors.Is(err, keys.ErrDestroyed):
		case errors.Is(err, keys.ErrNotFound):
			missing = append(missing, subject)
		default:
			return nil, fmt.Errorf("check the key store: %w", err)
		}
	}
	return missing, nil
}

// missingKeysError says which keys the log needs and the key store lacks.
func missingKeysError(missing []string, of int) error {
	shown := missing[:min(len(missing), 5)]
	more := ""
	if len(missing) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(missing)-len(shown))
	}
	return fmt.Errorf("%w: the key store lacks the keys of %d of the %d accounts in the event log (%s%s): their personal data cannot be read and they cannot log in",
		eventstore.ErrDataLoss, len(missing), of, strings.Join(shown, ", "), more)
}

// checkKeysAtStart refuses a key store that lacks keys the log needs, or
// with --accept-data-loss destroys them for good: those people's personal
// data is unreadable either way, and a destroyed key reads as an erasure
// from then on.
func checkKeysAtStart(ctx context.Context, cfg serveConfig, ks keys.Store, lc logCheck, logger *slog.Logger) error {
	missing, err := checkKeys(ctx, ks, lc.keys)
	if err != nil || len(missing) == 0 {
		return err
	}
	damage := missingKeysError(missing, len(lc.keys))
	if !cfg.AcceptDataLoss {
		return fmt.Errorf("refusing to start: %w; %s", damage, acceptHint)
	}
	logger.Error("DATA LOSS ACCEPTED (--accept-data-loss): the lost keys are recorded as destroyed; these accounts read as erased",
		"damage", damage.Error())
	for _, subject := range missing {
		if err := ks.Destroy(ctx, subject); err != nil {
			return fmt.Errorf("record the lost key %s as destroyed: %w", subject, err)
		}
	}
	return nil
}
