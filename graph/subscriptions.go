package graph

import (
	"context"
	"errors"
	"strconv"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
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
	f := bus.Filter{Kinds: kinds, Hidden: policy.EventKindsHidden(auth.ViewerFrom(ctx))}
	if alliance != nil {
		key, err := relay.ParseIDOf(relay.TypeAlliance, *alliance)
		if err != nil {
			return nil, errcode.BadInput("alliance", "is not the ID of an alliance")
		}
		f.Alliances = []int64{key}
	}
	from := int64(-1)
	if after != nil {
		c, err := relay.ParseCursor(*after, eventOrder)
		if err != nil {
			return nil, errcode.BadInput("after", "%v", err)
		}
		from = c.ID
	}
	sub := r.Bus.Subscribe(ctx, from, f, subscriberBuffer)
	out := make(chan *model.EventEdge)
	if r.Streams != nil {
		r.Streams.Add(1)
	}
	go func() {
		defer func() {
			close(out)
			if r.Streams != nil {
				r.Streams.Add(-1)
			}
		}()
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
		switch err := sub.Err(); {
		case errors.Is(err, bus.ErrSlowConsumer):
			transport.AddSubscriptionError(ctx, &gqlerror.Error{Message: err.Error(), Extensions: map[string]any{"code": "SLOW_CONSUMER"}})
		case errors.Is(err, bus.ErrClosed):
			transport.AddSubscriptionError(ctx, &gqlerror.Error{Message: err.Error(), Extensions: map[string]any{"code": "SHUTTING_DOWN"}})
		case err != nil:
			// Logged by the presenter's caller would be better; the client gets a code only.
			transport.AddSubscriptionError(ctx, &gqlerror.Error{Message: "the event stream failed; resubscribe with the last cursor received", Extensions: map[string]any{"code": string(errcode.Internal)}})
		}
	}()
	return out, nil
}
