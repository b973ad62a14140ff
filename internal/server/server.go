// Package server wires the HTTP side: the GraphQL endpoint with its transports, the
// playground, per-request loaders, request ids, logging and the one place where errors
// become GraphQL errors.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/alliance-graph/alliance-graph/graph"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/change"
	"github.com/alliance-graph/alliance-graph/internal/live"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/metrics"
	"github.com/alliance-graph/alliance-graph/internal/network"
	"github.com/alliance-graph/alliance-graph/internal/snapshot"
	"github.com/alliance-graph/alliance-graph/internal/store"
	"github.com/alliance-graph/alliance-graph/internal/web"
)

// Config is what the HTTP handler needs.
type Config struct {
	Store  *store.Store
	Logger *slog.Logger
	// Auth verifies the Authorization header; requests without one are anonymous.
	Auth *auth.Authenticator
	// Bus feeds subscriptions; nil disables them.
	Bus *bus.Bus
	// KeepAlive is how often WebSocket connections are pinged.
	KeepAlive time.Duration
	// InitTimeout is how long a WebSocket may stay without connection_init.
	InitTimeout time.Duration
	// Streams ends every WebSocket and SSE stream when it is done: cancel it at
	// shutdown, after the bus, so that clients get a proper close. Nil: never.
	Streams context.Context
	// OpenStreams, if set, counts the subscription streams still open.
	OpenStreams *atomic.Int64
	// OneStatement answers plain deep reads with one SQL statement (graph.OneStatement).
	OneStatement bool
	// Batching says when loaders fetch a batch of keys.
	Batching loader.Timing
	// RequestTimeout bounds each GraphQL request, SQL included.
	RequestTimeout time.Duration
	// NoPlayground stops serving the GraphiQL playground at /.
	NoPlayground bool
	// NoDashboard stops serving the live dashboard at /dashboard.
	NoDashboard bool
	// APQCacheSize is how many automatic persisted queries are remembered (least
	// recently used go first): 0 means DefaultAPQCacheSize, a negative size turns them off.
	APQCacheSize int
	// TrustedDocuments, when set, are the only operations that run, except for viewers
	// whose role is in FreeFormRoles (analysts in the playground, say).
	TrustedDocuments *TrustedDocuments
	FreeFormRoles    []auth.Role
	// Metrics, if set, records latencies, errors, batch sizes, the pool, streams and the
	// listener; serve its Handler on a listener of its own. One Metrics per server.
	Metrics *metrics.Metrics
	// ReadyTimeout bounds the checks of /readyz (default 2s).
	ReadyTimeout time.Duration
	// Limits bound depth, complexity, tokens and body size; zero fields take defaults.
	Limits Limits
	// RateLimit limits requests per client; a zero Rate switches it off.
	RateLimit RateLimit
	// DocumentCacheBytes bounds the memory of the parsed-document cache, as
	// documentSize estimates it (0: DefaultDocumentCacheBytes); APQCacheBytes that of
	// automatic persisted queries (0: DefaultAPQCacheBytes).
	DocumentCacheBytes, APQCacheBytes int64
	// MaxInFlight bounds the requests one client (keyed as by RateLimit) may have running
	// at once; 0 means DefaultMaxInFlight, a negative number no limit.
	MaxInFlight int
	// MaxWorkInFlight bounds the estimated cost of one client's queries and mutations
	// running at once; 0 means DefaultMaxWorkInFlight, a negative number no limit.
	MaxWorkInFlight int
	// CostRate is the estimated work a client may ask for a second, CostBurst at once;
	// 0 means DefaultCostRate (DefaultCostBurst), a negative rate no limit.
	CostRate  float64
	CostBurst int
	// CORSOrigins are the origins browsers may call the API from ("*" for any);
	// empty: same-origin only.
	CORSOrigins []string
	// DisableIntrospection refuses __schema and __type (INTROSPECTION_DISABLED).
	DisableIntrospection bool
	// Live bounds WebSockets and event streams; zero fields take defaults.
	Live LiveLimits
	// Clock tells the time, and with it the alliance's day (calendar.Today): the state of
	// courses, their free seats, whether an opening is past its closing date, and the date
	// of changes. Nil: the real time. Tests move it on; the calendar job
	// (change.Service.KeepCalendar) must run on the same clock.
	Clock calendar.Clock
}

