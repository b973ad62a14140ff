package graph

import (
	"context"
	"errors"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// TODO(network): implemented on the network branch.
var errNetworkPending = errors.New("network analysis is not implemented yet")

func (r *Resolver) path(ctx context.Context, from, to string, maxDepth *int, filter *store.NetworkFilter) (*model.NetworkPath, error) {
	return nil, errNetworkPending
}

func (r *Resolver) neighborhood(ctx context.Context, of string, depth, maxNodes *int, filter *store.NetworkFilter) (*model.Neighborhood, error) {
	return nil, errNetworkPending
}

func (r *Resolver) rankings(ctx context.Context, alliance *string, by *model.CentralityMeasure, kinds []store.OrganizationKind, filter *store.NetworkFilter, first *int, after *string) (*model.RankingConnection, error) {
	return nil, errNetworkPending
}

func linkPartnerships(ctx context.Context, a, b int64, f store.NetworkFilter) ([]*model.Partnership, error) {
	return nil, errNetworkPending
}
