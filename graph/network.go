package graph

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/network"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// The bounds of the network questions' arguments: beyond them a walk would cover most
// of the network and stop being an answer anyone can read.
const (
	maxPathDepth         = 6
	maxNeighborhoodDepth = 3
	maxNeighborhoodNodes = 1000
)

// orgArg reads an argument naming an existing organization.
func orgArg(ctx context.Context, arg, id string) (int64, error) {
	key, err := relay.ParseIDOf(relay.TypeOrganization, id)
	if err != nil {
		return 0, errcode.BadInput(arg, "is not the ID of an organization")
	}
	if _, err := organization(ctx, key); err != nil {
		return 0, err
	}
	return key, nil
}

// intArg reads an optional integer argument that must lie within [lo, hi].
func intArg(arg string, v *int, def, lo, hi int) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v < lo || *v > hi {
		return 0, errcode.BadInput(arg, "must be between %d and %d", lo, hi)
	}
	return *v, nil
}

func networkFilter(f *store.NetworkFilter) store.NetworkFilter {
	if f == nil {
		return store.NetworkFilter{}
	}
	return *f
}

func (r *Resolver) path(ctx context.Context, from, to string, maxDepth *int, filter *store.NetworkFilter) (*model.NetworkPath, error) {
	depth, err := intArg("maxDepth", maxDepth, 4, 1, maxPathDepth)
	if err != nil {
		return nil, err
	}
	a, err := relay.ParseIDOf(relay.TypeOrganization, from)
	if err != nil {
		return nil, errcode.BadInput("from", "is not the ID of an organization")
	}
	b, err := relay.ParseIDOf(relay.TypeOrganization, to)
	if err != nil {
		return nil, errcode.BadInput("to", "is not the ID of an organization")
	}
	// Both ends in one statement.
	if _, err := loader.From(ctx).Organization.LoadAll(ctx, []int64{a, b}); err != nil {
		if loader.NotFound(err) {
			return nil, errcode.Missing("organization does not exist")
		}
		return nil, fmt.Errorf("load organizations %d and %d: %w", a, b, err)
	}
	f := networkFilter(filter)
	ids, err := r.Store.Path(ctx, a, b, depth, f)
	if err != nil || ids == nil {
		return nil, err
	}
	return &model.NetworkPath{OrgIDs: ids, Filter: f}, nil
}

func (r *Resolver) neighborhood(ctx context.Context, of string, depth, maxNodes *int, filter *store.NetworkFilter) (*model.Neighborhood, error) {
	d, err := intArg("depth", depth, 1, 1, maxNeighborhoodDepth)
	if err != nil {
		return nil, err
	}
	limit, err := intArg("maxNodes", maxNodes, 200, 1, maxNeighborhoodNodes)
	if err != nil {
		return nil, err
	}
	center, err := orgArg(ctx, "of", of)
	if err != nil {
		return nil, err
	}
	f := networkFilter(filter)
	// One more than the limit tells whether any were left out.
	reached, err := r.Store.Reach(ctx, center, d, limit+1, f)
	if err != nil {
		return nil, err
	}
	out := &model.Neighborhood{CenterID: center, Truncated: len(reached) > limit}
	reached = reached[:min(len(reached), limit)]
	distance := make(map[int64]int, len(reached))
	ids := make([]int64, len(reached))
	for i, n := range reached {
		distance[n.ID] = n.Distance
		ids[i] = n.ID
	}
	ties, err := r.Store.TiesOf(ctx, ids, f)
	if err != nil {
		return nil, err
	}
	degree := make(map[int64]int, len(ids))
	for _, t := range ties {
		degree[t.A]++
		db, in := distance[t.B]
		if !in {
			continue
		}
		// Each tie arrives from both ends; keep the one drawn outwards from the centre.
		da := distance[t.A]
		if da < db || (da == db && t.A < t.B) {
			out.Edges = append(out.Edges, &model.NetworkEdge{SourceID: t.A, TargetID: t.B, Weight: t.Weight, Filter: f})
		}
	}
	for _, n := range reached {
		out.Nodes = append(out.Nodes, &model.NetworkNode{OrgID: n.ID, Distance: n.Distance, Degree: degree[n.ID]})
	}
	return out, nil
}

