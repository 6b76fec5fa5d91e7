package natsjs

import "github.com/nats-io/nats.go/jetstream"

// JetStream is the store's JetStream context, so that other state which
// every node must share (the key store's KV bucket) lives in the same NATS
// cluster as the log. cmd/hindsight's openKeys looks for this method; without
// it, nodes sharing one NATS keep separate key folders and reject each
// other's tokens.
func (s *Store) JetStream() jetstream.JetStream { return s.js }
