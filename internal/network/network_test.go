package network

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/store"
)

// triangle and tail: 1, 2 and 3 share partnership 10; 3 and 4 share 11 and 12; 5 is a
// member in no partnership.
var sample = []store.Participation{
	{Partnership: 10, Organization: 1, Kind: "SCHOOL"},
	{Partnership: 10, Organization: 2, Kind: "COMPANY"},
	{Partnership: 10, Organization: 3, Kind: "GOVERNMENT_AGENCY"},
	{Partnership: 11, Organization: 3, Kind: "GOVERNMENT_AGENCY"},
	{Partnership: 11, Organization: 4, Kind: "COMPANY"},
	{Partnership: 12, Organization: 3, Kind: "GOVERNMENT_AGENCY"},
	{Partnership: 12, Organization: 4, Kind: "COMPANY"},
	{Partnership: 0, Organization: 4, Kind: "COMPANY"},
	{Partnership: 0, Organization: 5, Kind: "SCHOOL"},
}

func TestMeasuresCountPartnersPartnershipsAndRank(t *testing.T) {
	got := Measures(sample)
	want := []struct {
		id                   int64
		degree, partnerships int
	}{{1, 2, 1}, {2, 2, 1}, {3, 3, 3}, {4, 1, 2}, {5, 0, 0}}
	if len(got) != len(want) {
		t.Fatalf("%d organizations; want %d", len(got), len(want))
	}
	sum := 0.0
	for i, w := range want {
		if got[i].ID != w.id || got[i].Degree != w.degree || got[i].Partnerships != w.partnerships {
			t.Errorf("organization %d: %+v; want degree %d, %d partnerships", w.id, got[i], w.degree, w.partnerships)
		}
		sum += got[i].PageRank
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("ranks sum to %v", sum)
	}
	// 3 links everyone else; 1 and 2 are placed alike; the isolated member ranks last.
	r := func(i int) float64 { return got[i].PageRank }
	if !(r(2) > r(0) && Rounded(r(0)) == Rounded(r(1)) && r(4) < r(3) && r(4) < r(0)) {
		t.Errorf("ranks %v do not follow the network's shape", []float64{r(0), r(1), r(2), r(3), r(4)})
	}
}

func TestMeasuresDoNotDependOnTheOrderOfParticipations(t *testing.T) {
	want := Measures(sample)
	for seed := range uint64(20) {
		shuffled := slices.Clone(sample)
		rand.New(rand.NewPCG(seed, 1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := Measures(shuffled); !slices.Equal(got, want) {
			t.Fatalf("order %v gives %+v; want %+v", shuffled, got, want)
		}
	}
}

type fakeSource struct {
	version atomic.Int64
	reads   atomic.Int64
	gate    chan struct{}
}

func (f *fakeSource) NetworkVersion(context.Context) (int64, error) { return f.version.Load(), nil }

func (f *fakeSource) Participations(context.Context, int64, store.NetworkFilter) ([]store.Participation, error) {
	f.reads.Add(1)
	if f.gate != nil {
		<-f.gate
	}
	return sample, nil
}

func TestCacheMeasuresOnceUntilTheNetworkChanges(t *testing.T) {
	src := &fakeSource{gate: make(chan struct{})}
	c := NewCache(src)
	ctx := context.Background()
	// Concurrent askers of a network not yet measured share one reading.
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Measures(ctx, 1, store.NetworkFilter{}); err != nil {
				t.Error(err)
			}
		}()
	}
	for src.reads.Load() == 0 {
		runtime.Gosched() // until the first asker is reading
	}
	close(src.gate)
	wg.Wait()
	steps := []struct {
		name   string
		act    func()
		filter store.NetworkFilter
		reads  int64
	}{
		{"concurrent askers", func() {}, store.NetworkFilter{}, 1},
		{"asked again", func() {}, store.NetworkFilter{}, 1},
		{"another filter", func() {}, store.NetworkFilter{Statuses: []store.PartnershipStatus{"ACTIVE"}}, 2},
		{"after a change", func() { src.version.Add(1) }, store.NetworkFilter{}, 3},
		{"asked again after the change", func() {}, store.NetworkFilter{}, 3},
	}
	for _, s := range steps {
		s.act()
		if _, err := c.Measures(ctx, 1, s.filter); err != nil {
			t.Fatal(err)
		}
		if n := src.reads.Load(); n != s.reads {
			t.Errorf("%s: %d readings; want %d", s.name, n, s.reads)
		}
	}
}
