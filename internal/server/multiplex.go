package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/alliance-graph/alliance-graph/graph"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// Subscriptions are multiplexed: subscribers with the same document, operation,
// variables and audience (policy.Audience) share one hub, which runs the subscription
// once, on an executor of its own, as that audience, and hands every response it
// resolves to each of them. One event then costs one resolution, whatever the number of
// identical subscribers; only the writes to their sockets grow with them.
//
// The audience is the one thing of a viewer a hub knows, and the viewer it runs as: a
// hub cannot show one subscriber anything that depends on another's credential, and
// subscribers whose roles or organizations differ never meet in a hub, since the key
// holds the audience the hub runs as. Everything that is decided per subscriber stays
// in front of the hub (the credential as it is now, rate and operation limits: the
// operation middlewares before this one) or behind it (each subscriber's pace: one a
// whole buffer behind that takes nothing for slowAfter is ended with SLOW_CONSUMER,
// alone; its own end when its operation ends).

// hubRing bounds the responses a hub keeps for its slowest subscriber, as the bus's
// window bounds the events it keeps: a subscriber that falls this far behind is ended
// at once (SLOW_CONSUMER), without waiting for slowAfter; it resumes from its cursor.
const hubRing = 4096

// subscriberBuffer is how many responses a subscriber may be behind before its
// slowAfter clock runs, as the bus buffers for one subscriber: a subscriber that many
// behind which takes nothing for slowAfter is ended, as the bus ends one whose full
// buffer takes no event for that long.
const subscriberBuffer = 256

type multiplexer struct {
	exec      *executor.Executor
	slowAfter time.Duration
	open      *atomic.Int64 // subscribers, for shutdown and metrics; nil: not counted

	mu   sync.Mutex
	hubs map[hubKey]*hub

	alone       atomic.Uint64 // numbers the keys of subscriptions that run alone
	resolutions atomic.Int64  // responses resolved by all hubs
	encodings   atomic.Int64  // responses encoded for sockets by all hubs
}

// hubKey says which subscribers may share a hub.
type hubKey struct {
	document  [sha256.Size]byte
	operation string
	variables string // coerced variables as JSON (map keys sorted)
	audience  auth.Viewer
	alone     uint64 // nonzero for a subscription that shares with nobody
}

type multiplexConfig struct {
	Store     *store.Store
	Batching  loader.Timing
	Presenter graphql.ErrorPresenterFunc
	Recover   graphql.RecoverFunc
	SlowAfter time.Duration
	Open      *atomic.Int64
}

// newMultiplexer builds the executor hubs run subscriptions on: loaders per operation
// and per event scoped to the hub's audience, reads from the primary, a slot for the
// stream's closing error, and the server's error presenter.
func newMultiplexer(es graphql.ExecutableSchema, cfg multiplexConfig) *multiplexer {
	exec := executor.New(es)
	exec.SetErrorPresenter(cfg.Presenter)
	exec.SetRecoverFunc(cfg.Recover)
	exec.AroundOperations(loadersPerOperation(cfg.Store, cfg.Batching, nil))
	exec.AroundOperations(readPrimaryUnlessQuery)
	exec.AroundOperations(graph.WithStreamEnd)
	exec.AroundResponses(freshLoadersForEachEvent(cfg.Store, cfg.Batching))
	if cfg.SlowAfter <= 0 {
		cfg.SlowAfter = 5 * time.Second
	}
	return &multiplexer{exec: exec, slowAfter: cfg.SlowAfter, open: cfg.Open, hubs: map[hubKey]*hub{}}
}

