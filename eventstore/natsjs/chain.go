package natsjs

import (
	"fmt"
	"slices"
)

// walkBack follows the links from top back to the commit that holds version
// after+1 (or to the stream's first commit) and returns the commits from
// there to top, oldest first. Each round trip fetches up to maxLinks commits.
func (g *getter) walkBack(subject string, top commit, after int64) ([]commit, error) {
	out := []commit{top}
	for {
		cur := out[len(out)-1]
		if cur.h.firstVersion() <= after+1 || cur.h.nlinks == 0 {
			break
		}
		// Each commit holds at least one event: no more are needed than this.
		k := min(int64(cur.h.nlinks), cur.h.firstVersion()-1-after)
		msgs, err := g.seqs(cur.h.links[:k])
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			c, err := decodeCommit(m)
			if err != nil {
				return nil, err
			}
			newer := out[len(out)-1]
			if c.subject != subject || c.h.version != newer.h.firstVersion()-1 {
				return nil, fmt.Errorf("natsjs: broken link from message %d (%s, version %d) to %d (%s, version %d)",
					newer.seq, newer.subject, newer.h.firstVersion(), c.seq, c.subject, c.h.version)
			}
			out = append(out, c)
			if c.h.firstVersion() <= after+1 {
				break
			}
		}
	}
	slices.Reverse(out)
	return out, nil
}
