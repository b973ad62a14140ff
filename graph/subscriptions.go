package graph

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// eventOrder is the order of the event log in cursors: subscription cursors and those of
// Query.events (sorted by SEQUENCE, ascending) are interchangeable.
const eventOrder = "SEQUENCE:ASC"

// subscriberBuffer is how many events may wait for one slow subscriber.
const subscriberBuffer = 256

func (r *subscriptionResolver) subscribeEvents(ctx context.Context, alliance *string, kinds []store.EventKind, after *string) (<-chan *model.EventEdge, error) {
	if r.Bus == nil {
		return nil, errors.New("subscriptions are not enabled on this server")
	}
	v := auth.ViewerFrom(ctx)
	f := bus.Filter{Kinds: kinds, Hidden: policy.EventKindsHidden(v)}
	if scope := policy.ResourceScope(v); !scope.All {
		// Events about resources shared with named members only reach those who may see
		// the resource; such events are rare, so each costs one lookup.
		f.Match = func(e *store.Event) bool {
			if !e.Restricted || e.ResourceID == nil {
				return true
			}
			ok, err := r.Store.ResourceVisible(ctx, scope, *e.ResourceID)
			return err == nil && ok
		}
	}
	if alliance != nil {
		key, err := relay.ParseIDOf(relay.TypeAlliance, *alliance)
		if err != nil {
			return nil, errcode.BadInput("alliance", "is not the ID of an alliance")
		}
		f.Alliances = []int64{key}
	}
	from := int64(-1)
	if after := relay.Given(after); after != nil {
		c, err := relay.ParseCursor(*after, eventOrder)
		if err != nil {
			return nil, errcode.BadInput("after", "%v", err)
		}
		from = c.ID
	}
	sub := r.Bus.Subscribe(ctx, from, f, subscriberBuffer)
	out := make(chan *model.EventEdge)
	go func() {
		defer close(out)
		for e := range sub.C {
			edge := &model.EventEdge{
				Cursor: relay.Cursor{Order: eventOrder, Sort: strconv.FormatInt(e.ID, 10), ID: e.ID}.String(),
				Node:   wrapEvent(&e),
			}
			select {
			case out <- edge:
			case <-ctx.Done():
				return
			}
		}
		// Once the client is gone (ctx done) nobody reads an error.
		if ctx.Err() != nil {
			return
		}
		switch err := sub.Err(); {
		case errors.Is(err, bus.ErrSlowConsumer):
			endWithError(ctx, &gqlerror.Error{Message: err.Error(), Extensions: map[string]any{"code": "SLOW_CONSUMER"}})
		case errors.Is(err, bus.ErrClosed):
			endWithError(ctx, &gqlerror.Error{Message: err.Error(), Extensions: map[string]any{"code": "SHUTTING_DOWN"}})
		case err != nil:
			// Logged by the presenter's caller would be better; the client gets a code only.
			endWithError(ctx, &gqlerror.Error{Message: "the event stream failed; resubscribe with the last cursor received", Extensions: map[string]any{"code": string(errcode.Internal)}})
		}
	}()
	return out, nil
}

func (r *subscriptionResolver) subscribeStats(ctx context.Context, alliance *string) (<-chan *store.AllianceStats, error) {
	if r.Stats == nil {
		return nil, errors.New("subscriptions are not enabled on this server")
	}
	key, err := r.allianceKey(ctx, alliance)
	if err != nil {
		return nil, err
	}
	return r.Stats.Watch(ctx, key), nil
}

