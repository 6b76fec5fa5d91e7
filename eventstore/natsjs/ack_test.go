package natsjs

import "testing"

func TestParseAck(t *testing.T) {
	for _, tc := range []struct {
		reply string
		want  ackInfo
		ok    bool
	}{
		{"$JS.ACK.EVENTS.c1.1.42.7.1700000000123456789.5", ackInfo{42, 1700000000123456789, 5}, true},
		{"$JS.ACK._.AHASH.EVENTS.c1.1.42.7.1700000000123456789.5.xyz", ackInfo{42, 1700000000123456789, 5}, true},
		{"$JS.ACK.dom.AHASH.EVENTS.c1.1.42.7.1700000000123456789.0", ackInfo{42, 1700000000123456789, 0}, true},
		{"$JS.ACK.EVENTS.c1.1.x.7.17.5", ackInfo{}, false},
		{"$JS.ACK.EVENTS.c1.1.42.7", ackInfo{}, false},
		{"_INBOX.abc", ackInfo{}, false},
		{"", ackInfo{}, false},
	} {
		got, ok := parseAck(tc.reply)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseAck(%q) = %+v, %v; want %+v, %v", tc.reply, got, ok, tc.want, tc.ok)
		}
	}
}
