package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
)

// LiveLimits bound what live connections (WebSockets, Server-Sent Event streams) may
// hold. A WebSocket is one HTTP request that can carry any number of operations, so the
// per-request limits (rate, timeout) are applied to each operation it starts as well.
type LiveLimits struct {
	// MaxOperations is how many operations one WebSocket may run at once, subscriptions
	// included (default DefaultMaxOperations; negative: no limit). One more gets an
	// error message for that operation (TOO_MANY_OPERATIONS); the socket stays open.
	MaxOperations int
	// MaxConnections is how many WebSockets and event streams one client may hold open
	// at once (default DefaultMaxConnections; negative: no limit). One more is refused
	// with 429 (TOO_MANY_CONNECTIONS) before it is upgraded.
	MaxConnections int
	// WriteTimeout is the longest a write to a WebSocket or an event stream may wait for
	// the client to take it (default DefaultWriteTimeout); past it the connection is
	// closed and its subscriptions end.
	WriteTimeout time.Duration
	// CredentialCheck is how often the API keys behind live connections are re-read to
	// find revoked and changed ones (default auth.DefaultWatchInterval).
	CredentialCheck time.Duration
	// ReservationTimeout is how long a reservation of an event stream (single connection
	// mode, ssereserve.go) waits for its stream to be opened before it is dropped
	// (default DefaultReservationTimeout).
	ReservationTimeout time.Duration
}

// Defaults of LiveLimits, safe for a server on the public internet.
const (
	DefaultMaxOperations  = 100
	DefaultMaxConnections = 32
	DefaultWriteTimeout   = 10 * time.Second
)

func (l LiveLimits) withDefaults() LiveLimits {
	if l.MaxOperations == 0 {
		l.MaxOperations = DefaultMaxOperations
	}
	if l.MaxConnections == 0 {
		l.MaxConnections = DefaultMaxConnections
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = DefaultWriteTimeout
	}
	return l
}

// streams holds, for one server, the live connections' limits and state.
type streams struct {
	limits   LiveLimits
	auth     *auth.Authenticator
	watcher  *auth.Watcher
	limiter  *rateLimiter // nil: no rate limit
	ipHeader string
	timeout  time.Duration // of queries and mutations
	log      *slog.Logger

	conns *perClient // open connections per client; nil: no limit
}

func newLive(limits LiveLimits, a *auth.Authenticator, limiter *rateLimiter, rl RateLimit, timeout time.Duration, log *slog.Logger) *streams {
	l := &streams{limits: limits.withDefaults(), auth: a, limiter: limiter, ipHeader: rl.ClientIPHeader, timeout: timeout, log: log}
	l.conns = newPerClient(l.limits.MaxConnections, DefaultMaxConnections)
	l.watcher = a.NewWatcher(l.limits.CredentialCheck, func(err error) {
		log.Warn("cannot re-check the credentials of live connections; retrying", "error", err)
	})
	return l
}

// liveConn is one WebSocket or event stream.
type liveConn struct {
	websocket bool

	operations atomic.Int64 // running now

	mu     sync.Mutex
	end    func(reason string) // closes the connection because its credential ended
	reason string              // why the credential ended it; "" while it is valid
}

type liveConnKey struct{}

func liveConnFrom(ctx context.Context) *liveConn {
	lc, _ := ctx.Value(liveConnKey{}).(*liveConn)
	return lc
}

// setEnd says how to close the connection when its credential ends.
func (lc *liveConn) setEnd(end func(reason string)) {
	lc.mu.Lock()
	lc.end = end
	lc.mu.Unlock()
}

// credentialEnded closes the connection, once, saying why.
func (lc *liveConn) credentialEnded(reason string) {
	lc.mu.Lock()
	if lc.reason != "" {
		lc.mu.Unlock()
		return
	}
	lc.reason = reason
	end := lc.end
	lc.mu.Unlock()
	if end != nil {
		end(reason)
	}
}

func (lc *liveConn) endReason() string {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return lc.reason
}

// isWebsocket and isEventStream tell the requests that stay open; each is exempt from
// the request timeout as a whole, its operations are not.
func isWebsocket(r *http.Request) bool { return r.Header.Get("Upgrade") != "" }

