package app

import (
	"sort"
	"testing"

	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
	"github.com/hindsight-retro/hindsight/projections/replay"
)

// `hindsight replay --snapshots` seeds serve's read models; serve catches
// up from the lowest checkpoint of all, so a read model replay does not
// build would make every seeded start read the whole log again.
func TestReplayBuildsEveryReadModelServeRuns(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	a := New(Deps{Store: memstore.New(nil), Catalog: cat})
	built := map[string]bool{}
	for _, p := range replay.NewSet(healthtrends.Config{}).All() {
		built[p.Name()] = true
	}
	var missing []string
	for name := range a.rm.runner.Positions() {
		if !built[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("serve runs read models replay does not build: %v", missing)
	}
}
