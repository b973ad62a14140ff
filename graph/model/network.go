package model

import (
	"context"

	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// NetworkPath is a shortest chain of partnerships; its organizations and steps are
// loaded from OrgIDs.
type NetworkPath struct {
	OrgIDs []int64
	Filter store.NetworkFilter
}

// Length is the number of steps.
func (p *NetworkPath) Length() int { return len(p.OrgIDs) - 1 }

// Steps pairs consecutive organizations of the chain.
func (p *NetworkPath) Steps() []*PathStep {
	out := make([]*PathStep, 0, len(p.OrgIDs))
	for i := 1; i < len(p.OrgIDs); i++ {
		out = append(out, &PathStep{FromID: p.OrgIDs[i-1], ToID: p.OrgIDs[i], Filter: p.Filter})
	}
	return out
}

// PathStep is one step of a path.
type PathStep struct {
	FromID, ToID int64
	Filter       store.NetworkFilter
}

// Neighborhood is an organization's surroundings in the partnership network.
type Neighborhood struct {
	CenterID  int64
	Nodes     []*NetworkNode
	Edges     []*NetworkEdge
	Truncated bool
}

// NetworkNode is an organization of a neighbourhood.
type NetworkNode struct {
	OrgID    int64
	Distance int
	Degree   int
}

// GlobalID is the organization's global ID.
func (n *NetworkNode) GlobalID() string { return relay.ID(relay.TypeOrganization, n.OrgID) }

// NetworkEdge links two organizations of a neighbourhood.
type NetworkEdge struct {
	SourceID, TargetID int64
	Weight             int
	Filter             store.NetworkFilter
}

// Source is the global ID of the edge's first organization.
func (e *NetworkEdge) Source() string { return relay.ID(relay.TypeOrganization, e.SourceID) }

// Target is the global ID of the edge's second organization.
func (e *NetworkEdge) Target() string { return relay.ID(relay.TypeOrganization, e.TargetID) }

// RankingEdge is an organization's place in a ranking.
type RankingEdge struct {
	Cursor       string
	OrgID        int64
	Rank         int
	Degree       int
	Partnerships int
	PageRank     float64
}

// RankingConnection is one page of a ranking.
type RankingConnection struct {
	Edges    []*RankingEdge
	PageInfo *PageInfo
	Count    func(context.Context) (int, error)
}

// TotalCount counts every ranked organization.
func (c *RankingConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }
