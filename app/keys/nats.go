package keys

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// DefaultBucket is the NATS KV bucket the server keeps its keys in.
const DefaultBucket = "HINDSIGHT_KEYS"

// Stored values carry a tag, so that a tombstone can never be mistaken for
// a key and a value of another format is refused.
var (
	// wrappedTag starts a key sealed under a key-encryption key (KEK):
	// "hskey2:<epoch>:" and then what Seal produced.
	wrappedTag = []byte("hskey2:")
	// legacyTag starts a raw key written by earlier versions; it is read,
	// and wrapped on the first read or rotation.
	legacyTag    = []byte("hskey1:")
	tombstoneVal = []byte("hskey1-destroyed")
	kekTag       = []byte("hskek1:")
)

// Control entries share the keys' bucket. Subject entries are base64url
// names, which never hold a dot, so these can never collide with one.
const (
	// epochKey names the current KEK epoch and the destroy request the
	// rotation into it covers: "<epoch>:<covers>".
	epochKey = "ctl.epoch"
	// dueKey is written by every Destroy and Rotate; its revision orders
	// requests, and a rotation covers every request written before it
	// moved the epoch.
	dueKey = "ctl.due"
	// kekEntry is the one entry of a KEK bucket.
	kekEntry = "kek"
)

// bucketHistory is one: a tombstone replaces the key it destroys, and no
// old value stays retrievable through the bucket.
const bucketHistory = 1

// retiredRetries bounds how often a reader re-reads an entry whose KEK was
// just retired: a rotation or the entry's creator re-wraps it within
// moments, unless that creator died in between.
const retiredRetries = 40

// spareKEKs is how many KEKs of the coming epochs are kept ready: how many
// destroys complete while a cluster can place no new stream.
const spareKEKs = 2

// spareTimeout bounds the making of spares, which a cluster with a server
// down may neither refuse nor grant quickly.
const spareTimeout = 10 * time.Second

// errRetired: a KEK epoch's bucket is gone (or was re-made with another
// key), so what was wrapped under it can no longer be opened.
var errRetired = errors.New("keys: key-encryption key retired")

// NATS keeps keys in a JetStream key-value bucket shared by every node of the
// cluster. No key is ever written in the clear: each is sealed (AES-256-GCM)
// under the key-encryption key (KEK) of the current epoch, and each KEK lives
// alone in a bucket of its own, "<bucket>_KEK_<epoch>".
//
// JetStream never erases a message's bytes when it is replaced or purged;
// they stay in the stream's block files until compaction, on every replica.
// Deleting a whole stream, though, removes its files on every replica. So
// Destroy writes a tombstone and then rotates: it moves the cluster to a new
// epoch, re-wraps every live key under the new KEK, and deletes the buckets
// of all older KEKs. From then on every copy of the destroyed key still lying
// in block files is sealed under a KEK that exists nowhere.
//
// Concurrency across nodes rests on compare-and-set writes: a key is
// created with Create, re-wrapped with Update at the revision it was read
// at, and the epoch pointer moves with Update too. Whoever writes a key under
// an epoch checks the pointer afterwards and re-wraps the key itself if the
// pointer moved meanwhile, so a rotation that already scanned the bucket
// cannot leave it behind. Reads go to the stream leader (direct gets are
// turned off), so a node never acts on a replica's stale pointer.
type NATS struct {
	js       jetstream.JetStream
	sync     func(context.Context) error // nil: JetStream's fsync suffices
	kv       jetstream.KeyValue
	stream   jetstream.Stream
	bucket   string
	replicas int

	mu   sync.Mutex // guards keks
	keks map[uint64][]byte
	// rotMu lets one rotation at a time run in this process; callers
	// queued behind it usually find their request covered already.
	rotMu sync.Mutex
	// beforeCreate, when set by a test, runs between choosing the epoch
	// of a new key and writing it: the moment a rotation elsewhere hurts.
	beforeCreate func()
	// cache keeps keys opened lately (see keyCache).
	cache *keyCache
}

// NATSOption adjusts the store NewNATS opens.
type NATSOption func(*natsOptions)

type natsOptions struct {
	bucket jetstream.KeyValueConfig
	sync   func(context.Context) error
}

// WithReplicas sets the bucket's replica count (3 on a production cluster).
// KEK buckets get the same count.
func WithReplicas(n int) NATSOption {
	return func(o *natsOptions) { o.bucket.Replicas = n }
}

