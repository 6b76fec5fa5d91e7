package collab

import (
	"context"
	"fmt"
	"strings"

	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/nats-io/nats.go"
)

// PresenceBus carries presence between the nodes serving one log, so peers
// of a board on different nodes see each other's cursors. Presence is never
// persisted; a bus only forwards.
type PresenceBus interface {
	// Publish sends one encoded ephemeral message for docID to the other nodes.
	Publish(docID string, msg []byte) error
	// Subscribe calls deliver for every message published by any node
	// (including this one) until ctx is done.
	Subscribe(ctx context.Context, deliver func(docID string, msg []byte)) error
}

// NATSPresence is a PresenceBus over core NATS subjects <prefix>.<docID>
// (no JetStream: nothing is stored).
func NATSPresence(nc *nats.Conn, prefix string) PresenceBus {
	if prefix == "" {
		prefix = "collab.presence"
	}
	return &natsPresence{nc: nc, prefix: prefix}
}

type natsPresence struct {
	nc     *nats.Conn
	prefix string
}

func (p *natsPresence) Publish(docID string, msg []byte) error {
	if err := p.nc.Publish(p.prefix+"."+docID, msg); err != nil {
		return fmt.Errorf("publish presence: %w", err)
	}
	return nil
}

func (p *natsPresence) Subscribe(ctx context.Context, deliver func(docID string, msg []byte)) error {
	sub, err := p.nc.Subscribe(p.prefix+".*", func(m *nats.Msg) {
		deliver(strings.TrimPrefix(m.Subject, p.prefix+"."), m.Data)
	})
	if err != nil {
		return fmt.Errorf("subscribe to presence: %w", err)
	}
	<-ctx.Done()
	_ = sub.Unsubscribe()
	return nil
}

// fromBus relays presence another node published to this node's peers of
// the board; the board's session-and-counter check drops our own echoes and
// repeats.
func (s *Server) fromBus(docID string, raw []byte) {
	m, err := wire.Decode(raw)
	if err != nil || m.Type != wire.TypeEphemeral || m.DocumentID != docID {
		return
	}
	s.mu.Lock()
	b := s.boards[docID]
	s.mu.Unlock()
	if b != nil {
		b.relay(nil, m)
	}
}
