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
// network's participations (a member in no partnership comes with Partnership 0). Links
// are weighted by the partnerships two organizations share. The result is ordered by
// organization id and is the same for the same participations in any order.
func Measures(parts []store.Participation) []Measure {
	parts = slices.Clone(parts)
	slices.SortFunc(parts, func(x, y store.Participation) int {
		return cmp.Or(cmp.Compare(x.Organization, y.Organization), cmp.Compare(x.Partnership, y.Partnership))
	})
	var out []Measure
	index := make([]int, len(parts)) // parts[i]'s organization's position in out
	for i, p := range parts {
		if i == 0 || p.Organization != parts[i-1].Organization {
			out = append(out, Measure{ID: p.Organization, Kind: p.Kind})
		}
		index[i] = len(out) - 1
		if p.Partnership != 0 && (i == 0 || p != parts[i-1]) {
			out[index[i]].Partnerships++
		}
	}
	// Group by partnership, then link every two participants of each; sorting the
	// directed pairs counts the partnerships each pair shares.
	byPartnership := make([]int, 0, len(parts))
	for i, p := range parts {
		if p.Partnership != 0 {
			byPartnership = append(byPartnership, i)
		}
	}
	slices.SortFunc(byPartnership, func(x, y int) int {
		return cmp.Or(cmp.Compare(parts[x].Partnership, parts[y].Partnership), cmp.Compare(x, y))
	})
	var pairs []link
	for lo := 0; lo < len(byPartnership); {
		hi := lo + 1
		for hi < len(byPartnership) && parts[byPartnership[hi]].Partnership == parts[byPartnership[lo]].Partnership {
			hi++
		}
		for x := lo; x < hi; x++ {
			for y := lo; y < hi; y++ {
				a, b := index[byPartnership[x]], index[byPartnership[y]]
				if a != b {
					pairs = append(pairs, link{a, b, 1})
				}
			}
		}
		lo = hi
	}
	slices.SortFunc(pairs, func(x, y link) int {
		return cmp.Or(cmp.Compare(x.from, y.from), cmp.Compare(x.to, y.to))
	})
	links := pairs[:0]
	for _, p := range pairs {
		if n := len(links); n > 0 && links[n-1].from == p.from && links[n-1].to == p.to {
			links[n-1].weight++
			continue
		}
		links = append(links, p)
	}
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

// Rounded is a PageRank to 9 significant digits, well within the iteration's precision:
// what rankings compare and cursors carry, so that organizations placed alike in the
// network tie and a cursor's text parses back to the same value.
func Rounded(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 9, 64), 64)
	return r
}