// WithSync is for a NATS server that does not fsync each write itself (the
// embedded one, whose log fsyncs in groups): every write to the buckets,
// and every bucket made or deleted, then waits for sync, which returns once
// what was written before it is on disk. So a key is on disk before it
// seals anything, a re-wrapped key before its old KEK is deleted.
func WithSync(sync func(context.Context) error) NATSOption {
	return func(o *natsOptions) { o.sync = sync }
}

// durable waits until the store's writes so far are on disk.
func (n *NATS) durable(ctx context.Context, err error) error {
	if err != nil || n.sync == nil {
		return err
	}
	if err := n.sync(ctx); err != nil {
		return fmt.Errorf("keys: put the key store's writes on disk: %w", err)
	}
	return nil
}

// syncedKV is a bucket whose writes return once they are on disk.
type syncedKV struct {
	jetstream.KeyValue
	n *NATS
}

func (k syncedKV) Put(ctx context.Context, key string, value []byte) (uint64, error) {
	rev, err := k.KeyValue.Put(ctx, key, value)
	return rev, k.n.durable(ctx, err)
}

func (k syncedKV) PutString(ctx context.Context, key string, value string) (uint64, error) {
	rev, err := k.KeyValue.PutString(ctx, key, value)
	return rev, k.n.durable(ctx, err)
}

func (k syncedKV) Create(ctx context.Context, key string, value []byte, opts ...jetstream.KVCreateOpt) (uint64, error) {
	rev, err := k.KeyValue.Create(ctx, key, value, opts...)
	return rev, k.n.durable(ctx, err)
}

func (k syncedKV) Update(ctx context.Context, key string, value []byte, revision uint64) (uint64, error) {
	rev, err := k.KeyValue.Update(ctx, key, value, revision)
	return rev, k.n.durable(ctx, err)
}

func (k syncedKV) Delete(ctx context.Context, key string, opts ...jetstream.KVDeleteOpt) error {
	return k.n.durable(ctx, k.KeyValue.Delete(ctx, key, opts...))
}

func (k syncedKV) Purge(ctx context.Context, key string, opts ...jetstream.KVDeleteOpt) error {
	return k.n.durable(ctx, k.KeyValue.Purge(ctx, key, opts...))
}

// NewNATS opens the bucket, creating it with file storage if it is missing,
// and finishes a rotation an earlier process left unfinished. An existing
// bucket is used as it is, except that direct (replica) reads are turned off.
func NewNATS(ctx context.Context, js jetstream.JetStream, bucket string, opts ...NATSOption) (*NATS, error) {
	if js == nil {
		return nil, errors.New("keys: NATS store needs a JetStream context")
	}
	if bucket == "" {
		bucket = DefaultBucket
	}
	o := natsOptions{bucket: jetstream.KeyValueConfig{
		Bucket:      bucket,
		Description: "Hindsight keys kept outside the log, wrapped",
		Storage:     jetstream.FileStorage,
		History:     bucketHistory,
	}}
	for _, opt := range opts {
		opt(&o)
	}
	n := &NATS{js: js, sync: o.sync, bucket: bucket, keks: map[uint64][]byte{}}
	kv, err := n.openBucket(ctx, o.bucket)
	if err != nil {
		return nil, err
	}
	stream, err := js.Stream(ctx, "KV_"+bucket)
	if err != nil {
		return nil, fmt.Errorf("keys: open the stream of bucket %s: %w", bucket, err)
	}
	n.kv, n.stream, n.replicas = kv, stream, max(stream.CachedInfo().Config.Replicas, 1)
	if err := n.start(ctx); err != nil {
		return nil, err
	}
	if n.cache, err = n.watchKeys(ctx); err != nil {
		return nil, err
	}
	return n, nil
}