// operations sends every subscription to its hub; queries and mutations pass on. It
// must come after the middlewares that admit or refuse an operation for its subscriber.
func (m *multiplexer) operations(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
		return next(ctx)
	}
	audience := policy.Audience(auth.ViewerFrom(ctx))
	joining := graph.SubscriptionJoining(oc)
	key := hubKey{document: sha256.Sum256([]byte(oc.RawQuery)), operation: oc.OperationName, audience: audience}
	vars, err := json.Marshal(oc.Variables)
	if err != nil {
		joining = graph.JoinAlone
	}
	key.variables = string(vars)
	if joining == graph.JoinAlone {
		key.alone = m.alone.Add(1)
	}
	// On a WebSocket of ours, each response is written as it was encoded once for the
	// hub, by this operation's goroutine, which hands the transport nothing until the
	// stream ends (then its complete or error follows the last response written).
	sock, id, direct := socketOf(ctx, oc)
	var tail []byte
	if direct {
		tail = frameTail(id, sock.nextType())
	}
	s := &subscriber{m: m}
	m.join(s, key, joining, oc)
	if m.open != nil {
		m.open.Add(1)
	}
	stop := context.AfterFunc(ctx, func() {
		s.leave()
		s.finish()
	})
	return func(ctx context.Context) *graphql.Response {
		var end *gqlerror.Error
		for {
			r, e, done := s.next(ctx)
			if done {
				end = e
				break
			}
			if !direct {
				return share(r.r)
			}
			payload, err := r.encoded(&m.encodings)
			if err != nil {
				return share(r.r)
			}
			// A write that fails closes the socket, which ends this operation.
			_ = sock.writeNext(id, tail, payload)
		}
		stop()
		s.leave()
		if end != nil {
			// The transport sends it as the operation's error once this stream ends
			// (WebSocket); an event stream has no slot for it and just completes.
			addSubscriptionError(ctx, end)
		}
		s.finish()
		return nil
	}
}

// join adds s to the hub of key, starting one if none runs or the one running is ending.
func (m *multiplexer) join(s *subscriber, key hubKey, joining graph.Joining, oc *graphql.OperationContext) {
	m.mu.Lock()
	h := m.hubs[key]
	if h == nil || !h.admit(s, joining) {
		h = m.newHub(key, oc)
		m.hubs[key] = h
		h.admit(s, joining)
		go h.run()
	}
	m.mu.Unlock()
}

// newHub prepares the hub of key: its context holds the audience as the viewer, an id
// for the log and error messages (no subscriber's request id), and the operation
// without anything of the subscriber who started it but the document and variables.
func (m *multiplexer) newHub(key hubKey, oc *graphql.OperationContext) *hub {
	var id [8]byte
	rand.Read(id[:])
	ctx := context.WithValue(context.Background(), requestIDKey{}, "subscription-"+hex.EncodeToString(id[:]))
	ctx = context.WithValue(ctx, requestInfoKey{}, &requestInfo{})
	ctx = auth.WithViewer(ctx, key.audience)
	ctx, cancel := context.WithCancel(ctx)
	h := &hub{m: m, key: key, ctx: ctx, cancel: cancel, advanced: make(chan struct{}), members: map[*subscriber]struct{}{}}
	h.oc = &graphql.OperationContext{
		RawQuery:               oc.RawQuery,
		Variables:              oc.Variables,
		OperationName:          oc.OperationName,
		Doc:                    oc.Doc,
		Operation:              oc.Operation,
		DisableIntrospection:   oc.DisableIntrospection,
		RecoverFunc:            oc.RecoverFunc,
		ResolverMiddleware:     oc.ResolverMiddleware,
		RootResolverMiddleware: oc.RootResolverMiddleware,
		Stats:                  graphql.Stats{OperationStart: time.Now()},
	}
	return h
}

// closeIfEmpty ends h once its last subscriber left, unless another joined meanwhile.
func (m *multiplexer) closeIfEmpty(h *hub) {
	m.mu.Lock()
	h.mu.Lock()
	empty := len(h.members) == 0
	if empty {
		h.closing = true
		if m.hubs[h.key] == h {
			delete(m.hubs, h.key)
		}
	}
	h.mu.Unlock()
	m.mu.Unlock()
	if empty {
		h.cancel()
	}
}

// forget removes h, whose stream ended, from the hubs new subscribers may join.
func (m *multiplexer) forget(h *hub) {
	m.mu.Lock()
	if m.hubs[h.key] == h {
		delete(m.hubs, h.key)
	}
	m.mu.Unlock()
}

// hub runs one subscription for its members. Responses are kept from the one its
// slowest member reads next (and at least the latest, for members that join a stream
// of states), at most hubRing of them.
type hub struct {
	m      *multiplexer
	key    hubKey
	oc     *graphql.OperationContext
	ctx    context.Context
	cancel context.CancelFunc

	// Members read under the read lock while they are up to date and not behind (the
	// case of every event for every member), so that thousands of them waking for one
	// response do not queue on the lock; anything else takes the lock.
	mu       sync.RWMutex
	ring     []*hubResponse // responses first, first+1, ... next-1
	first    int64
	next     int64
	advanced chan struct{} // closed, and replaced, when a response arrives or the stream ends
	members  map[*subscriber]struct{}
	closing  bool // its last member left, or its stream failed: it takes no new member
	done     bool // the stream ended; end is its closing error
	end      *gqlerror.Error
}

