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

// randomNetwork is a network shaped like the seeded alliance's: orgs members, partnerships
// of two to four participants drawn with a bias towards low ids, so that hubs emerge.
func randomNetwork(seed uint64, orgs, partnerships int) []store.Participation {
	r := rand.New(rand.NewPCG(seed, 7))
	kinds := []store.OrganizationKind{"SCHOOL", "COMPANY", "GOVERNMENT_AGENCY", "INDUSTRIAL_PARK"}
	var parts []store.Participation
	for o := range orgs {
		parts = append(parts, store.Participation{Organization: int64(o + 1), Kind: kinds[o%4]})
	}
	for p := range partnerships {
		for range 2 + r.IntN(3) {
			o := int(float64(orgs) * r.Float64() * r.Float64())
			parts = append(parts, store.Participation{Partnership: int64(p + 1), Organization: int64(o + 1), Kind: kinds[o%4]})
		}
	}
	return parts
}

func TestRemeasuringFromEarlierRanksReachesTheSameRanks(t *testing.T) {
	before := randomNetwork(1, 400, 300)
	cold := Measures(before)
	changed := slices.Clone(before)
	changed = append(changed[:450], changed[460:]...) // participants leave
	changed = append(changed,
		store.Participation{Partnership: 999, Organization: 3, Kind: "GOVERNMENT_AGENCY"},
		store.Participation{Partnership: 999, Organization: 401, Kind: "COMPANY"}, // a newcomer
		store.Participation{Partnership: 999, Organization: 250, Kind: "INDUSTRIAL_PARK"})
	reversed := slices.Clone(cold)
	for i := range reversed {
		reversed[i].PageRank = cold[len(cold)-1-i].PageRank
	}
	tests := []struct {
		name     string
		parts    []store.Participation
		previous []Measure
	}{
		{"unchanged network", before, cold},
		{"after participants left and a newcomer joined", changed, cold},
		{"from ranks of another shape", before, reversed},
		{"from ranks of organizations no longer there", before[:200], cold},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := Measures(tt.parts)
			got := Remeasure(tt.parts, tt.previous)
			if len(got) != len(want) {
				t.Fatalf("%d organizations; want %d", len(got), len(want))
			}
			sum := 0.0
			for i := range want {
				g, w := got[i], want[i]
				if g.ID != w.ID || g.Kind != w.Kind || g.Degree != w.Degree || g.Partnerships != w.Partnerships || math.Abs(g.PageRank-w.PageRank) > 1e-11 {
					t.Errorf("organization %d: %+v; want %+v", w.ID, g, w)
				}
				sum += g.PageRank
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Errorf("ranks sum to %v", sum)
			}
		})
	}
}

// BenchmarkMeasures measures a network the size of the scale-100 alliance (14,000
// organizations, 10,000 partnerships): from scratch, and again from the ranks before a
// partnership changed, as the rankings' cache does after a change.
//
//	go test -run '^$' -bench Measures ./internal/network
func BenchmarkMeasures(b *testing.B) {
	parts := randomNetwork(2, 14000, 10000)
	previous := Measures(parts)
	changed := slices.Clone(parts)
	changed[len(changed)-1].Organization = 77
	b.Run("cold", func(b *testing.B) {
		for range b.N {
			Measures(changed)
		}
	})
	b.Run("from-previous", func(b *testing.B) {
		for range b.N {
			Remeasure(changed, previous)
		}
	})
}