// openBucket binds the bucket cfg names, creating it if missing, with
// direct gets off: a direct get may be answered by a lagging replica.
func (n *NATS) openBucket(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	js := n.js
	_, err := js.KeyValue(ctx, cfg.Bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		_, err = js.CreateKeyValue(ctx, cfg)
		if errors.Is(err, jetstream.ErrBucketExists) {
			// Another node created it between our two calls.
			err = nil
		} else {
			err = n.durable(ctx, err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("keys: open bucket %s: %w", cfg.Bucket, err)
	}
	stream, err := js.Stream(ctx, "KV_"+cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("keys: open the stream of bucket %s: %w", cfg.Bucket, err)
	}
	if sc := stream.CachedInfo().Config; sc.AllowDirect {
		sc.AllowDirect = false
		if _, err := js.UpdateStream(ctx, sc); err != nil {
			return nil, fmt.Errorf("keys: turn off direct reads of bucket %s: %w", cfg.Bucket, err)
		}
	}
	kv, err := js.KeyValue(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("keys: open bucket %s: %w", cfg.Bucket, err)
	}
	if n.sync != nil {
		return syncedKV{KeyValue: kv, n: n}, nil
	}
	return kv, nil
}

var _ Store = (*NATS)(nil)

// start makes sure a first epoch exists, wraps the raw keys an earlier
// version left when this version first opens the bucket, and completes any
// destroy whose rotation a crashed process left undone.
func (n *NATS) start(ctx context.Context) error {
	p, err := n.readPointer(ctx)
	if err != nil {
		return err
	}
	if p.rev == 0 {
		if _, err := n.ensureKEK(ctx, 1); err != nil {
			return err
		}
		_, err := n.kv.Create(ctx, epochKey, encodePointer(1, 0))
		if err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
			return fmt.Errorf("keys: write first epoch: %w", err)
		}
		if p, err = n.readPointer(ctx); err != nil {
			return err
		}
		// Raw keys missed here (a crash) are wrapped when next read.
		if err := n.rewrapAll(ctx, p.epoch); err != nil && !errors.Is(err, errRetired) {
			return err
		}
	}
	due, err := n.dueRevision(ctx)
	if err != nil {
		return err
	}
	return n.shredUpTo(ctx, due)
}

func (n *NATS) Get(ctx context.Context, subject string) ([]byte, error) {
	if err := ValidateSubject(subject); err != nil {
		return nil, err
	}
	name := encodeSubject(subject)
	k, gen := n.cache.get(name)
	if k != nil {
		return k, nil
	}
	e, err := n.kv.Get(ctx, name)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return nil, fmt.Errorf("subject %q: %w", subject, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: get %q: %w", subject, err)
	}
	k, err = n.open(ctx, subject, e)
	if err == nil {
		n.cache.put(name, k, gen)
	}
	return k, err
}

func (n *NATS) GetOrCreate(ctx context.Context, subject string) ([]byte, error) {
	for {
		k, err := n.Get(ctx, subject)
		if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrDestroyed) {
			return k, err
		}
		p, kek, err := n.current(ctx)
		if err != nil {
			return nil, err
		}
		k, err = newKey()
		if err != nil {
			return nil, err
		}
		v, err := wrapValue(kek, p.epoch, subject, k)
		if err != nil {
			return nil, err
		}
		if n.beforeCreate != nil {
			n.beforeCreate()
		}
		name := encodeSubject(subject)
		rev, err := n.kv.Create(ctx, name, v)
		if errors.Is(err, jetstream.ErrKeyExists) {
			continue // another node wrote first (a key or a tombstone): use what it wrote
		}
		if err != nil {
			return nil, fmt.Errorf("keys: create %q: %w", subject, err)
		}
		return n.settle(ctx, subject, k, p.epoch, rev)
	}
}

// Destroy writes a tombstone and rotates the KEK, so that when it returns
// nil no key-encryption key that ever wrapped the subject's key exists any
// more. If the rotation fails, the tombstone stands (the key is unusable)
// and the next Destroy, Rotate or start of a store finishes the rotation.
func (n *NATS) Destroy(ctx context.Context, subject string) error {
	if err := ValidateSubject(subject); err != nil {
		return err
	}
	name := encodeSubject(subject)
	// Forgotten before the tombstone and again after it: a read in flight
	// across either cannot cache the key (see keyCache).
	n.cache.forget(name)
	_, err := n.kv.Put(ctx, name, tombstoneVal)
	n.cache.forget(name)
	if err != nil {
		return fmt.Errorf("keys: write tombstone of %q: %w", subject, err)
	}
	// Drop earlier values from the bucket's index, also in a bucket made
	// elsewhere with a longer history. Their bytes stay in block files,
	// sealed under KEKs the rotation below deletes.
	subj := "$KV." + n.bucket + "." + name
	if err := n.durable(ctx, n.stream.Purge(ctx, jetstream.WithPurgeSubject(subj), jetstream.WithPurgeKeep(1))); err != nil {
		return fmt.Errorf("keys: purge history of %q: %w", subject, err)
	}
	if err := n.Rotate(ctx); err != nil {
		return fmt.Errorf("keys: %q is destroyed but its key-encryption key is not rotated yet: %w", subject, err)
	}
	return nil
}

