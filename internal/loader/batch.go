package loader

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/alliance-graph/alliance-graph/internal/store"
)

// Batcher collects the keys that resolvers ask for and fetches them in one call.
//
// Windowed loaders (dataloadgen and its kin start one timer at the first key) split a
// batch whenever a query fans out so widely that gqlgen needs longer than the window to
// reach every field: measured on the deep member -> partnership -> participant ->
// resources query at 50 members, a 2 ms window issued 18 to 43 statements instead of 7.
// In a query or mutation the Batchers of the operation therefore send by its tracker's
// count of field resolutions (track.go), with no timer but a stall limit.
//
// Subscription events are not tracked: there a Batcher waits until keys stop arriving for
// Idle (up to MaxWait after the first), and the Batchers of one event share a scheduler
// that sends batches level by level: a batch asked for at depth d waits while a batch from
// a shallower depth is pending or being fetched, because that batch's results will wake
// resolvers that add keys at depth d.
//
// Results, errors included, are cached for the Batcher's lifetime: one request.
type Batcher[K comparable, V any] struct {
	fetch   func(context.Context, []K) (map[K]V, error)
	idle    time.Duration
	maxWait time.Duration
	maxKeys int
	sched   *scheduler

	mu      sync.Mutex
	cache   map[K]*call[V]
	pending *batch[K, V]
}

type call[V any] struct {
	done chan struct{}
	v    V
	err  error
	// waiters and delivered are guarded by the operation's tracker, when there is one.
	waiters   int
	delivered bool
}

type batch[K comparable, V any] struct {
	// depth is that of the shallowest field waiting on a tracked batch; askers, the fields
	// (Type.field) that asked for its keys.
	depth    int
	askers   []fieldOf
	level    *level
	ctx      context.Context
	keys     []K
	calls    []*call[V]
	timer    *time.Timer
	deadline time.Time
}

// Timing says when a batch of an untracked operation (a subscription's event) is fetched:
// after Idle without a new key, MaxWait after its first key, or at once when it holds
// MaxKeys keys. Tracked operations use only MaxKeys.
type Timing struct {
	Idle    time.Duration
	MaxWait time.Duration
	MaxKeys int
}

// DefaultTiming suits a server on loopback or a LAN to its database: a level of a
// subscription event costs about a millisecond of waiting, and one of its batches never
// waits more than 25 ms.
var DefaultTiming = Timing{Idle: time.Millisecond, MaxWait: 25 * time.Millisecond, MaxKeys: 5000}

// NewBatcher returns a Batcher over fetch, which returns the values it found by key;
// keys it leaves out resolve to store.ErrNotFound.
func NewBatcher[K comparable, V any](t Timing, fetch func(context.Context, []K) (map[K]V, error)) *Batcher[K, V] {
	return newBatcher(newScheduler(), t, fetch)
}

func newBatcher[K comparable, V any](s *scheduler, t Timing, fetch func(context.Context, []K) (map[K]V, error)) *Batcher[K, V] {
	return &Batcher[K, V]{fetch: fetch, idle: t.Idle, maxWait: t.MaxWait, maxKeys: t.MaxKeys, sched: s, cache: map[K]*call[V]{}}
}

// scheduler orders the batches of one request by the depth of the query they serve,
// unless the request's fields are counted (track): then the count alone decides.
type scheduler struct {
	track *tracker

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
	return b.wait(ctx, b.enqueue(ctx, key))
}

