package storetest

import (
	"sync"
	"testing"

	"github.com/hindsight-retro/hindsight/eventstore"
)

// concurrentWriters: many writers on many streams lose nothing.
func (s suite) concurrentWriters(t *testing.T) {
	st := s.store(t)
	ctx := testContext(t)
	const writers, commits = 100, 20
	base := lastPosition(t, ctx, st)
	streams := make([]eventstore.StreamID, writers)
	logs := make([][]appended, writers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range writers {
		streams[w] = newStream()
		wg.Go(func() {
			<-start
			var version int64
			for i := range commits {
				// Half the writers check versions, half append with Any;
				// every third writer puts two events in some commits.
				expected := version
				if w%2 == 0 {
					expected = eventstore.Any
				}
				c := commitOf(streams[w], expected, 1+(w%3/2)*(i%2))
				res, err := st.Append(ctx, c)
				if err != nil {
					t.Errorf("writer %d, commit %d: %v", w, i, err)
					return
				}
				version = res.StreamVersion
				logs[w] = append(logs[w], appended{c, res})
			}
		})
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	for w, stream := range streams {
		checkLog(t, loadOK(t, ctx, st, stream, 0), logs[w])
	}
	all := readOwn(t, ctx, st, base, setOf(streams...))
	checkPositions(t, all)
	byStream := map[eventstore.StreamID][]eventstore.RecordedEvent{}
	for _, e := range all {
		byStream[e.Stream] = append(byStream[e.Stream], e)
	}
	for w, stream := range streams {
		checkLog(t, byStream[stream], logs[w])
	}
}