// Rotate moves every node to a new KEK, re-wraps every live key under it and
// deletes every older KEK bucket. It returns once that is done, by this
// process or by another node that rotated after the request was recorded.
func (n *NATS) Rotate(ctx context.Context) error {
	rev, err := n.kv.Put(ctx, dueKey, []byte("rotate"))
	if err != nil {
		return fmt.Errorf("keys: record rotation request: %w", err)
	}
	return n.shredUpTo(ctx, rev)
}

// Epoch reports the current KEK epoch, for operators and tests.
func (n *NATS) Epoch(ctx context.Context) (uint64, error) {
	p, err := n.readPointer(ctx)
	return p.epoch, err
}

// shredUpTo returns once a rotation that started after request due was
// recorded has finished.
func (n *NATS) shredUpTo(ctx context.Context, due uint64) error {
	n.rotMu.Lock()
	defer n.rotMu.Unlock()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := n.readPointer(ctx)
		if err != nil {
			return err
		}
		if p.covers >= due {
			return n.finish(ctx)
		}
		// Read the newest request before moving the pointer, so this
		// rotation covers every request recorded until now.
		latest, err := n.dueRevision(ctx)
		if err != nil {
			return err
		}
		next := p.epoch + 1
		if _, err := n.ensureKEK(ctx, next); err != nil {
			return err
		}
		_, err = n.kv.Update(ctx, epochKey, encodePointer(next, max(latest, due)), p.rev)
		if err != nil && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return fmt.Errorf("keys: move to epoch %d: %w", next, err)
		}
		// Moved, or another node moved first: look again.
	}
}

// finish re-wraps every live key under the current epoch and then deletes
// the buckets of all older KEKs. Any node may run it at any time; it does
// nothing when no older KEK bucket is left.
func (n *NATS) finish(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := n.readPointer(ctx)
		if err != nil {
			return err
		}
		epochs, err := n.kekEpochs(ctx)
		if err != nil {
			return err
		}
		var old []uint64
		for _, e := range epochs {
			if e < p.epoch {
				old = append(old, e)
			}
		}
		if len(old) == 0 {
			n.forgetKEKsBefore(p.epoch)
			n.prepareSpares(ctx, p.epoch, epochs)
			return nil
		}
		if err := n.rewrapAll(ctx, p.epoch); errors.Is(err, errRetired) {
			if now, err := n.readPointer(ctx); err != nil || now.rev == p.rev {
				return errors.Join(err, n.missing(p.epoch))
			}
			continue // the pointer moved on meanwhile
		} else if err != nil {
			return err
		}
		for _, e := range old {
			if err := n.durable(ctx, n.js.DeleteKeyValue(ctx, kekBucket(n.bucket, e))); err != nil && !errors.Is(err, jetstream.ErrBucketNotFound) {
				return fmt.Errorf("keys: delete key-encryption key of epoch %d: %w", e, err)
			}
		}
		// Loop once more: it confirms nothing older is left.
	}
}

// prepareSpares makes sure the KEK buckets of the next spareKEKs epochs
// exist. A cluster with a server down cannot place a new stream on three
// replicas, but it can still use, update and delete existing ones: with
// spares made while it was whole, destroys keep completing during an
// outage. Failing here is not an error; the rotation that needs a missing
// spare makes it then, or reports that it cannot.
func (n *NATS) prepareSpares(ctx context.Context, epoch uint64, have []uint64) {
	ctx, cancel := context.WithTimeout(ctx, spareTimeout)
	defer cancel()
	for e := epoch + 1; e <= epoch+spareKEKs; e++ {
		if slices.Contains(have, e) {
			continue
		}
		if _, err := n.ensureKEK(ctx, e); err != nil {
			return
		}
	}
}

// rewrapAll re-wraps every live key wrapped under an epoch before epoch
// (raw keys of earlier versions included) under epoch.
func (n *NATS) rewrapAll(ctx context.Context, epoch uint64) error {
	info, err := n.stream.Info(ctx, jetstream.WithSubjectFilter("$KV."+n.bucket+".*"))
	if err != nil {
		return fmt.Errorf("keys: list keys: %w", err)
	}
	kek, err := n.kek(ctx, epoch)
	if err != nil {
		return err
	}
	prefix := "$KV." + n.bucket + "."
	for subj := range info.State.Subjects {
		name := strings.TrimPrefix(subj, prefix)
		raw, err := base64.RawURLEncoding.DecodeString(name)
		if err != nil || ValidateSubject(string(raw)) != nil {
			continue // not an entry of ours
		}
		if err := n.rewrapOne(ctx, string(raw), name, epoch, kek); err != nil {
			return err
		}
	}
	return nil
}

func (n *NATS) rewrapOne(ctx context.Context, subject, name string, epoch uint64, kek []byte) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		e, err := n.kv.Get(ctx, name)
		if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("keys: get %q: %w", subject, err)
		}
		v, err := parseValue(subject, e.Value())
		if err != nil || v.destroyed || v.epoch >= epoch {
			// A value of another format is refused when read, not
			// rewritten here.
			return nil
		}
		k, err := n.unwrap(ctx, subject, v)
		if errors.Is(err, errRetired) {
			// Its creator is re-wrapping it right now, or died before
			// it could: either way no KEK of ours opens it.
			return nil
		}
		if err != nil {
			return err
		}
		w, err := wrapValue(kek, epoch, subject, k)
		clear(k)
		if err != nil {
			return err
		}
		_, err = n.kv.Update(ctx, name, w, e.Revision())
		if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			continue // changed meanwhile: look again
		}
		if err != nil {
			return fmt.Errorf("keys: re-wrap %q: %w", subject, err)
		}
		return nil
	}
}

// open unwraps entry e of subject and settles it under the current epoch.
func (n *NATS) open(ctx context.Context, subject string, e jetstream.KeyValueEntry) ([]byte, error) {
	name := encodeSubject(subject)
	for attempt := 0; ; attempt++ {
		v, err := parseValue(subject, e.Value())
		if err != nil {
			return nil, err
		}
		if v.destroyed {
			return nil, fmt.Errorf("subject %q: %w", subject, ErrDestroyed)
		}
		k, err := n.unwrap(ctx, subject, v)
		if errors.Is(err, errRetired) && attempt < retiredRetries {
			// A rotation just retired its KEK and re-wraps it, or its
			// creator does: read it again shortly. Unless its epoch is
			// still the current one: then nobody will, and waiting
			// would only delay the error.
			p, perr := n.readPointer(ctx)
			if perr != nil {
				return nil, perr
			}
			if v.epoch >= p.epoch {
				return nil, fmt.Errorf("keys: open key of %q: %w", subject, n.missing(v.epoch))
			}
			if err := pause(ctx, attempt); err != nil {
				return nil, err
			}
			e, err = n.kv.Get(ctx, name)
			if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
				return nil, fmt.Errorf("subject %q: %w", subject, ErrNotFound)
			}
			if err != nil {
				return nil, fmt.Errorf("keys: get %q: %w", subject, err)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("keys: open key of %q (epoch %d): %w", subject, v.epoch, err)
		}
		return n.settle(ctx, subject, k, v.epoch, e.Revision())
	}
}

// settle makes sure the key k, stored for subject under epoch at revision
// rev, is wrapped under the current epoch, re-wrapping it if a rotation
// moved the pointer since; a rotation that scanned the bucket before the
// write would otherwise delete the only KEK that opens it.
func (n *NATS) settle(ctx context.Context, subject string, k []byte, epoch, rev uint64) ([]byte, error) {
	name := encodeSubject(subject)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, kek, err := n.current(ctx)
		if err != nil {
			return nil, err
		}
		if epoch >= p.epoch {
			return k, nil
		}
		w, err := wrapValue(kek, p.epoch, subject, k)
		if err != nil {
			return nil, err
		}
		r, err := n.kv.Update(ctx, name, w, rev)
		if err == nil {
			epoch, rev = p.epoch, r
			continue
		}
		if !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return nil, fmt.Errorf("keys: re-wrap %q: %w", subject, err)
		}
		// Someone else re-wrapped it (the same key) or destroyed it.
		e, err := n.kv.Get(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("keys: get %q: %w", subject, err)
		}
		v, err := parseValue(subject, e.Value())
		if err != nil {
			return nil, err
		}
		if v.destroyed {
			return nil, fmt.Errorf("subject %q: %w", subject, ErrDestroyed)
		}
		epoch, rev = v.epoch, e.Revision()
	}
}