// admit adds s, starting where joining says; false if h takes no new member. The
// caller holds m.mu.
func (h *hub) admit(s *subscriber, joining graph.Joining) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing || h.done {
		return false
	}
	s.hub = h
	s.cursor = h.next
	if joining == graph.JoinLatest && h.next > h.first {
		s.cursor = h.next - 1
	}
	h.members[s] = struct{}{}
	return true
}

// run resolves the subscription's responses until its stream ends, or its last member
// leaves (which cancels h.ctx).
func (h *hub) run() {
	defer h.m.forget(h)
	var end *gqlerror.Error
	defer func() {
		if p := recover(); p != nil {
			if e, ok := h.m.exec.PresentRecoveredError(h.ctx, p).(*gqlerror.Error); ok {
				end = e
			} else {
				end = &gqlerror.Error{Message: "internal server error", Extensions: map[string]any{"code": string(errcode.Internal)}}
			}
		}
		h.finish(end)
	}()
	responses, ctx := h.m.exec.DispatchOperation(h.ctx, h.oc)
	for {
		r := responses(ctx)
		if r == nil {
			break
		}
		h.m.resolutions.Add(1)
		// The executor writes each response into the buffer of the one before, which
		// the members may not have read yet.
		r.Data = slices.Clone(r.Data)
		h.publish(r)
	}
	end = graph.TakeStreamEnd(ctx)
}

// publish hands r to every member: one append and one wake-up, whatever their number.
// Members a whole buffer behind start their slowAfter clock; those past the ring are
// ended now.
func (h *hub) publish(r *graphql.Response) {
	h.mu.Lock()
	h.ring = append(h.ring, &hubResponse{r: r})
	h.next++
	if len(r.Data) == 0 || string(r.Data) == "null" {
		// The stream failed (a refused argument, an object not found...): whoever
		// subscribes next gets a stream, and its error, of its own.
		h.closing = true
	}
	keep := h.next - 1 // the latest stays, for members joining a stream of states
	floor := h.next - hubRing
	emptied := false
	for s := range h.members {
		switch behind := h.next - s.cursor; {
		case s.cursor < floor:
			h.slow(s)
			emptied = len(h.members) == 0
			continue
		case behind > subscriberBuffer && s.slowTimer == nil:
			s.slowClock++
			s.progress = time.Now()
			clock := s.slowClock
			s.slowTimer = time.AfterFunc(h.m.slowAfter, func() { h.checkSlow(s, clock) })
		}
		keep = min(keep, s.cursor)
	}
	if drop := int(keep - h.first); drop > 0 {
		clear(h.ring[:drop])
		h.ring = h.ring[drop:]
		h.first = keep
	}
	close(h.advanced)
	h.advanced = make(chan struct{})
	h.mu.Unlock()
	if emptied {
		h.m.closeIfEmpty(h)
	}
}

// slow ends s with SLOW_CONSUMER, as the bus ends a subscriber of its own; the caller
// holds h.mu. s receives the error when its transport next asks for a response.
func (h *hub) slow(s *subscriber) {
	s.err = &gqlerror.Error{Message: "the subscriber did not keep up with the event stream; resubscribe with the last cursor it received",
		Extensions: map[string]any{"code": "SLOW_CONSUMER"}}
	delete(h.members, s)
	if s.slowTimer != nil {
		s.slowTimer.Stop()
		s.slowTimer = nil
	}
	close(h.advanced)
	h.advanced = make(chan struct{})
}

// checkSlow ends s if it is still a whole buffer behind and took nothing for slowAfter
// (clock tells this fall behind from a later one); if it took something meanwhile, the
// clock runs again from then.
func (h *hub) checkSlow(s *subscriber, clock int) {
	h.mu.Lock()
	_, member := h.members[s]
	ended := false
	if member && s.slowTimer != nil && s.slowClock == clock {
		if idle := time.Since(s.progress); idle < h.m.slowAfter {
			s.slowTimer.Reset(h.m.slowAfter - idle)
		} else {
			ended = true
			h.slow(s)
		}
	}
	emptied := ended && len(h.members) == 0
	h.mu.Unlock()
	if emptied {
		h.m.closeIfEmpty(h)
	}
}

func (h *hub) finish(end *gqlerror.Error) {
	h.mu.Lock()
	h.done, h.end = true, end
	close(h.advanced)
	h.advanced = make(chan struct{})
	h.mu.Unlock()
	h.cancel()
}

