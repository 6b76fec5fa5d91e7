package keys

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// A destroy on the NATS store re-wraps every live key under a new KEK and
// deletes the old KEK's bucket. Each iteration creates a key (the baseline:
// one durable write) and then destroys it, on an embedded server that
// fsyncs every write, among liveKeys other keys. destroy/create is how many
// such writes a destroy costs:
//
//	go test -count=3 -run '^$' -bench NATSDestroy -benchtime 20x ./app/keys
func benchDestroy(b *testing.B, liveKeys int) {
	node := newNode(b, b.TempDir())
	node.start()
	ctx := context.Background()
	s, err := NewNATS(ctx, connect(b, node.srv), "")
	if err != nil {
		b.Fatal(err)
	}
	for i := range liveKeys {
		if _, err := s.GetOrCreate(ctx, fmt.Sprintf("user:live-%d", i)); err != nil {
			b.Fatal(err)
		}
	}
	var create, destroy time.Duration
	b.ResetTimer()
	for i := range b.N {
		subj := fmt.Sprintf("retro:closed-%d", i)
		t0 := time.Now()
		if _, err := s.GetOrCreate(ctx, subj); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := s.Destroy(ctx, subj); err != nil {
			b.Fatal(err)
		}
		create += t1.Sub(t0)
		destroy += time.Since(t1)
	}
	b.ReportMetric(float64(destroy)/float64(create), "destroy/create")
	b.ReportMetric(float64(destroy.Milliseconds())/float64(b.N), "ms/destroy")
}

func BenchmarkNATSDestroyAmong100LiveKeys(b *testing.B)  { benchDestroy(b, 100) }
func BenchmarkNATSDestroyAmong1000LiveKeys(b *testing.B) { benchDestroy(b, 1000) }
