package model

import (
	"context"

	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// SearchEdge is one search result; its node is loaded from Type and Key.
type SearchEdge struct {
	Cursor     string
	Type       relay.Type
	Key        int64
	Kind       SearchKind
	Score      float64
	Highlights []*Highlight
}

// SearchConnection is one page of search results.
type SearchConnection struct {
	Edges    []*SearchEdge
	PageInfo *PageInfo
	Count    func(context.Context) (int, error)
}

// TotalCount counts every result.
func (c *SearchConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }
