package server

import (
	"context"
	"errors"

	"crypto/rand"
	"encoding/hex"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"log/slog"
	"net/http"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/metrics"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

type requestIDKey struct{}
type statementsKey struct{}

// validRequestID accepts an upstream proxy's request id only if it is short and plain,
// so that it can be logged and echoed safely.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID.MatchString(id) {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// CountStatements wraps a store observer so that statements are also counted per
// request, for the request log.
func CountStatements(next store.Observer) store.Observer {
	return func(ctx context.Context, query string, args []any) {
		if n, ok := ctx.Value(statementsKey{}).(*atomic.Int64); ok {
			n.Add(1)
		}
		if next != nil {
			next(ctx, query, args)
		}
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status  int
	decided bool // a final status has been written
}

// WriteHeader records the status the client gets: the first final one. A later call
// cannot change what was sent, so it is dropped rather than logged by net/http as a
// superfluous call.
func (s *statusRecorder) WriteHeader(code int) {
	if s.decided {
		return
	}
	if code >= 200 || code == http.StatusSwitchingProtocols {
		s.status, s.decided = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.decided = true
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush lets streaming responses (Server-Sent Events) through the recorder.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func withLogging(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var statements atomic.Int64
		info := &requestInfo{}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		ctx := context.WithValue(context.WithValue(r.Context(), statementsKey{}, &statements), requestInfoKey{}, info)
		ctx = auth.WithRefusalObserver(ctx, info.refuse)
		next.ServeHTTP(rec, r.WithContext(ctx))
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", RequestID(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("operation", info.operation()),
			slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start)),
			slog.Int64("sql_statements", statements.Load()),
			slog.Int("one_statement_answers", info.oneStatementAnswers()),
			slog.Any("error_codes", info.errorCodes()),
		)
	})
}

// loadersPerOperation gives every operation its own loaders, scoped to its viewer, so
// batches and caches never span operations or viewers: a WebSocket carries many
// operations, and its viewer is known only after connection_init. Queries and mutations
// batch by the count of their field resolutions (loader.Shapes).
func loadersPerOperation(s *store.Store, t loader.Timing, shapes *loader.Shapes) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		ctx = shapes.Track(ctx)
		return next(loader.With(ctx, loader.For(ctx, s, t)))
	}
}

// loaderIncident logs and counts a batch sent other than by the count of field
// resolutions: always a sign of a bad request or of a bug in the count.
func loaderIncident(log *slog.Logger, m *metrics.Metrics) func(loader.Incident) {
	return func(i loader.Incident) {
		log.Warn("loader batch sent without the count of field resolutions", "incident", string(i))
		if m != nil {
			m.LoaderIncident(string(i))
		}
	}
}

// withTimeout bounds a request; the context reaches every SQL statement, so PostgreSQL
// cancels a query still running at the deadline. Streams (WebSocket, Server-Sent Events)
// live as long as their client wants; the queries and mutations they carry get the same
// timeout each (live.operations).
func withTimeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if streaming(r) {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// freshLoadersForMutations gives each root field of a mutation its own loaders, so that
// what one mutation changed is read afresh by the payload of the next, never from a
// cache filled before the change.
func freshLoadersForMutations(s *store.Store, t loader.Timing) graphql.RootFieldMiddleware {
	return func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		if graphql.GetOperationContext(ctx).Operation.Operation == ast.Mutation {
			ctx = loader.With(ctx, loader.For(ctx, s, t))
		}
		return next(ctx)
	}
}

// websocketAuth authenticates a WebSocket connection from the Authorization value in its
// connection_init payload, as browsers cannot set headers on WebSockets. The connection
// is closed with 4403 when its credential expires, is revoked or changes (streams.watchWebsocket).
func websocketAuth(a *auth.Authenticator, l *streams) transport.WebsocketInitFunc {
	return func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		v := auth.ViewerFrom(ctx) // from the upgrade request's header, if it had one
		if header := payload.Authorization(); header != "" {
			var err error
			if v, err = a.Authenticate(ctx, header); err != nil {
				// graphql-ws closes a refused connection_init with 4403 Forbidden.
				reason := auth.Reason(err)
				if reason == "" {
					reason = "the credential could not be checked"
				}
				ctx = transport.WithWebsocketCloseCode(transport.AppendCloseReason(ctx, closeReason("Forbidden: "+reason)), 4403)
				return ctx, nil, errors.New(reason)
			}
		}
		ctx = auth.WithViewer(ctx, v)
		return l.watchWebsocket(ctx, v), nil, nil
	}
}

// streaming tells the requests that stay open: WebSockets and Server-Sent Event streams,
// reserved ones included.
func streaming(r *http.Request) bool {
	return isWebsocket(r) || isEventStream(r) || isReservedStream(r)
}

// freshLoadersForEachEvent gives every response of a subscription its own loaders, so
// that each event is resolved against the data as it is now and a long-lived stream does
// not accumulate a cache.
func freshLoadersForEachEvent(s *store.Store, t loader.Timing) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		// Requests refused before parsing (undecodable JSON) have no operation context,
		// and GetOperationContext panics without one.
		if !graphql.HasOperationContext(ctx) {
			return next(ctx)
		}
		if op := graphql.GetOperationContext(ctx); op != nil && op.Operation != nil && op.Operation.Operation == ast.Subscription {
			ctx = loader.With(ctx, loader.For(ctx, s, t))
		}
		return next(ctx)
	}
}