// subscriber is one subscription's place in a hub.
type subscriber struct {
	m         *multiplexer
	hub       *hub
	cursor    int64           // the next response it reads
	slowTimer *time.Timer     // running while it is a whole buffer behind
	slowClock int             // numbers the times it fell a whole buffer behind
	progress  time.Time       // when it last took a response while that far behind
	err       *gqlerror.Error // why the hub ended it (SLOW_CONSUMER)

	left     atomic.Bool
	finished atomic.Bool
}

// next waits for s's next response. done: the stream ended for s, with end as its
// closing error if any.
func (s *subscriber) next(ctx context.Context) (r *hubResponse, end *gqlerror.Error, done bool) {
	h := s.hub
	for {
		if ctx.Err() != nil {
			return nil, nil, true
		}
		// A member's cursor is its own: it moves it under the read lock, and others
		// read it under the lock. Its slow timer and error are set under the lock.
		h.mu.RLock()
		if s.err == nil && s.slowTimer == nil && s.cursor >= h.first {
			if s.cursor < h.next {
				r = h.ring[s.cursor-h.first]
				s.cursor++
				h.mu.RUnlock()
				return r, nil, false
			}
			if !h.done {
				advanced := h.advanced
				h.mu.RUnlock()
				select {
				case <-advanced:
				case <-ctx.Done():
				}
				continue
			}
		}
		h.mu.RUnlock()
		h.mu.Lock()
		switch {
		case s.err != nil:
			end = s.err
			h.mu.Unlock()
			return nil, end, true
		case s.cursor < h.first:
			// It left (its operation ended) since it last looked, and the responses it
			// had not read were dropped.
			h.mu.Unlock()
			return nil, nil, true
		case s.cursor < h.next:
			r = h.ring[s.cursor-h.first]
			s.cursor++
			if s.slowTimer != nil {
				if h.next-s.cursor <= subscriberBuffer {
					s.slowTimer.Stop()
					s.slowTimer = nil
				} else {
					s.progress = time.Now()
				}
			}
			h.mu.Unlock()
			return r, nil, false
		case h.done:
			end = h.end
			h.mu.Unlock()
			return nil, end, true
		}
		advanced := h.advanced
		h.mu.Unlock()
		select {
		case <-advanced:
		case <-ctx.Done():
		}
	}
}

// hubResponse is one response of a hub, with its bytes, encoded once for all the
// subscribers that write it to their sockets, when the first of them asks.
type hubResponse struct {
	r       *graphql.Response
	once    sync.Once
	payload []byte
	err     error
}

func (e *hubResponse) encoded(count *atomic.Int64) ([]byte, error) {
	e.once.Do(func() {
		e.payload, e.err = encodeResponse(e.r)
		count.Add(1)
	})
	return e.payload, e.err
}

// share gives a subscriber its own copy of a response's envelope: the data, its bytes
// resolved once, is shared, and whatever a transport or middleware appends to the
// errors lands in a list of its own.
func share(r *graphql.Response) *graphql.Response {
	c := *r
	c.Errors = slices.Clip(c.Errors)
	return &c
}

// leave takes s out of its hub, once; the hub ends with its last member.
func (s *subscriber) leave() {
	if s.left.Swap(true) {
		return
	}
	h := s.hub
	h.mu.Lock()
	delete(h.members, s)
	if s.slowTimer != nil {
		s.slowTimer.Stop()
		s.slowTimer = nil
	}
	emptied := len(h.members) == 0
	h.mu.Unlock()
	if emptied {
		s.m.closeIfEmpty(h)
	}
}

// finish counts s out of the open subscriptions, once: when its stream handed the
// transport its last message, or its client left.
func (s *subscriber) finish() {
	if s.finished.Swap(true) {
		return
	}
	if s.m.open != nil {
		s.m.open.Add(-1)
	}
}

// Resolutions counts the responses hubs resolved: with N identical subscribers one event
// adds one, not N.
func (m *multiplexer) Resolutions() int64 { return m.resolutions.Load() }

// Encodings counts the responses hubs encoded for the sockets of their subscribers:
// with N identical subscribers on WebSockets, one event adds one, not N.
func (m *multiplexer) Encodings() int64 { return m.encodings.Load() }

// Hubs counts the subscriptions running for their subscribers.
func (m *multiplexer) Hubs() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.hubs)
}
