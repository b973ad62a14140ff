// Package graph holds the GraphQL executor generated from schema.graphqls and the thin
// resolvers that translate GraphQL arguments into store and loader calls.
package graph

import (
	"context"
	"time"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/change"
	"github.com/alliance-graph/alliance-graph/internal/live"
	"github.com/alliance-graph/alliance-graph/internal/network"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// Resolver is the root of the resolver tree. Related objects are read through the
// per-request loaders in the context, top-level lists through the store, and changes go
// through the change service.
type Resolver struct {
	Store   *store.Store
	Changes *change.Service
	// Bus feeds subscriptions; nil disables them.
	Bus EventStream
	// Stats shares live alliance counters among subscribers; nil disables them.
	Stats *live.Stats
	// Network keeps measured partnership networks for rankings.
	Network *network.Cache
	// Figures reads the dashboard figures, kept until the next change.
	Figures model.Figures
	// Clock tells the time, and with it the alliance's day, which decides the state of
	// courses, their free seats, and whether an opening is past its closing date.
	Clock calendar.Clock
}

// today is the alliance's day (calendar.Today) by the resolver's clock.
func (r *Resolver) today() time.Time { return calendar.Today(r.Clock()) }

// EventStream is all subscriptions need of the event bus: a stream of committed events
// after a cursor. LISTEN/NOTIFY serves it today; a broker could replace it.
type EventStream interface {
	Subscribe(ctx context.Context, after int64, f bus.Filter, buffer int) *bus.Subscription
}