func isEventStream(r *http.Request) bool {
	// An operation sent to a reserved stream is answered at once, whatever its Accept.
	return transport.SSE{}.Supports(r) && reservationToken(r) == ""
}

// connections counts each client's live connections and refuses one past the limit
// before it is upgraded; it puts the connection's liveConn in the context, and watches
// an event stream's credential (a WebSocket's is known after connection_init).
func (l *streams) connections(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws := isWebsocket(r)
		if !ws && !isEventStream(r) {
			next.ServeHTTP(w, r)
			return
		}
		client := clientKey(r, l.ipHeader)
		release := func() {}
		if l.conns != nil {
			var ok bool
			if release, ok = l.conns.reserve(client, 1); !ok {
				tooManyConnections(w, r, l.limits.MaxConnections)
				return
			}
		}
		defer release()
		lc := &liveConn{websocket: ws}
		ctx, cancel := context.WithCancel(context.WithValue(r.Context(), liveConnKey{}, lc))
		defer cancel()
		if !ws {
			// The stream's subscription ends with the context; the operation's
			// interceptor then sends the reason as the stream's last event.
			lc.setEnd(func(string) { cancel() })
			defer l.watcher.Watch(auth.ViewerFrom(ctx), lc.credentialEnded)()
			w = &deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), timeout: l.limits.WriteTimeout, stalled: cancel}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func tooManyConnections(w http.ResponseWriter, r *http.Request, limit int) {
	writeGraphQLError(w, r, http.StatusTooManyRequests, errcode.TooManyConnections,
		fmt.Sprintf("too many open connections: a client may hold %d WebSockets and event streams (reserved ones included) at once; close one first", limit),
		map[string]any{"limit": limit})
}

// watchWebsocket closes a WebSocket with 4403 and the reason (graphql-transport-ws's
// Forbidden) when its viewer's credential expires, is revoked or changes, and then ends
// its context, which ends the legacy protocol's sockets too. It returns the context the
// connection's operations run under.
func (l *streams) watchWebsocket(ctx context.Context, v auth.Viewer) context.Context {
	lc := liveConnFrom(ctx)
	if lc == nil || v.Anonymous() {
		return ctx
	}
	ctx = transport.AppendCloseReason(ctx, "Forbidden: the credential is no longer valid; reconnect with a valid one")
	ctx, cancel := context.WithCancel(ctx)
	h, _ := ctx.Value(connSlot{}).(*connHolder)
	lc.setEnd(func(reason string) {
		if h != nil {
			if g := h.get(); g != nil {
				g.mu.Lock()
				g.violate(4403, closeReason("Forbidden: "+reason))
				g.mu.Unlock()
			}
		}
		cancel()
	})
	stop := l.watcher.Watch(v, lc.credentialEnded)
	context.AfterFunc(ctx, stop)
	return ctx
}

