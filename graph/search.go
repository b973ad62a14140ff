package graph

import (
	"context"
	"errors"

	"github.com/alliance-graph/alliance-graph/graph/model"
)

// TODO(search): implemented on the search branch.
var errSearchPending = errors.New("search is not implemented yet")

func (r *Resolver) search(ctx context.Context, query string, kinds []model.SearchKind, first *int, after *string) (*model.SearchConnection, error) {
	return nil, errSearchPending
}

func searchNode(ctx context.Context, e *model.SearchEdge) (model.Node, error) {
	return nil, errSearchPending
}