// watchNode pushes the node now and after every event about it. Each push reads the node
// with fresh loaders, so it is the node as it is after the change.
func (r *subscriptionResolver) watchNode(ctx context.Context, id string) (<-chan model.Node, error) {
	if r.Bus == nil {
		return nil, errors.New("subscriptions are not enabled on this server")
	}
	fresh := func() context.Context { return loader.With(ctx, loader.For(ctx, r.Store, loader.DefaultTiming)) }
	first, err := node(fresh(), "id", id)
	if err != nil {
		return nil, err
	}
	sub := r.Bus.Subscribe(ctx, -1, bus.Filter{Match: func(e *store.Event) bool {
		if e.SubjectID == id {
			return true
		}
		// Hires change an opening's fill state; their events name the opening.
		var p struct {
			Opening string `json:"opening"`
		}
		return json.Unmarshal(e.Payload, &p) == nil && p.Opening == id
	}}, subscriberBuffer)
	out := make(chan model.Node, 1)
	out <- first
	go func() {
		defer close(out)
		for range sub.C {
			n, err := node(fresh(), "id", id)
			if err != nil {
				if ctx.Err() != nil {
					return // the client left; nobody reads errors any more
				}
				endWithError(ctx, &gqlerror.Error{Message: "the object is gone or no longer visible", Extensions: map[string]any{"code": string(errcode.NotFound)}})
				return
			}
			select {
			case out <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// endWithError gives a subscription its closing error, which its subscribers receive
// once the subscription's channel is closed (TakeStreamEnd). Over SSE the transport has
// no error slot: the stream just completes, and the client resumes from its last cursor.
func endWithError(ctx context.Context, e *gqlerror.Error) {
	if s, ok := ctx.Value(streamEndKey{}).(*streamEnd); ok {
		s.mu.Lock()
		s.err = e
		s.mu.Unlock()
	}
}

// streamEnd carries a subscription's closing error from the goroutine that feeds its
// channel to the transport's goroutine. gqlgen reads the slot AddSubscriptionError
// writes without a lock once the stream ends, which it also does when the client leaves
// or completes; written from the feeding goroutine, the slot would race with that read.
type streamEnd struct {
	mu  sync.Mutex
	err *gqlerror.Error
}

type streamEndKey struct{}

// WithStreamEnd gives each subscription a place for its closing error. The server
// installs it with AroundOperations on the executor that runs subscriptions, and reads
// it with TakeStreamEnd.
func WithStreamEnd(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
		ctx = context.WithValue(ctx, streamEndKey{}, &streamEnd{})
	}
	return next(ctx)
}

// TakeStreamEnd returns the closing error endWithError left for the subscription whose
// dispatch context is ctx, once its stream has ended, and clears it; nil if none. The
// server's multiplexer hands it to each subscriber sharing the stream.
func TakeStreamEnd(ctx context.Context) *gqlerror.Error {
	s, ok := ctx.Value(streamEndKey{}).(*streamEnd)
	if !ok {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.err
	s.err = nil
	return e
}

// Joining says how a subscriber may join the stream of a subscription that already runs
// for others with the same document, variables and audience: the server resolves each
// response once for all of them (server/multiplex.go).
type Joining int

const (
	// JoinAlone: what the stream sends depends on when it starts (a replay from a
	// cursor, or a field this table does not know), so it runs for one subscriber.
	JoinAlone Joining = iota
	// JoinNext: the subscriber receives what the stream resolves after it joins, as a
	// stream of events started then would.
	JoinNext
	// JoinLatest: the stream pushes states (the first at once); the subscriber receives
	// the latest one at once, then what follows.
	JoinLatest
)

// SubscriptionJoining tells, from its root field and arguments, how a subscription may
// be shared. A field added to Subscription runs alone until it is listed here.
func SubscriptionJoining(oc *graphql.OperationContext) Joining {
	fields := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Subscription"})
	if len(fields) != 1 {
		return JoinAlone
	}
	switch f := fields[0]; f.Name {
	case "events":
		// Without a cursor, a stream of what is still to come; with one, a replay
		// that starts where this subscriber's cursor says.
		if f.ArgumentMap(oc.Variables)["after"] == nil {
			return JoinNext
		}
	case "allianceStats", "nodeChanged":
		return JoinLatest
	}
	return JoinAlone
}
