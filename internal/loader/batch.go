package loader

import (
	"context"
	"fmt"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

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
// wait only Idle.
//
// The Batchers of one request share a scheduler that sends batches level by level: a
// batch asked for at depth d of the query waits while a batch from a shallower depth is
// pending or being fetched, because that batch's results will wake resolvers that add
// keys at depth d. Without it, objects found in a cache run ahead of the objects being
// fetched, and the next level splits in two.
//
// Results, errors included, are cached for the Batcher's lifetime: one request.
type Batcher[K comparable, V any] struct {
	fetch   func(context.Context, []K) (map[K]V, error)
	idle    time.Duration
	maxWait time.Duration
	maxKeys int
	settle  bool
	sched   *scheduler

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
	level    *level
	ctx      context.Context
	keys     []K
	calls    []*call[V]
	timer    *time.Timer
	deadline time.Time
}

// Timing says when a batch is fetched: after Idle without a new key, MaxWait after its
// first key, or at once when it holds MaxKeys keys. With Settle, a batch whose Idle has
// passed still waits (up to MaxWait) while other goroutines of the process are runnable
// or running: on a starved CPU, the resolvers that would add keys may simply not have
// been scheduled yet.
type Timing struct {
	Idle    time.Duration
	MaxWait time.Duration
	MaxKeys int
	Settle  bool
}

// DefaultTiming suits a server on loopback or a LAN to its database: a level of a query
// costs about a millisecond of waiting, and one batch never waits more than 25 ms.
var DefaultTiming = Timing{Idle: time.Millisecond, MaxWait: 25 * time.Millisecond, MaxKeys: 5000}

// NewBatcher returns a Batcher over fetch, which returns the values it found by key;
// keys it leaves out resolve to store.ErrNotFound.
func NewBatcher[K comparable, V any](t Timing, fetch func(context.Context, []K) (map[K]V, error)) *Batcher[K, V] {
	return newBatcher(newScheduler(), t, fetch)
}

func newBatcher[K comparable, V any](s *scheduler, t Timing, fetch func(context.Context, []K) (map[K]V, error)) *Batcher[K, V] {
	return &Batcher[K, V]{fetch: fetch, idle: t.Idle, maxWait: t.MaxWait, maxKeys: t.MaxKeys, settle: t.Settle, sched: s, cache: map[K]*call[V]{}}
}

// scheduler orders the batches of one request by the depth of the query they serve.
type scheduler struct {
	mu     sync.Mutex
	active map[*level]struct{}
}

// level is the depth of one batch while it is pending or being fetched.
type level struct{ depth int }

func newScheduler() *scheduler { return &scheduler{active: map[*level]struct{}{}} }

func (s *scheduler) add(depth int) *level {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &level{depth: depth}
	s.active[l] = struct{}{}
	return l
}

func (s *scheduler) lower(l *level, depth int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l.depth = min(l.depth, depth)
}

// shallowerActive reports whether a batch from a shallower depth than l is pending or
// being fetched.
func (s *scheduler) shallowerActive(l *level) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for other := range s.active {
		if other.depth < l.depth {
			return true
		}
	}
	return false
}

func (s *scheduler) done(l *level) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.active, l)
}

// depthOf is how deep in the query the field resolving on ctx sits.
func depthOf(ctx context.Context) int {
	n := 0
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		n++
	}
	return n
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
	depth := depthOf(ctx)
	p := b.pending
	if p == nil {
		p = &batch[K, V]{level: b.sched.add(depth), ctx: ctx, deadline: now.Add(b.maxWait)}
		p.timer = time.AfterFunc(b.idle, func() { b.fire(p) })
		b.pending = p
	} else {
		b.sched.lower(p.level, depth)
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
	if now := time.Now(); now.Before(p.deadline) && (b.sched.shallowerActive(p.level) || (b.settle && othersBusy())) {
		p.timer.Reset(min(b.idle, p.deadline.Sub(now)))
		b.mu.Unlock()
		return
	}
	b.pending = nil
	b.mu.Unlock()
	b.run(p)
}

// othersBusy reports whether any goroutine but the caller is running or waiting to run.
func othersBusy() bool {
	s := []metrics.Sample{{Name: "/sched/goroutines/runnable:goroutines"}, {Name: "/sched/goroutines/running:goroutines"}}
	metrics.Read(s)
	var n uint64
	for _, v := range s {
		if v.Value.Kind() == metrics.KindUint64 {
			n += v.Value.Uint64()
		}
	}
	return n > 1
}

func (b *Batcher[K, V]) run(p *batch[K, V]) {
	defer b.sched.done(p.level)
	if observe, ok := p.ctx.Value(observerKey{}).(func(int)); ok {
		observe(len(p.keys))
	}
	values, err := b.safeFetch(p.ctx, p.keys)
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

type observerKey struct{}

// WithBatchObserver returns a context whose batches report their number of keys to
// observe just before they are fetched, for metrics. A batch runs with the context of
// its first caller, so every loader of a request derived from ctx reports.
func WithBatchObserver(ctx context.Context, observe func(keys int)) context.Context {
	return context.WithValue(ctx, observerKey{}, observe)
}

// safeFetch turns a panic in fetch into an error for every caller of the batch: the
// batch runs on a timer's goroutine, where gqlgen's recovery does not reach and a panic
// would end the process.
func (b *Batcher[K, V]) safeFetch(ctx context.Context, keys []K) (values map[K]V, err error) {
	defer func() {
		if p := recover(); p != nil {
			values, err = nil, fmt.Errorf("panic in batch fetch: %v\n%s", p, debug.Stack())
		}
	}()
	return b.fetch(ctx, keys)
}
