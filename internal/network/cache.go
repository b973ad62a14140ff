package network

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"golang.org/x/sync/singleflight"

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
// event that changes a network is logged after the one it was measured at. Concurrent askers share one measurement.
type Cache struct {
	src   Source
	group singleflight.Group

	mu        sync.Mutex
	snapshots map[string]snapshot
	order     []string // oldest first, for eviction
}

type snapshot struct {
	version  int64
	measures []Measure
}

// NewCache creates an empty cache over src.
func NewCache(src Source) *Cache {
	return &Cache{src: src, snapshots: map[string]snapshot{}}
}

// Measures returns the measures of an alliance's network under the filter, ordered by
// organization id. The slice is shared: callers must not change it.
func (c *Cache) Measures(ctx context.Context, alliance int64, f store.NetworkFilter) ([]Measure, error) {
	// The version is read before the network, so a change committed in between makes the
	// snapshot look older than it is, never newer.
	version, err := c.src.NetworkVersion(ctx)
	if err != nil {
		return nil, err
	}
	j, _ := json.Marshal(f) // a struct of string slices always encodes
	key := fmt.Sprintf("%d:%s", alliance, j)
	c.mu.Lock()
	s, ok := c.snapshots[key]
	c.mu.Unlock()
	if ok && s.version >= version {
		return s.measures, nil
	}
	v, err, _ := c.group.Do(fmt.Sprintf("%s@%d", key, version), func() (any, error) {
		// Shared by every caller waiting on it, so one caller leaving must not fail the rest.
		parts, err := c.src.Participations(context.WithoutCancel(ctx), alliance, f)
		if err != nil {
			return nil, err
		}
		m := Measures(parts)
		c.put(key, snapshot{version, m})
		return m, nil
	})
	if err != nil {
		return nil, fmt.Errorf("measure the network of alliance %d: %w", alliance, err)
	}
	return v.([]Measure), nil
}

func (c *Cache) put(key string, s snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.snapshots[key]; ok && old.version > s.version {
		return
	}
	if _, ok := c.snapshots[key]; !ok {
		c.order = append(c.order, key)
		if len(c.order) > maxSnapshots {
			delete(c.snapshots, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.snapshots[key] = s
}