// LoadAll returns the values of keys, in order, fetched in as few batches as possible.
func (b *Batcher[K, V]) LoadAll(ctx context.Context, keys []K) ([]V, error) {
	calls := make([]*call[V], len(keys))
	for i, k := range keys {
		calls[i] = b.enqueue(ctx, k)
	}
	out := make([]V, len(keys))
	for i, c := range calls {
		v, err := b.wait(ctx, c)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// wait waits for c's batch. A tracked operation counts the wait: when every running
// field is waiting, its pending batches go out.
func (b *Batcher[K, V]) wait(ctx context.Context, c *call[V]) (V, error) {
	t := b.sched.track
	if t != nil && !t.waitFor(func() (delivered bool) {
		if !c.delivered {
			c.waiters++
		}
		return c.delivered
	}) {
		return c.v, c.err
	}
	select {
	case <-c.done:
		return c.v, c.err
	case <-ctx.Done():
		if t != nil {
			t.locked(func() {
				if !c.delivered {
					c.waiters--
					t.waiting--
				}
			})
		}
		var zero V
		return zero, ctx.Err()
	}
}

func (b *Batcher[K, V]) enqueue(ctx context.Context, key K) *call[V] {
	if b.sched.track != nil {
		return b.enqueueTracked(ctx, key)
	}
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

// enqueueTracked adds key to the pending batch, which the tracker sends when the
// operation is quiet. A batch that is full, or asked for outside any field (where no count
// can tell when more keys are coming), goes out at once.
func (b *Batcher[K, V]) enqueueTracked(ctx context.Context, key K) *call[V] {
	t := b.sched.track
	b.mu.Lock()
	if c, ok := b.cache[key]; ok {
		b.mu.Unlock()
		return c
	}
	c := &call[V]{done: make(chan struct{})}
	b.cache[key] = c
	p := b.pending
	fresh := p == nil
	if fresh {
		p = &batch[K, V]{ctx: ctx}
		p.timer = time.AfterFunc(t.shapes.stall, func() { b.stalled(p) })
		b.pending = p
	}
	if d := depthOf(ctx); fresh || d < p.depth {
		p.depth = d
	}
	fc := graphql.GetFieldContext(ctx)
	if fc != nil {
		if asker := (fieldOf{fc.Object, fc.Field.Name}); !slices.Contains(p.askers, asker) {
			p.askers = append(p.askers, asker)
		}
	}
	p.keys = append(p.keys, key)
	p.calls = append(p.calls, c)
	now := fc == nil || (b.maxKeys > 0 && len(p.keys) >= b.maxKeys)
	if now {
		p.timer.Stop()
		b.pending = nil
	}
	b.mu.Unlock()
	switch {
	case now:
		go b.sendTracked(p)
	case fresh:
		t.pending(b)
	}
	return c
}

func (b *Batcher[K, V]) pendingBatch() (depth int, askers []fieldOf, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pending == nil {
		return 0, nil, false
	}
	return b.pending.depth, b.pending.askers, true
}

// take hands the tracker the pending batch.
func (b *Batcher[K, V]) take() (func(), bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.pending
	if p == nil {
		return nil, false
	}
	p.timer.Stop()
	b.pending = nil
	return func() { b.runTracked(p) }, true
}

// stalled sends a batch that waited the stall limit.
func (b *Batcher[K, V]) stalled(p *batch[K, V]) {
	t := b.sched.track
	b.mu.Lock()
	if b.pending != p {
		b.mu.Unlock()
		return
	}
	b.pending = nil
	b.mu.Unlock()
	t.shapes.incident(Stalled)
	b.sendTracked(p)
}

// sendTracked fetches a batch the tracker did not send itself.
func (b *Batcher[K, V]) sendTracked(p *batch[K, V]) {
	t := b.sched.track
	t.locked(func() { t.fetching++ })
	b.runTracked(p)
}

// runTracked fetches a batch and delivers it: its waiters stop waiting, in the count,
// before they wake, so that the operation never looks quiet while they are about to run.
func (b *Batcher[K, V]) runTracked(p *batch[K, V]) {
	t := b.sched.track
	b.resolve(p)
	t.locked(func() {
		for _, c := range p.calls {
			t.waiting -= c.waiters
			c.waiters = 0
			c.delivered = true
		}
		t.fetching--
	})
	for _, c := range p.calls {
		close(c.done)
	}
}

func (b *Batcher[K, V]) fire(p *batch[K, V]) {
	b.mu.Lock()
	if b.pending != p {
		// Already sent because it filled up.
		b.mu.Unlock()
		return
	}
	if now := time.Now(); now.Before(p.deadline) && b.sched.shallowerActive(p.level) {
		p.timer.Reset(min(b.idle, p.deadline.Sub(now)))
		b.mu.Unlock()
		return
	}
	b.pending = nil
	b.mu.Unlock()
	b.run(p)
}

func (b *Batcher[K, V]) run(p *batch[K, V]) {
	defer b.sched.done(p.level)
	b.resolve(p)
	for _, c := range p.calls {
		close(c.done)
	}
}

// resolve fetches a batch and sets the result of each of its calls.
func (b *Batcher[K, V]) resolve(p *batch[K, V]) {
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
