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
	return Remeasure(parts, nil)
}

// Remeasure is Measures with PageRank's iteration started from the ranks of an earlier
// measurement (ordered by organization id, as Measures returns them), usually of the
// network before a change: a change moves few ranks, so the iteration converges in a
// fraction of the steps it takes from the uniform start, to the same fixed point (PageRank
// has exactly one) within the same tolerance. Organizations the earlier measurement
// lacks start from the uniform share.
func Remeasure(parts []store.Participation, previous []Measure) []Measure {
	ids := make([]int64, len(parts))
	for i, p := range parts {
		ids[i] = p.Organization
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make([]Measure, len(ids))
	for i, id := range ids {
		out[i].ID = id
	}
	// Who takes part in what, by partnership and then organization: sorted, so that
	// everything built from it, links and their order included, is the same for the
	// same participations in any order.
	type member struct {
		partnership int64
		org         int32
	}
	members := make([]member, 0, len(parts))
	for _, p := range parts {
		i, _ := slices.BinarySearch(ids, p.Organization)
		out[i].Kind = p.Kind
		if p.Partnership != 0 {
			members = append(members, member{p.Partnership, int32(i)})
		}
	}
	slices.SortFunc(members, func(x, y member) int {
		return cmp.Or(cmp.Compare(x.partnership, y.partnership), cmp.Compare(x.org, y.org))
	})
	members = slices.Compact(members)
	// Partnerships as ranges of members, and each organization's partnerships (CSR).
	var groupStart []int32
	for i, m := range members {
		if i == 0 || m.partnership != members[i-1].partnership {
			groupStart = append(groupStart, int32(i))
		}
		out[m.org].Partnerships++
	}
	groupStart = append(groupStart, int32(len(members)))
	joinedStart := make([]int32, len(out)+1)
	for i := range out {
		joinedStart[i+1] = joinedStart[i] + int32(out[i].Partnerships)
	}
	joined := make([]int32, len(members))
	fill := slices.Clone(joinedStart[:len(out)])
	for g := 0; g+1 < len(groupStart); g++ {
		for _, m := range members[groupStart[g]:groupStart[g+1]] {
			joined[fill[m.org]] = int32(g)
			fill[m.org]++
		}
	}
	// Each organization's partners with the partnerships they share, in the order first
	// met: seen[b] marks b as already a partner of a (as a+1), at links position at[b].
	g := graph{start: make([]int32, len(out)+1), strength: make([]float64, len(out))}
	seen := make([]int32, len(out))
	at := make([]int32, len(out))
	for a := range out {
		for _, grp := range joined[joinedStart[a]:joinedStart[a+1]] {
			for _, m := range members[groupStart[grp]:groupStart[grp+1]] {
				b := m.org
				if int(b) == a {
					continue
				}
				if seen[b] != int32(a)+1 {
					seen[b], at[b] = int32(a)+1, int32(len(g.to))
					g.to = append(g.to, b)
					g.weight = append(g.weight, 0)
				}
				g.weight[at[b]]++
				g.strength[a]++
			}
		}
		g.start[a+1] = int32(len(g.to))
		out[a].Degree = int(g.start[a+1] - g.start[a])
	}
	rank := g.pageRank(startingRanks(ids, previous))
	for i := range out {
		out[i].PageRank = rank[i]
	}
	return out
}

// graph is an undirected, weighted network in compressed rows: the links of node a are
// to[start[a]:start[a+1]] with their weights, and every link is there in both directions.
type graph struct {
	start    []int32
	to       []int32
	weight   []float64
	strength []float64 // sum of a node's link weights
}

// startingRanks places the earlier ranks of the organizations ids (both ordered by id),
// the uniform share for those without, scaled to sum to 1.
func startingRanks(ids []int64, previous []Measure) []float64 {
	rank := make([]float64, len(ids))
	if len(ids) == 0 {
		return rank
	}
	uniform := 1 / float64(len(ids))
	sum, j := 0.0, 0
	for i, id := range ids {
		for j < len(previous) && previous[j].ID < id {
			j++
		}
		rank[i] = uniform
		if j < len(previous) && previous[j].ID == id && previous[j].PageRank > 0 {
			rank[i] = previous[j].PageRank
		}
		sum += rank[i]
	}
	for i := range rank {
		rank[i] /= sum
	}
	return rank
}

// pageRank runs the power iteration from rank until the ranks move by less than 1e-12 in
// total. Organizations without links spread their rank evenly, as a random surfer would
// jump anywhere, so the ranks always sum to 1. Each node gathers from its partners
// (the links are symmetric), which reads the links in order, once per iteration.
func (g *graph) pageRank(rank []float64) []float64 {
	n := len(rank)
	if n == 0 {
		return nil
	}
	next := make([]float64, n)
	// share[b] is the part of b's rank each unit of link weight carries.
	share := make([]float64, n)
	for iter := 0; iter < 200; iter++ {
		dangling := 0.0
		for i, s := range g.strength {
			if s == 0 {
				dangling += rank[i]
				share[i] = 0
			} else {
				share[i] = Damping * rank[i] / s
			}
		}
		base := (1-Damping)/float64(n) + Damping*dangling/float64(n)
		delta := 0.0
		for a := range next {
			sum := 0.0
			for k := g.start[a]; k < g.start[a+1]; k++ {
				sum += g.weight[k] * share[g.to[k]]
			}
			next[a] = base + sum
			delta += math.Abs(next[a] - rank[a])
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