// New returns the server's HTTP handler: GraphQL at /query, the playground at / and the
// dashboard at /dashboard (unless switched off), their embedded assets at /assets/.
func New(cfg Config) http.Handler {
	if cfg.Batching == (loader.Timing{}) {
		cfg.Batching = loader.DefaultTiming
	}
	if cfg.Auth == nil {
		cfg.Auth = auth.New(auth.Config{}, nil) // no key: every credential is refused
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	exec := graph.NewExecutableSchema(graph.Config{
		Resolvers:  &graph.Resolver{Store: cfg.Store, Changes: change.New(cfg.Store, cfg.Clock), Clock: cfg.Clock, Bus: eventStream(cfg.Bus), Stats: stats(cfg.Bus, cfg.Store, cfg.Logger), Network: network.NewCache(cfg.Store), Figures: snapshot.NewAnalytics(cfg.Store, eventVersion(cfg.Store))},
		Directives: graph.Directives(),
	})
	gql := handler.New(exec)
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = 15 * time.Second
	}
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = 10 * time.Second
	}
	var limiter *rateLimiter
	if cfg.RateLimit.Rate > 0 {
		limiter = newRateLimiter(cfg.RateLimit)
	}
	conns := newLive(cfg.Live, cfg.Auth, limiter, cfg.RateLimit, cfg.RequestTimeout, cfg.Logger)
	reserved := newReservations(conns, cfg.KeepAlive)
	// SSE and WebSocket first: the first transport that supports a request serves it.
	// Operations on a reserved stream are marked as such before they get here.
	gql.AddTransport(reservedTransport{})
	gql.AddTransport(transport.SSE{})
	gql.AddTransport(transport.Websocket{
		Implementation: strictProtocol{WebsocketImplementation: deadlineWebsocket{
			accept:       websocket.AcceptOptions{OriginPatterns: websocketOrigins(cfg.CORSOrigins)},
			writeTimeout: conns.limits.WriteTimeout,
			frames:       newFramePool(),
		}, initTimeout: cfg.InitTimeout},
		InitFunc:              websocketAuth(cfg.Auth, conns),
		KeepAlivePingInterval: cfg.KeepAlive,
	})
	gql.AddTransport(transport.Options{})
	gql.AddTransport(httpTransport{})
	if cfg.DocumentCacheBytes <= 0 {
		cfg.DocumentCacheBytes = DefaultDocumentCacheBytes
	}
	if cfg.APQCacheBytes <= 0 {
		cfg.APQCacheBytes = DefaultAPQCacheBytes
	}
	queryCache := newSizedLRU(DefaultDocumentCacheEntries, cfg.DocumentCacheBytes, documentSize)
	gql.SetQueryCache(queryCache)
	if !cfg.DisableIntrospection {
		gql.Use(extension.Introspection{})
	}
	// Persisted documents first: the limits check the document a hash stands for.
	gql.Use(socketOperations{})
	var builtIn *TrustedDocuments
	if !cfg.NoDashboard {
		builtIn = dashboardDocuments()
		if cfg.TrustedDocuments != nil {
			logBuiltInTrusted(cfg.Logger, builtIn, !cfg.NoPlayground, cfg.FreeFormRoles)
		}
	}
	persisted := newPersistedDocuments(cfg.APQCacheSize, cfg.APQCacheBytes, cfg.TrustedDocuments, builtIn, cfg.FreeFormRoles)
	gql.Use(persisted)
	limits := cfg.Limits.withDefaults()
	gql.SetParserTokenLimit(max(limits.MaxTokens, 0))
	gql.Use(selectionLimit{max: limits.MaxRepeats, cache: queryCache})
	gql.Use(&operationLimits{maxDepth: limits.MaxDepth, limits: limits, introspection: !cfg.DisableIntrospection})
	shapes := loader.NewShapes(exec.Schema(), graph.Concurrent(), loader.DefaultStall, loaderIncident(cfg.Logger, cfg.Metrics))
	presenter := shapes.Presenter(recordErrors(cfg.Metrics, presentError(cfg.Logger)))
	gql.SetErrorPresenter(presenter)
	gql.AroundOperations(recordOperation)
	// Each operation on a socket or stream is authorized with its credential as it is now
	// and rate limited, before its cost is charged.
	gql.AroundOperations(conns.operations)
	gql.AroundOperations(limitWork(newPerClient(cfg.MaxWorkInFlight, DefaultMaxWorkInFlight), newCostRate(cfg.CostRate, cfg.CostBurst)))
	// Subscriptions admitted for their subscriber run in shared hubs (multiplex.go).
	shared := newMultiplexer(exec, multiplexConfig{Store: cfg.Store, Batching: cfg.Batching, Presenter: presenter,
		Recover: recoverPanic(cfg.Logger), SlowAfter: slowAfter(cfg.Bus), Open: cfg.OpenStreams})
	gql.AroundOperations(shared.operations)
	gql.AroundOperations(readPrimaryUnlessQuery)
	if cfg.OneStatement {
		gql.AroundOperations(graph.OneStatement(cfg.Store, exec.Schema(), cfg.Logger, cfg.Clock, presenter, func(ctx context.Context) { infoFrom(ctx).answeredInOneStatement() }))
	}
	// After the one statement, which may leave the executor only some of a query's root
	// fields: the count of field resolutions starts from those.
	gql.AroundOperations(loadersPerOperation(cfg.Store, cfg.Batching, shapes))
	gql.SetRecoverFunc(recoverPanic(cfg.Logger))
	gql.AroundRootFields(freshLoadersForMutations(cfg.Store, cfg.Batching))
	// The count of field resolutions must see every field: it is the outermost (and only)
	// field interceptor.
	gql.AroundFields(shapes.InterceptField)

	mux := http.NewServeMux()
	streams := cfg.Streams
	if streams == nil {
		streams = context.Background()
	}
	if cfg.MaxInFlight == 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	// The address's rate limit comes before authentication, so that refused credentials
	// are limited too; the subject's after it (see withRateLimit).
	inFlight := newPerClient(cfg.MaxInFlight, DefaultMaxInFlight)
	mux.Handle("/query", withWebSocketHandshake(withBodyLimit(limits.MaxBodyBytes, streamsOnlyForSubscriptions(persisted.document, withStreams(streams, withRateLimit(limiter,
		auth.Middleware(cfg.Auth, cfg.Logger, withSubjectRateLimit(limiter, withInFlightLimit(inFlight, cfg.RateLimit.ClientIPHeader,
			conns.connections(withClientKey(cfg.RateLimit.ClientIPHeader, withTimeout(cfg.RequestTimeout, reserved.serve(gql)))))))))))))
	// The calendar feed passes the same address and client limits (in flight counted
	// with /query's) and authentication as /query; its credential may come as ?token=, as calendar applications send no headers.
	mux.Handle("GET /calendar.ics", withRateLimit(limiter, withTokenParameter(auth.Middleware(cfg.Auth, cfg.Logger,
		withSubjectRateLimit(limiter, withInFlightLimit(inFlight, cfg.RateLimit.ClientIPHeader,
			withTimeout(cfg.RequestTimeout, calendarFeed(cfg.Store, cfg.Clock, cfg.Logger))))))))
	if !cfg.NoPlayground || !cfg.NoDashboard {
		pages := web.New()
		mux.Handle("GET "+web.AssetsPath, pages.Assets())
		if !cfg.NoPlayground {
			mux.Handle("GET /{$}", pages.Playground())
		}
		if !cfg.NoDashboard {
			mux.Handle("GET /dashboard", pages.Dashboard())
		}
	}
	if cfg.ReadyTimeout <= 0 {
		cfg.ReadyTimeout = 2 * time.Second
	}
	mux.Handle("GET /healthz", healthHandler())
	mux.Handle("GET /readyz", readyHandler(readiness(cfg.Store, cfg.Bus), cfg.ReadyTimeout, cfg.Logger))
	if m := cfg.Metrics; m != nil {
		m.Database(cfg.Store.DB().DB, "primary")
		if r := cfg.Store.Replica(); r != nil {
			m.Database(r.DB, "replica")
		}
		if d := cfg.Store.DocumentPool(); d != nil {
			m.Database(d.DB, "documents")
		}
		if cfg.OpenStreams != nil {
			m.Streams(cfg.OpenStreams)
		}
		if cfg.Bus != nil {
			m.Bus(cfg.Bus)
		}
		m.Multiplex(shared)
	}
	return withRequestID(withLogging(cfg.Logger, withMetrics(cfg.Metrics, withRecovery(cfg.Logger, withCORS(cfg.CORSOrigins, mux)))))
}

