package natsjs

import "strings"

// ackInfo is what a reader needs from a delivered message's reply subject.
type ackInfo struct {
	seq     uint64 // stream sequence
	ts      int64  // server time stamp, Unix nanoseconds
	pending uint64 // messages left for the consumer
}

// parseAck reads the JetStream ack subject without allocating, which
// jetstream.Msg.Metadata does for every message:
//
//	v1: $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>
//	v2: $JS.ACK.<domain>.<hash>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>[.<token>...]
func parseAck(reply string) (ackInfo, bool) {
	rest, ok := strings.CutPrefix(reply, "$JS.ACK.")
	if !ok {
		return ackInfo{}, false
	}
	n := strings.Count(rest, ".") + 3 // tokens, counting "$JS" and "ACK"
	var seqAt int
	switch {
	case n == 9:
		seqAt = 5
	case n >= 11:
		seqAt = 7
	default:
		return ackInfo{}, false
	}
	var a ackInfo
	for i := 2; i <= seqAt+3; i++ {
		tok, after, _ := strings.Cut(rest, ".")
		rest = after
		switch i {
		case seqAt:
			a.seq, ok = parseUint(tok)
		case seqAt + 2:
			var ts uint64
			ts, ok = parseUint(tok)
			a.ts = int64(ts)
		case seqAt + 3:
			a.pending, ok = parseUint(tok)
		default:
			continue
		}
		if !ok {
			return ackInfo{}, false
		}
	}
	return a, true
}

func parseUint(s string) (uint64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}
