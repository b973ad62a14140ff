package network

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/alliance-graph/alliance-graph/internal/snapshot"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// Source reads what measures are computed from, and the version of the networks: the
// latest event that changed one.
type Source interface {
	NetworkVersion(ctx context.Context) (int64, error)
	Participations(ctx context.Context, alliance int64, f store.NetworkFilter) ([]store.Participation, error)
}

// maxSnapshots bounds the cache: one snapshot per alliance and filter asked for lately.
const maxSnapshots = 32

// Cache keeps the measures of the networks asked for lately. Measuring a network reads
// all of it, which is too slow to do per request at scale, while the network changes only
// through mutations, each of which appends to the event log: a snapshot serves until an
// event that changes a network is logged after the one it was measured at.
type Cache struct {
	src       Source
	snapshots *snapshot.Cache
}

// NewCache creates an empty cache over src.
func NewCache(src Source) *Cache {
	return &Cache{src: src, snapshots: snapshot.New(src.NetworkVersion, maxSnapshots)}
}

// Measures returns the measures of an alliance's network under the filter, ordered by
// organization id. The slice is shared: callers must not change it.
func (c *Cache) Measures(ctx context.Context, alliance int64, f store.NetworkFilter) ([]Measure, error) {
	j, _ := json.Marshal(f) // a struct of string slices always encodes
	m, err := snapshot.Refresh(ctx, c.snapshots, fmt.Sprintf("%d:%s", alliance, j), func(ctx context.Context, previous []Measure, _ bool) ([]Measure, error) {
		parts, err := c.src.Participations(ctx, alliance, f)
		if err != nil {
			return nil, err
		}
		// Most changes move few ranks: PageRank starts from the ranks they replace.
		return Remeasure(parts, previous), nil
	})
	if err != nil {
		return nil, fmt.Errorf("measure the network of alliance %d: %w", alliance, err)
	}
	return m, nil
}
