package keys

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// DefaultBucket is the NATS KV bucket the server keeps its keys in.
const DefaultBucket = "HINDSIGHT_KEYS"

// Stored values carry a tag, so that a tombstone can never be mistaken for
// a key and a value of another format is refused.
var (
	keyTag       = []byte("hskey1:")
	tombstoneVal = []byte("hskey1-destroyed")
)

// bucketHistory is one: a tombstone replaces the key it destroys, and no
// old value stays retrievable.
const bucketHistory = 1

// NATS keeps keys in a JetStream key-value bucket, shared by every node
// connected to the cluster. A new key is written with Create, which fails
// when the key exists, so concurrent nodes converge on the first key
// written. Destroy writes a tombstone value rather than deleting: Create
// succeeds on a deleted key, and a destroyed key must never come back.
type NATS struct {
	kv     jetstream.KeyValue
	stream jetstream.Stream
	bucket string
}

// NATSOption adjusts a bucket NewNATS creates.
type NATSOption func(*jetstream.KeyValueConfig)

// WithReplicas sets the bucket's replica count (3 on a production cluster).
func WithReplicas(n int) NATSOption {
	return func(c *jetstream.KeyValueConfig) { c.Replicas = n }
}

// NewNATS opens the bucket, creating it with file storage if it is missing.
// An existing bucket is used as it is.
func NewNATS(ctx context.Context, js jetstream.JetStream, bucket string, opts ...NATSOption) (*NATS, error) {
	if js == nil {
		return nil, errors.New("keys: NATS store needs a JetStream context")
	}
	if bucket == "" {
		bucket = DefaultBucket
	}
	kv, err := js.KeyValue(ctx, bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		cfg := jetstream.KeyValueConfig{
			Bucket:      bucket,
			Description: "Hindsight keys kept outside the log",
			Storage:     jetstream.FileStorage,
			History:     bucketHistory,
		}
		for _, o := range opts {
			o(&cfg)
		}
		kv, err = js.CreateKeyValue(ctx, cfg)
		if errors.Is(err, jetstream.ErrBucketExists) {
			// Another node created it between our two calls.
			kv, err = js.KeyValue(ctx, bucket)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("keys: open bucket %s: %w", bucket, err)
	}
	stream, err := js.Stream(ctx, "KV_"+bucket)
	if err != nil {
		return nil, fmt.Errorf("keys: open the stream of bucket %s: %w", bucket, err)
	}
	return &NATS{kv: kv, stream: stream, bucket: bucket}, nil
}

var _ Store = (*NATS)(nil)

func (n *NATS) Get(ctx context.Context, subject string) ([]byte, error) {
	if err := ValidateSubject(subject); err != nil {
		return nil, err
	}
	e, err := n.kv.Get(ctx, encodeSubject(subject))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, fmt.Errorf("subject %q: %w", subject, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: get %q: %w", subject, err)
	}
	return decodeValue(subject, e.Value())
}

func (n *NATS) GetOrCreate(ctx context.Context, subject string) ([]byte, error) {
	k, err := n.Get(ctx, subject)
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrDestroyed) {
		return k, err
	}
	k, err = newKey()
	if err != nil {
		return nil, err
	}
	_, err = n.kv.Create(ctx, encodeSubject(subject), append(append([]byte(nil), keyTag...), k...))
	if err == nil {
		return k, nil
	}
	if errors.Is(err, jetstream.ErrKeyExists) {
		// Another node wrote first (a key or a tombstone): use what it wrote.
		return n.Get(ctx, subject)
	}
	return nil, fmt.Errorf("keys: create %q: %w", subject, err)
}

func (n *NATS) Destroy(ctx context.Context, subject string) error {
	if err := ValidateSubject(subject); err != nil {
		return err
	}
	name := encodeSubject(subject)
	if _, err := n.kv.Put(ctx, name, tombstoneVal); err != nil {
		return fmt.Errorf("keys: write tombstone of %q: %w", subject, err)
	}
	// Drop every earlier value, also in a bucket made elsewhere with a
	// longer history. JetStream refuses per-message (secure) deletes on KV
	// streams, so the bytes leave the disk when the server compacts its
	// blocks; encrypt the servers' disks for erasure at rest.
	subj := "$KV." + n.bucket + "." + name
	if err := n.stream.Purge(ctx, jetstream.WithPurgeSubject(subj), jetstream.WithPurgeKeep(1)); err != nil {
		return fmt.Errorf("keys: purge history of %q: %w", subject, err)
	}
	return nil
}

func decodeValue(subject string, v []byte) ([]byte, error) {
	if bytes.Equal(v, tombstoneVal) {
		return nil, fmt.Errorf("subject %q: %w", subject, ErrDestroyed)
	}
	if !bytes.HasPrefix(v, keyTag) || len(v) != len(keyTag)+KeySize {
		return nil, fmt.Errorf("keys: value of %q is not a key this store wrote (%d bytes)", subject, len(v))
	}
	return append([]byte(nil), v[len(keyTag):]...), nil
}
