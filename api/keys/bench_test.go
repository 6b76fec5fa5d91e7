package keys

import (
	"context"
	"fmt"
	"testing"
)

// A destroy on the NATS store re-wraps every live key under a new KEK and
// deletes the old KEK's bucket. Against the baseline, creating one key (one
// durable write), the ratio says how many such writes a destroy costs with
// that many live keys in the bucket:
//
//	go test -run '^$' -bench NATS -benchtime 20x ./api/keys
func benchNATS(b *testing.B, liveKeys int, op func(ctx context.Context, s *NATS, i int) error) {
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
	b.ResetTimer()
	for i := range b.N {
		if err := op(ctx, s, i); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNATSCreateOneKey(b *testing.B) {
	benchNATS(b, 0, func(ctx context.Context, s *NATS, i int) error {
		_, err := s.GetOrCreate(ctx, fmt.Sprintf("retro:new-%d", i))
		return err
	})
}

func benchDestroy(b *testing.B, liveKeys int) {
	benchNATS(b, liveKeys, func(ctx context.Context, s *NATS, i int) error {
		return s.Destroy(ctx, fmt.Sprintf("retro:closed-%d", i))
	})
}

func BenchmarkNATSDestroyAmong100LiveKeys(b *testing.B)  { benchDestroy(b, 100) }
func BenchmarkNATSDestroyAmong1000LiveKeys(b *testing.B) { benchDestroy(b, 1000) }
