package loader

import (
	"context"
	"sync"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/store"
)

// Batcher collects the keys that resolvers ask for and fetches them in one call.
//
// Fixed-window loaders (dataloadgen and its kin start one timer at the first key) split
// a batch whenever a query fans out so widely that gqlgen needs longer than the window
// to reach every field: measured on the deep member -> partnership -> participant ->
// resources query at 50 members, a 2 ms window issued 18 to 43 statements instead of 8.
// A Batcher instead waits until keys stop arriving for Idle (up to MaxWait after the
// first), so the whole level of a query lands in one batch while small queries still
// wait only Idle. Results, errors included, are cached for the Batcher's lifetime: one
// request.
type Batcher[K comparable, V any] struct {
	fetch   func(context.Context, []K) (map[K]V, error)
	idle    time.Duration
	maxWait time.Duration
	maxKeys int

	mu      sync.Mutex
	cache   map[K]*call[V]
	pending *batch[K, V]
}

type call[V any] struct {
	done chan struct{}
	v    V
	err  error
}

type batch[K comparable, V any] struct {
	ctx      context.Context
	keys     []K
	calls    []*call[V]
	timer    *time.Timer
	deadline time.Time
}

// Timing says when a batch is fetched: after Idle without a new key, MaxWait after its
// first key, or at once when it holds MaxKeys keys.
type Timing struct {
	Idle    time.Duration
	MaxWait time.Duration
	MaxKeys int
}

// DefaultTiming suits a server on loopback or a LAN to its database: a level of a query
// costs about a millisecond of waiting, and one batch never waits more than 25 ms.
var DefaultTiming = Timing{Idle: time.Millisecond, MaxWait: 25 * time.Millisecond, MaxKeys: 5000}

// NewBatcher returns a Batcher over fetch, which returns the values it found by key;
// keys it leaves out resolve to store.ErrNotFound.
func NewBatcher[K comparable, V any](t Timing, fetch func(context.Context, []K) (map[K]V, error)) *Batcher[K, V] {
	return &Batcher[K, V]{fetch: fetch, idle: t.Idle, maxWait: t.MaxWait, maxKeys: t.MaxKeys, cache: map[K]*call[V]{}}
}

// Load returns the value of key, fetched with the other keys of its batch.
func (b *Batcher[K, V]) Load(ctx context.Context, key K) (V, error) {
	return b.enqueue(ctx, key).wait(ctx)
}

// LoadAll returns the values of keys, in order, fetched in as few batches as possible.
func (b *Batcher[K, V]) LoadAll(ctx context.Context, keys []K) ([]V, error) {
	calls := make([]*call[V], len(keys))
	for i, k := range keys {
		calls[i] = b.enqueue(ctx, k)
	}
	out := make([]V, len(keys))
	for i, c := range calls {
		v, err := c.wait(ctx)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (c *call[V]) wait(ctx context.Context) (V, error) {
	select {
	case <-c.done:
		return c.v, c.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

func (b *Batcher[K, V]) enqueue(ctx context.Context, key K) *call[V] {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c, ok := b.cache[key]; ok {
		return c
	}
	c := &call[V]{done: make(chan struct{})}
	b.cache[key] = c
	now := time.Now()
	p := b.pending
	if p == nil {
		p = &batch[K, V]{ctx: ctx, deadline: now.Add(b.maxWait)}
		p.timer = time.AfterFunc(b.idle, func() { b.fire(p) })
		b.pending = p
	} else {
		p.timer.Reset(min(b.idle, p.deadline.Sub(now)))
	}
	p.keys = append(p.keys, key)
	p.calls = append(p.calls, c)
	if b.maxKeys > 0 && len(p.keys) >= b.maxKeys {
		p.timer.Stop()
		b.pending = nil
		go b.run(p)
	}
	return c
}

func (b *Batcher[K, V]) fire(p *batch[K, V]) {
	b.mu.Lock()
	if b.pending != p {
		// Already sent because it filled up.
		b.mu.Unlock()
		return
	}
	b.pending = nil
	b.mu.Unlock()
	b.run(p)
}

func (b *Batcher[K, V]) run(p *batch[K, V]) {
	values, err := b.fetch(p.ctx, p.keys)
	for i, k := range p.keys {
		c := p.calls[i]
		switch v, ok := values[k]; {
		case err != nil:
			c.err = err
		case !ok:
			c.err = store.ErrNotFound
		default:
			c.v = v
		}
		close(c.done)
	}
}
