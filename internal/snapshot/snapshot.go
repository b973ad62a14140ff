// Package snapshot keeps answers that read much of the database until the data they were
// computed from changes. Every change appends to the event log, whose ids follow commit
// order, so "the latest relevant event" is a version that grows with every change: an
// answer computed at version v serves until a later version is read.
package snapshot

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/singleflight"
)

// Cache keeps up to max answers by key, each with the version it was computed at.
// Concurrent askers of the same missing answer share one computation.
type Cache struct {
	version func(context.Context) (int64, error)
	max     int
	group   singleflight.Group

	mu      sync.Mutex
	entries map[string]entry
	order   []string // oldest first, for eviction
}

type entry struct {
	version int64
	value   any
}

// New creates a cache whose answers last until version moves past theirs.
func New(version func(context.Context) (int64, error), max int) *Cache {
	return &Cache{version: version, max: max, entries: map[string]entry{}}
}

// Get returns the answer for key, computing it when missing or older than the current
// version. The version is read before computing, so a change committed meanwhile makes
// the answer look older than it is, never newer.
func Get[V any](ctx context.Context, c *Cache, key string, compute func(context.Context) (V, error)) (V, error) {
	return Refresh(ctx, c, key, func(ctx context.Context, _ V, _ bool) (V, error) { return compute(ctx) })
}

// Refresh is Get for answers that are cheaper to compute from the one they replace:
// compute is also given the answer kept for key at an older version, if any (stale is
// then true). It must not change that answer, which other callers may still hold.
func Refresh[V any](ctx context.Context, c *Cache, key string, compute func(ctx context.Context, previous V, stale bool) (V, error)) (V, error) {
	var zero V
	version, err := c.version(ctx)
	if err != nil {
		return zero, err
	}
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && e.version >= version {
		return e.value.(V), nil
	}
	v, err, _ := c.group.Do(fmt.Sprintf("%s@%d", key, version), func() (any, error) {
		c.mu.Lock()
		e, ok := c.entries[key]
		c.mu.Unlock()
		var previous V
		if ok {
			previous = e.value.(V)
		}
		// Shared by every caller waiting on it, so one caller leaving must not fail the rest.
		v, err := compute(context.WithoutCancel(ctx), previous, ok)
		if err != nil {
			return nil, err
		}
		c.put(key, entry{version, v})
		return v, nil
	})
	if err != nil {
		return zero, err
	}
	return v.(V), nil
}

func (c *Cache) put(key string, e entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.entries[key]
	if ok && old.version > e.version {
		return
	}
	if !ok {
		c.order = append(c.order, key)
		if len(c.order) > c.max {
			delete(c.entries, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.entries[key] = e
}