// closeReason cuts a close frame's reason to the 123 bytes a WebSocket close frame
// carries.
func closeReason(s string) string {
	const max = 123
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// operations applies the limits of a request to each operation started on a live
// connection: the credential as it is now, the client's rate, the connection's number
// of running operations, and the request timeout for queries and mutations.
func (l *streams) operations(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	lc := liveConnFrom(ctx)
	if lc == nil || !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil {
		return next(ctx)
	}
	v := auth.ViewerFrom(ctx)
	if reason := lc.endReason(); reason != "" {
		return refuseOperation(ctx, lc, errcode.Unauthenticated, reason, nil)
	}
	if err := l.auth.Current(ctx, v); err != nil {
		reason := auth.Reason(err)
		if reason == "" {
			l.log.ErrorContext(ctx, "cannot check the credential of a live connection", "request_id", RequestID(ctx), "error", err)
			return refuseOperation(ctx, lc, errcode.Unavailable, "the credential could not be checked; retry shortly", nil)
		}
		if lc.websocket {
			// Close once the transport has sent this operation's error: it cancels the
			// operation's context right after.
			context.AfterFunc(ctx, func() { lc.credentialEnded(reason) })
		} else {
			lc.credentialEnded(reason)
		}
		return refuseOperation(ctx, lc, errcode.Unauthenticated, reason, nil)
	}
	if lc.websocket {
		// An event stream is one request, which the HTTP limiter has counted.
		if l.limiter != nil {
			if ok, wait := l.limiter.allow(clientOf(ctx)); !ok {
				secs := int(math.Ceil(wait.Seconds()))
				return refuseOperation(ctx, lc, errcode.RateLimited,
					fmt.Sprintf("too many operations: the limit is %g a second with bursts of %d; retry after %d s", l.limiter.cfg.Rate, l.limiter.cfg.Burst, secs),
					map[string]any{"retryAfter": secs})
			}
		}
		if max := int64(l.limits.MaxOperations); max > 0 {
			if lc.operations.Add(1) > max {
				lc.operations.Add(-1)
				return refuseOperation(ctx, lc, errcode.TooManyOperations,
					fmt.Sprintf("too many operations on this connection: at most %d may run at once; complete one first", max),
					map[string]any{"limit": max})
			}
			// The transport cancels an operation's context when it ends.
			context.AfterFunc(ctx, func() { lc.operations.Add(-1) })
		}
	}
	if oc.Operation.Operation == ast.Subscription {
		if lc.websocket {
			return next(ctx)
		}
		return streamEndReason(ctx, lc, next(ctx))
	}
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		r := responses(ctx)
		if r == nil {
			cancel()
		}
		return r
	}
}

// streamEndReason adds, to an event stream ended because its credential did, one last
// event carrying the reason, so that the client knows not to reconnect as it was.
func streamEndReason(ctx context.Context, lc *liveConn, responses graphql.ResponseHandler) graphql.ResponseHandler {
	told := false
	return func(ctx context.Context) *graphql.Response {
		if r := responses(ctx); r != nil {
			return r
		}
		if reason := lc.endReason(); reason != "" && !told {
			told = true
			return &graphql.Response{Errors: gqlerror.List{{Message: reason, Extensions: map[string]any{"code": string(errcode.Unauthenticated)}}}}
		}
		return nil
	}
}

// refuseOperation answers an operation without running it. Over graphql-transport-ws
// the client gets an error message for the operation's id, which graphql-ws and
// Apollo's clients hand to that operation alone; elsewhere the operation's one response
// carries the error.
func refuseOperation(ctx context.Context, lc *liveConn, code errcode.Code, message string, ext map[string]any) graphql.ResponseHandler {
	infoFrom(ctx).refuse(string(code))
	if ext == nil {
		ext = map[string]any{}
	}
	ext["code"] = string(code)
	e := &gqlerror.Error{Message: message, Extensions: ext}
	if lc.websocket && addSubscriptionError(ctx, e) {
		return func(context.Context) *graphql.Response { return nil }
	}
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{e}})
}

// addSubscriptionError reports whether the transport had a slot for an operation's
// error (WebSocket transports do; gqlgen dereferences a missing one).
func addSubscriptionError(ctx context.Context, e *gqlerror.Error) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	transport.AddSubscriptionError(ctx, e)
	return true
}

// deadlineWriter gives every write of an event stream WriteTimeout to reach the client;
// a stream that cannot write is ended, which frees its subscription.
type deadlineWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	stalled func()
	failed  atomic.Bool
}

func (d *deadlineWriter) Write(b []byte) (int, error) {
	if d.failed.Load() {
		return 0, errStalled
	}
	d.rc.SetWriteDeadline(time.Now().Add(d.timeout))
	n, err := d.ResponseWriter.Write(b)
	d.after(err)
	return n, err
}

func (d *deadlineWriter) Flush() {
	if d.failed.Load() {
		return
	}
	d.rc.SetWriteDeadline(time.Now().Add(d.timeout))
	d.after(d.rc.Flush())
}

func (d *deadlineWriter) after(err error) {
	if err != nil {
		if d.failed.CompareAndSwap(false, true) {
			d.stalled()
		}
		return
	}
	d.rc.SetWriteDeadline(time.Time{})
}

func (d *deadlineWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }

var errStalled = errors.New("the client stopped reading the stream")
