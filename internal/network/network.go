// Package network measures how central organizations are in a partnership network:
// the store reads who takes part in which partnership, this package turns that into
// degrees and PageRank.
package network

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"github.com/alliance-graph/alliance-graph/internal/store"
)

// Damping is PageRank's damping factor: the chance of following a link rather than
// jumping to a random organization. 0.85 is the value PageRank was published with and
// the one analysts expect.
const Damping = 0.85

// Measure is one organization's place in the network.
type Measure struct {
	ID           int64
	Kind         store.OrganizationKind
	Degree       int // distinct partners
	Partnerships int // partnerships taken part in
	PageRank     float64
}

// Measures computes every organization's degree, partnerships and PageRank from the
// network's participations. Links are weighted by the partnerships two organizations
// share; the result is ordered by organization id and deterministic for the same input.
func Measures(parts []store.Participation) []Measure {
	index := map[int64]int{}
	var out []Measure
	members := map[int64][]int{} // partnership -> organization indexes
	for _, p := range parts {
		i, ok := index[p.Organization]
		if !ok {
			i = len(out)
			index[p.Organization] = i
			out = append(out, Measure{ID: p.Organization, Kind: p.Kind})
		}
		if p.Partnership != 0 {
			out[i].Partnerships++
			members[p.Partnership] = append(members[p.Partnership], i)
		}
	}
	weights := map[[2]int]float64{}
	for _, orgs := range members {
		for x, a := range orgs {
			for _, b := range orgs[x+1:] {
				weights[[2]int{a, b}]++
				weights[[2]int{b, a}]++
			}
		}
	}
	// Sorted links keep the floating-point sums in one order, so that equal data ranks
	// equally on every call and cursors stay valid.
	links := make([]link, 0, len(weights))
	for l, w := range weights {
		links = append(links, link{l[0], l[1], w})
	}
	slices.SortFunc(links, func(x, y link) int {
		return cmp.Or(cmp.Compare(x.from, y.from), cmp.Compare(x.to, y.to))
	})
	strength := make([]float64, len(out))
	for _, l := range links {
		out[l.from].Degree++
		strength[l.from] += l.weight
	}
	rank := pageRank(len(out), links, strength)
	for i := range out {
		out[i].PageRank = rank[i]
	}
	return out
}

// link is a directed half of an undirected, weighted link.
type link struct {
	from, to int
	weight   float64
}

// pageRank runs the power iteration until the ranks move by less than 1e-12 in total.
// Organizations without links spread their rank evenly, as a random surfer would jump
// anywhere, so the ranks always sum to 1.
func pageRank(n int, links []link, strength []float64) []float64 {
	if n == 0 {
		return nil
	}
	rank := make([]float64, n)
	next := make([]float64, n)
	for i := range rank {
		rank[i] = 1 / float64(n)
	}
	// Each link carries the same share of its source's rank on every iteration.
	share := make([]float64, len(links))
	for i, l := range links {
		share[i] = Damping * l.weight / strength[l.from]
	}
	for iter := 0; iter < 200; iter++ {
		dangling := 0.0
		for i, s := range strength {
			if s == 0 {
				dangling += rank[i]
			}
		}
		base := (1-Damping)/float64(n) + Damping*dangling/float64(n)
		for i := range next {
			next[i] = base
		}
		for i, l := range links {
			next[l.to] += rank[l.from] * share[i]
		}
		delta := 0.0
		for i := range rank {
			delta += math.Abs(next[i] - rank[i])
		}
		rank, next = next, rank
		if delta < 1e-12 {
			break
		}
	}
	return rank
}

// Rounded is a PageRank to 12 significant digits: what rankings compare and cursors
// carry, so that ties are real ties and a cursor's text parses back to the same value.
func Rounded(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	return r
}