func linkPartnerships(ctx context.Context, a, b int64, f store.NetworkFilter) ([]*model.Partnership, error) {
	rows, err := loader.From(ctx).SharedPartnerships.Load(ctx, loader.Pair(a, b, f))
	if err != nil {
		return nil, fmt.Errorf("load partnerships shared by organizations %d and %d: %w", a, b, err)
	}
	out := make([]*model.Partnership, len(rows))
	for i := range rows {
		out[i] = wrapPartnership(&rows[i])
	}
	return out, nil
}

func (r *Resolver) rankings(ctx context.Context, alliance *string, by *model.CentralityMeasure, kinds []store.OrganizationKind, filter *store.NetworkFilter, first *int, after *string) (*model.RankingConnection, error) {
	measure := model.CentralityMeasureDegree
	if by != nil {
		measure = *by
	}
	name := string(measure) + ":DESC"
	w, err := window(relay.PageArgs{First: first, After: after}, name)
	if err != nil {
		return nil, err
	}
	key, err := r.allianceKey(ctx, alliance)
	if err != nil {
		return nil, err
	}
	measures, err := r.Network.Measures(ctx, key, networkFilter(filter))
	if err != nil {
		return nil, err
	}
	// Each organization's value is computed once: PageRank is rounded so that ties are
	// real ties and a cursor's text parses back to the same value.
	type scored struct {
		m *network.Measure
		v float64
	}
	var ranked []scored
	for i := range measures {
		m := &measures[i]
		if len(kinds) > 0 && !slices.Contains(kinds, m.Kind) {
			continue
		}
		v := float64(m.Degree)
		if measure == model.CentralityMeasurePagerank {
			v = network.Rounded(m.PageRank)
		}
		ranked = append(ranked, scored{m, v})
	}
	slices.SortFunc(ranked, func(x, y scored) int {
		return cmp.Or(cmp.Compare(y.v, x.v), cmp.Compare(x.m.ID, y.m.ID))
	})
	start := 0
	if w.After != nil {
		v, err := strconv.ParseFloat(w.After.Sort, 64)
		if err != nil {
			return nil, errcode.BadInput("after", "is not a cursor of this ranking")
		}
		// Start at the first organization ranked below the cursor's position, wherever
		// the cursor's own organization has moved since.
		start, _ = slices.BinarySearchFunc(ranked, w.After.ID, func(s scored, id int64) int {
			return cmp.Or(cmp.Compare(v, s.v), cmp.Compare(s.m.ID, id+1))
		})
	}
	end := min(start+w.Limit, len(ranked))
	out := &model.RankingConnection{
		PageInfo: &model.PageInfo{HasNextPage: end < len(ranked), HasPreviousPage: start > 0},
		Count:    func(context.Context) (int, error) { return len(ranked), nil },
	}
	if start < end {
		// Ties share the rank of the first of them.
		rank := start + 1
		for rank > 1 && ranked[rank-2].v == ranked[start].v {
			rank--
		}
		for i := start; i < end; i++ {
			if i > start && ranked[i].v != ranked[i-1].v {
				rank = i + 1
			}
			m := ranked[i].m
			cursor := relay.Cursor{Order: name, Sort: strconv.FormatFloat(ranked[i].v, 'g', -1, 64), ID: m.ID}.String()
			out.Edges = append(out.Edges, &model.RankingEdge{Cursor: cursor, OrgID: m.ID, Rank: rank, Degree: m.Degree, Partnerships: m.Partnerships, PageRank: m.PageRank})
		}
	}
	if n := len(out.Edges); n > 0 {
		out.PageInfo.StartCursor = &out.Edges[0].Cursor
		out.PageInfo.EndCursor = &out.Edges[n-1].Cursor
	}
	return out, nil
}