func (n *NATS) unwrap(ctx context.Context, subject string, v value) ([]byte, error) {
	if v.legacy {
		return append([]byte(nil), v.sealed...), nil
	}
	kek, err := n.kek(ctx, v.epoch)
	if err != nil {
		return nil, err
	}
	k, err := Open(kek, v.sealed, wrapAAD(v.epoch, subject))
	if err != nil {
		// A KEK bucket re-made after its epoch was retired holds
		// another key; for this entry the epoch is gone either way.
		return nil, fmt.Errorf("%w: epoch %d does not open %q", errRetired, v.epoch, subject)
	}
	if len(k) != KeySize {
		return nil, fmt.Errorf("keys: key of %q holds %d bytes, want %d", subject, len(k), KeySize)
	}
	return k, nil
}

// current returns the pointer and the KEK of the current epoch. A KEK
// missing while the pointer still names it is a bucket deleted by hand, and
// only a rotation to a new epoch mends that.
func (n *NATS) current(ctx context.Context) (pointer, []byte, error) {
	for {
		p, err := n.readPointer(ctx)
		if err != nil {
			return pointer{}, nil, err
		}
		kek, err := n.kek(ctx, p.epoch)
		if !errors.Is(err, errRetired) {
			return p, kek, err
		}
		now, err := n.readPointer(ctx)
		if err != nil {
			return pointer{}, nil, err
		}
		if now.rev == p.rev {
			return pointer{}, nil, n.missing(p.epoch)
		}
		// The pointer moved on since we read it: look again.
	}
}

func (n *NATS) missing(epoch uint64) error {
	return fmt.Errorf("keys: the key-encryption key of the current epoch %d is missing from NATS (bucket %s deleted by hand?); hindsight keys rotate starts a new one",
		epoch, kekBucket(n.bucket, epoch))
}

// kek returns the KEK of epoch, from memory or from its bucket.
func (n *NATS) kek(ctx context.Context, epoch uint64) ([]byte, error) {
	n.mu.Lock()
	k, ok := n.keks[epoch]
	n.mu.Unlock()
	if ok {
		return k, nil
	}
	kv, err := n.js.KeyValue(ctx, kekBucket(n.bucket, epoch))
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, fmt.Errorf("%w: epoch %d", errRetired, epoch)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: open key-encryption key of epoch %d: %w", epoch, err)
	}
	e, err := kv.Get(ctx, kekEntry)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) || errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, fmt.Errorf("%w: epoch %d", errRetired, epoch)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: read key-encryption key of epoch %d: %w", epoch, err)
	}
	return n.remember(epoch, e.Value())
}

func (n *NATS) remember(epoch uint64, v []byte) ([]byte, error) {
	if !bytes.HasPrefix(v, kekTag) || len(v) != len(kekTag)+KeySize {
		return nil, fmt.Errorf("keys: key-encryption key of epoch %d is not one this store wrote", epoch)
	}
	k := append([]byte(nil), v[len(kekTag):]...)
	n.mu.Lock()
	defer n.mu.Unlock()
	if old, ok := n.keks[epoch]; ok {
		return old, nil
	}
	n.keks[epoch] = k
	return k, nil
}

func (n *NATS) forgetKEKsBefore(epoch uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for e, k := range n.keks {
		if e < epoch {
			clear(k)
			delete(n.keks, e)
		}
	}
}