// readPrimaryUnlessQuery sends the reads of mutations and subscriptions to the primary
// (see store.ReadPrimary); only queries may read from a replica.
func readPrimaryUnlessQuery(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil && oc.Operation.Operation != ast.Query {
		ctx = store.ReadPrimary(ctx)
	}
	return next(ctx)
}

// eventVersion reads the event log's position once per request: a dashboard's groups
// each ask for it, and all of them are answered as of the same change.
func eventVersion(s *store.Store) func(context.Context) (int64, error) {
	return func(ctx context.Context) (int64, error) {
		if l, ok := loader.FromOK(ctx); ok {
			return l.EventVersion.Load(ctx, struct{}{})
		}
		return s.LatestEventID(ctx)
	}
}

// eventStream keeps a nil *bus.Bus a nil interface, so that subscriptions report they
// are disabled instead of panicking.
func eventStream(b *bus.Bus) graph.EventStream {
	if b == nil {
		return nil
	}
	return b
}

// slowAfter is how long a subscriber may stay a whole buffer behind: what the bus
// allows its own subscribers.
func slowAfter(b *bus.Bus) time.Duration {
	if b == nil {
		return 0
	}
	return b.SlowAfter()
}

func stats(b *bus.Bus, s *store.Store, log *slog.Logger) *live.Stats {
	if b == nil {
		return nil
	}
	return live.NewStats(b, s, log, 0)
}
