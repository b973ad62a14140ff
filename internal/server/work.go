package server

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
)

// DefaultMaxWorkInFlight is how much estimated work (in the cost model's units, about
// 10 µs of server and database CPU each; see prices.go) one client may have running at
// once: a little more than the costliest request an anonymous caller may send, so that a
// client runs one such request at a time, or many cheap ones. On two cores one costly
// request at a time leaves the other core to everyone else; eight of them, which the
// in-flight limit alone allows, took both and slowed other clients fourfold.
const DefaultMaxWorkInFlight = 60_000

// costExtension names the operation's estimated cost in its OperationContext's stats,
// where operationLimits leaves it for the work limit.
const costExtension = "OperationCost"

// perClient holds, per client, an amount in flight (requests, estimated work, open
// connections) under a maximum. Entries are removed when they drop to zero, so memory
// follows the clients with something in flight.
type perClient struct {
	max     int
	mu      sync.Mutex
	clients map[string]int
}

// newPerClient holds each client to max: def when max is 0, no limit (nil) when negative.
func newPerClient(max, def int) *perClient {
	if max == 0 {
		max = def
	}
	if max < 0 {
		return nil
	}
	return &perClient{max: max, clients: map[string]int{}}
}

// reserve counts n in for client unless that would pass max; a client with nothing in
// flight may always take one reservation, whatever its size (an operation the cost
// budget of its role already bounded, which an administrator's may make larger than
// max). release counts it out, once.
func (l *perClient) reserve(client string, n int) (release func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	held := l.clients[client]
	if held > 0 && held+n > l.max {
		return nil, false
	}
	l.clients[client] = held + n
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.clients[client] -= n; l.clients[client] <= 0 {
				delete(l.clients, client)
			}
		})
	}, true
}

// DefaultCostRate and DefaultCostBurst are how much estimated work a client may ask for
// over time: 25,000 units a second (about a quarter of a CPU-second, so that a client
// keeps to about an eighth of a two-core server however it spends its requests), and up
// to 150,000 at once, which a frontend's heaviest page (the deepest query costs 22,854,
// the dashboard 10,100) never nears. The request rate alone let one client spend its 20
// requests a second on the costliest searches: a core's worth, which tripled another
// client's p99.
const (
	DefaultCostRate  = 25_000
	DefaultCostBurst = 150_000
)

// newCostRate is the bucket of estimated work per client: DefaultCostRate and
// DefaultCostBurst where 0, none when rate is negative.
func newCostRate(rate float64, burst int) *rateLimiter {
	if rate == 0 {
		rate = DefaultCostRate
	}
	if burst == 0 {
		burst = DefaultCostBurst
	}
	if rate < 0 {
		return nil
	}
	return newRateLimiter(RateLimit{Rate: rate, Burst: burst})
}

// limitWork refuses a query or mutation whose estimated cost its client's cost bucket
// does not hold (RATE_LIMITED, with the wait), or that would take its client's work in
// flight past the limit (TOO_MANY_IN_FLIGHT), over any transport; the work is counted out
// when the response is written or the operation's context ends. Subscriptions are
// bounded by the WebSocket's own limits, and the events they resolve are not counted.
// Either limit may be nil (off).
func limitWork(l *perClient, costs *rateLimiter) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		cost, _ := oc.Stats.GetExtension(costExtension).(int)
		if cost <= 0 || oc.Operation == nil || oc.Operation.Operation == ast.Subscription {
			return next(ctx)
		}
		client := clientOf(ctx)
		if costs != nil {
			if ok, wait := costs.allowN(client, cost); !ok {
				secs := int(math.Ceil(wait.Seconds()))
				return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
					Message: fmt.Sprintf("too much work asked for: a client may ask for operations costing %g a second (bursts of %d), and this one's estimated cost is %d; retry after %d s",
						costs.cfg.Rate, costs.cfg.Burst, cost, secs),
					Extensions: map[string]any{"code": string(errcode.RateLimited), "complexity": cost, "retryAfter": secs},
				}}})
			}
		}
		if l == nil {
			return next(ctx)
		}
		release, ok := l.reserve(client, cost)
		if !ok {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
				Message:    fmt.Sprintf("too much work in flight: this operation's estimated cost is %d, and a client may have operations costing %d running at once; send it again when one of them is answered", cost, l.max),
				Extensions: map[string]any{"code": string(errcode.TooManyInFlight), "limit": l.max, "complexity": cost, "retryAfter": 1},
			}}})
		}
		stop := context.AfterFunc(ctx, release)
		responses := next(ctx)
		return func(ctx context.Context) *graphql.Response {
			defer func() {
				stop()
				release()
			}()
			return responses(ctx)
		}
	}
}

type clientKeyKey struct{}

// withClientKey puts the request's client key (see clientKey) where operations find it,
// WebSocket ones included: their viewer arrives later, with connection_init, and
// clientOf prefers it.
func withClientKey(ipHeader string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKeyKey{}, clientKey(r, ipHeader))))
	})
}

// clientOf is the client an operation counts against, keyed as the rate limiter keys
// requests: its viewer's subject (on a WebSocket, the credential of connection_init),
// else the key of the request that carries it.
func clientOf(ctx context.Context) string {
	if v := auth.ViewerFrom(ctx); !v.Anonymous() && v.Subject != "" {
		return "subject:" + v.Subject
	}
	if k, ok := ctx.Value(clientKeyKey{}).(string); ok {
		return k
	}
	return "unknown"
}