// ensureKEK creates the bucket and the KEK of epoch if missing; concurrent
// callers agree on the first KEK written.
func (n *NATS) ensureKEK(ctx context.Context, epoch uint64) ([]byte, error) {
	kv, err := n.openBucket(ctx, jetstream.KeyValueConfig{
		Bucket:      kekBucket(n.bucket, epoch),
		Description: "Hindsight key-encryption key; deleted when rotated out",
		Storage:     jetstream.FileStorage,
		History:     1,
		Replicas:    n.replicas,
	})
	if err != nil {
		return nil, err
	}
	k, err := newKey()
	if err != nil {
		return nil, err
	}
	v := append(append([]byte(nil), kekTag...), k...)
	clear(k)
	if _, err := kv.Create(ctx, kekEntry, v); err != nil {
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return nil, fmt.Errorf("keys: write key-encryption key of epoch %d: %w", epoch, err)
		}
		e, err := kv.Get(ctx, kekEntry)
		if err != nil {
			return nil, fmt.Errorf("keys: read key-encryption key of epoch %d: %w", epoch, err)
		}
		v = e.Value()
	}
	return n.remember(epoch, v)
}

// kekEpochs lists the epochs whose KEK bucket exists.
func (n *NATS) kekEpochs(ctx context.Context) ([]uint64, error) {
	prefix := kekBucket(n.bucket, 0)
	prefix = prefix[:len(prefix)-1]
	names := n.js.KeyValueStoreNames(ctx)
	var epochs []uint64
	for name := range names.Name() {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			if e, err := strconv.ParseUint(rest, 10, 64); err == nil {
				epochs = append(epochs, e)
			}
		}
	}
	if err := names.Error(); err != nil {
		return nil, fmt.Errorf("keys: list key-encryption keys: %w", err)
	}
	return epochs, nil
}

type pointer struct {
	epoch, covers, rev uint64
}

func (n *NATS) readPointer(ctx context.Context) (pointer, error) {
	e, err := n.kv.Get(ctx, epochKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return pointer{}, nil
	}
	if err != nil {
		return pointer{}, fmt.Errorf("keys: read the current epoch: %w", err)
	}
	ep, cov, ok := strings.Cut(string(e.Value()), ":")
	epoch, err1 := strconv.ParseUint(ep, 10, 64)
	covers, err2 := strconv.ParseUint(cov, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return pointer{}, fmt.Errorf("keys: the current epoch entry %q is not one this store wrote", e.Value())
	}
	return pointer{epoch: epoch, covers: covers, rev: e.Revision()}, nil
}

func encodePointer(epoch, covers uint64) []byte {
	return fmt.Appendf(nil, "%d:%d", epoch, covers)
}

func (n *NATS) dueRevision(ctx context.Context) (uint64, error) {
	e, err := n.kv.Get(ctx, dueKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("keys: read rotation requests: %w", err)
	}
	return e.Revision(), nil
}

func kekBucket(bucket string, epoch uint64) string {
	return bucket + "_KEK_" + strconv.FormatUint(epoch, 10)
}

// value is a parsed bucket entry.
type value struct {
	destroyed bool
	legacy    bool // raw key of an earlier version, epoch 0
	epoch     uint64
	sealed    []byte // sealed key, or the raw key when legacy
}

func parseValue(subject string, v []byte) (value, error) {
	switch {
	case bytes.Equal(v, tombstoneVal):
		return value{destroyed: true}, nil
	case bytes.HasPrefix(v, legacyTag) && len(v) == len(legacyTag)+KeySize:
		return value{legacy: true, sealed: v[len(legacyTag):]}, nil
	case bytes.HasPrefix(v, wrappedTag):
		ep, sealed, ok := bytes.Cut(v[len(wrappedTag):], []byte(":"))
		epoch, err := strconv.ParseUint(string(ep), 10, 64)
		if ok && err == nil && epoch > 0 {
			return value{epoch: epoch, sealed: sealed}, nil
		}
	}
	return value{}, fmt.Errorf("keys: value of %q is not a key this store wrote (%d bytes)", subject, len(v))
}

func wrapValue(kek []byte, epoch uint64, subject string, k []byte) ([]byte, error) {
	sealed, err := Seal(kek, k, wrapAAD(epoch, subject))
	if err != nil {
		return nil, err
	}
	out := fmt.Appendf(append([]byte(nil), wrappedTag...), "%d:", epoch)
	return append(out, sealed...), nil
}

// wrapAAD binds a wrapped key to its subject and epoch, so a sealed value
// copied onto another subject does not open.
func wrapAAD(epoch uint64, subject string) []byte {
	return fmt.Appendf(nil, "hindsight-kek:%d:%s", epoch, subject)
}

// pause waits a little longer on each attempt, or until ctx ends.
func pause(ctx context.Context, attempt int) error {
	t := time.NewTimer(time.Duration(attempt+1) * 5 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
