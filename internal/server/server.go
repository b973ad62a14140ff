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

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/alliance-graph/alliance-graph/graph"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/change"
	"github.com/alliance-graph/alliance-graph/internal/live"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/network"
	"github.com/alliance-graph/alliance-graph/internal/store"
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
	// Batching says when loaders fetch a batch of keys.
	Batching loader.Timing
	// RequestTimeout bounds each GraphQL request, SQL included.
	RequestTimeout time.Duration
	// Limits bound depth, complexity, tokens and body size; zero fields take defaults.
	Limits Limits
	// RateLimit limits requests per client; a zero Rate switches it off.
	RateLimit RateLimit
	// CORSOrigins are the origins browsers may call the API from ("*" for any);
	// empty: same-origin only.
	CORSOrigins []string
	// DisableIntrospection refuses __schema and __type (INTROSPECTION_DISABLED).
	DisableIntrospection bool
}

// New returns the server's HTTP handler: GraphQL at /query, the playground at /.
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
	gql := handler.New(graph.NewExecutableSchema(graph.Config{
		Resolvers:  &graph.Resolver{Store: cfg.Store, Changes: change.New(cfg.Store, nil), Bus: eventStream(cfg.Bus), Stats: stats(cfg.Bus, cfg.Store, cfg.Logger), Streams: cfg.OpenStreams, Network: network.NewCache(cfg.Store)},
		Directives: graph.Directives(),
	}))
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = 15 * time.Second
	}
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = 10 * time.Second
	}
	// SSE and WebSocket first: the first transport that supports a request serves it.
	gql.AddTransport(transport.SSE{})
	gql.AddTransport(transport.Websocket{
		Implementation:        strictProtocol{WebsocketImplementation: transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{OriginPatterns: websocketOrigins(cfg.CORSOrigins)}}, initTimeout: cfg.InitTimeout},
		InitFunc:              websocketAuth(cfg.Auth),
		KeepAlivePingInterval: cfg.KeepAlive,
	})
	gql.AddTransport(transport.Options{})
	gql.AddTransport(transport.GET{})
	gql.AddTransport(transport.POST{})
	queryCache := lru.New[*ast.QueryDocument](1000)
	gql.SetQueryCache(queryCache)
	if !cfg.DisableIntrospection {
		gql.Use(extension.Introspection{})
	}
	limits := cfg.Limits.withDefaults()
	gql.SetParserTokenLimit(max(limits.MaxTokens, 0))
	gql.Use(selectionLimit{max: limits.MaxRepeats, cache: queryCache})
	gql.Use(&operationLimits{maxDepth: limits.MaxDepth, maxComplexity: limits.MaxComplexity, introspection: !cfg.DisableIntrospection})
	var limiter *rateLimiter
	if cfg.RateLimit.Rate > 0 {
		limiter = newRateLimiter(cfg.RateLimit)
	}
	gql.SetErrorPresenter(presentError(cfg.Logger))
	gql.SetRecoverFunc(recoverPanic(cfg.Logger))
	gql.AroundRootFields(freshLoadersForMutations(cfg.Store, cfg.Batching))
	gql.AroundResponses(freshLoadersForEachEvent(cfg.Store, cfg.Batching))

	mux := http.NewServeMux()
	streams := cfg.Streams
	if streams == nil {
		streams = context.Background()
	}
	mux.Handle("/query", withBodyLimit(limits.MaxBodyBytes, withStreams(streams, auth.Middleware(cfg.Auth, cfg.Logger, withRateLimit(limiter, withLoaders(cfg.Store, cfg.Batching, withTimeout(cfg.RequestTimeout, gql)))))))
	mux.Handle("GET /{$}", playground.Handler("Alliance Graph", "/query"))
	return withRequestID(withLogging(cfg.Logger, withRecovery(cfg.Logger, withCORS(cfg.CORSOrigins, mux))))
}

// eventStream keeps a nil *bus.Bus a nil interface, so that subscriptions report they
// are disabled instead of panicking.
func eventStream(b *bus.Bus) graph.EventStream {
	if b == nil {
		return nil
	}
	return b
}

func stats(b *bus.Bus, s *store.Store, log *slog.Logger) *live.Stats {
	if b == nil {
		return nil
	}
	return live.NewStats(b, s, log, 0)
}
