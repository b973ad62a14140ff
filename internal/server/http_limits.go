package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/rs/cors"
	"golang.org/x/time/rate"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
)

// writeGraphQLError answers with a GraphQL-shaped body holding one error, for refusals
// made before gqlgen sees the request, and records it for the log and the metrics.
func writeGraphQLError(w http.ResponseWriter, r *http.Request, status int, code errcode.Code, message string, ext map[string]any) {
	infoFrom(r.Context()).refuse(string(code))
	errcode.WriteHTTP(w, status, code, message, ext)
}

// withRecovery turns a panic in any handler (middleware, transport, the playground)
// into a logged error quoting the request id and a clean 500 with a GraphQL error body.
// Resolvers' panics never get this far: gqlgen recovers them (recoverPanic). A panic
// after the response has started can only cut the response short; it is still logged.
func withRecovery(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &startedWriter{ResponseWriter: w}
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler { // net/http's way to abort a response on purpose
				panic(p)
			}
			id := RequestID(r.Context())
			log.ErrorContext(r.Context(), "panic in HTTP handler", "request_id", id, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if tw.started {
				return
			}
			writeGraphQLError(w, r, http.StatusInternalServerError, errcode.Internal,
				fmt.Sprintf("internal server error; quote request id %s when reporting it", id), map[string]any{"requestId": id})
		}()
		next.ServeHTTP(tw, r)
	})
}

// startedWriter notes whether the response has started.
type startedWriter struct {
	http.ResponseWriter
	started bool
}

func (s *startedWriter) WriteHeader(code int) {
	if code >= 200 { // informational responses (103) do not start the response
		s.started = true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *startedWriter) Write(b []byte) (int, error) {
	s.started = true
	return s.ResponseWriter.Write(b)
}

func (s *startedWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *startedWriter) Flush() {
	s.started = true
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// withBodyLimit refuses a body (or a GET's query string) larger than max with 413 (414)
// and a GraphQL error, before anything reads it. gqlgen's transports read the whole body
// and would answer a cut-off one with a 200 and a confusing decoding error, so the body
// is read here, once, up to the limit.
func withBodyLimit(max int64, next http.Handler) http.Handler {
	if max < 0 {
		return next
	}
	tooLarge := func(w http.ResponseWriter, r *http.Request, status int, what string) {
		writeGraphQLError(w, r, status, errcode.RequestTooLarge,
			fmt.Sprintf("the request %s is larger than the limit of %d bytes", what, max), map[string]any{"limit": max})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if int64(len(r.URL.RawQuery)) > max {
			tooLarge(w, r, http.StatusRequestURITooLong, "query string")
			return
		}
		if r.Body == nil || r.Body == http.NoBody || r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > max {
			tooLarge(w, r, http.StatusRequestEntityTooLarge, "body")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			tooLarge(w, r, http.StatusRequestEntityTooLarge, "body")
			return
		case err != nil:
			writeGraphQLError(w, r, http.StatusBadRequest, errcode.BadUserInput, "the request body could not be read", nil)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// RateLimit is a token bucket per client: Rate requests a second on average, Burst at
// once. A client is its credential's subject (a token's sub, an API key) when it has
// one, else its IP address. Rate zero: no limit.
type RateLimit struct {
	Rate  float64
	Burst int
	// ClientIPHeader names a header set by a trusted reverse proxy (X-Forwarded-For,
	// X-Real-IP) that holds the client's address; its last entry is used, the one the
	// proxy itself added. Empty: the address of the connection.
	ClientIPHeader string
	// MaxClients bounds how many clients' buckets are kept (default 100,000).
	MaxClients int
}

// rateLimiter keeps the buckets. A bucket that has refilled completely is the same as a
// new one, so idle clients are forgotten at the next sweep without changing anyone's
// limit; memory is thus bounded by the clients active within one refill time, and by
// MaxClients beyond that, when newcomers share one overflow bucket until room returns.
type rateLimiter struct {
	cfg      RateLimit
	mu       sync.Mutex
	clients  map[string]*rate.Limiter
	overflow *rate.Limiter
	swept    time.Time
	now      func() time.Time
}

const sweepEvery = time.Minute

func newRateLimiter(cfg RateLimit) *rateLimiter {
	if cfg.Burst < 1 {
		cfg.Burst = max(1, int(math.Ceil(cfg.Rate)))
	}
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = 100_000
	}
	return &rateLimiter{cfg: cfg, clients: map[string]*rate.Limiter{}, overflow: rate.NewLimiter(rate.Limit(cfg.Rate), cfg.Burst), now: time.Now}
}

// allow takes a token from client's bucket, or says how long until one is there.
func (l *rateLimiter) allow(client string) (bool, time.Duration) { return l.allowN(client, 1) }

// allowN takes n tokens (at most a full bucket's) from client's bucket, or says how long
// until they are there.
func (l *rateLimiter) allowN(client string, n int) (bool, time.Duration) {
	now := l.now()
	lim := l.bucket(client, now)
	res := lim.ReserveN(now, min(n, l.cfg.Burst))
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// peek says whether client's bucket holds a token, without taking it, or how long
// until it does.
func (l *rateLimiter) peek(client string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	lim, found := l.clients[client]
	if !found && len(l.clients) >= l.cfg.MaxClients {
		lim, found = l.overflow, true
	}
	l.mu.Unlock()
	if !found {
		return true, 0 // a new bucket is full
	}
	if missing := 1 - lim.TokensAt(now); missing > 0 {
		return false, time.Duration(missing / l.cfg.Rate * float64(time.Second))
	}
	return true, 0
}

// bucket is client's bucket, made if new (or the shared overflow bucket when the table
// is full).
func (l *rateLimiter) bucket(client string, now time.Time) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > sweepEvery || len(l.clients) >= l.cfg.MaxClients {
		l.sweep(now)
	}
	lim, found := l.clients[client]
	if !found {
		if len(l.clients) < l.cfg.MaxClients {
			lim = rate.NewLimiter(rate.Limit(l.cfg.Rate), l.cfg.Burst)
			l.clients[client] = lim
		} else {
			lim = l.overflow
		}
	}
	return lim
}

func (l *rateLimiter) sweep(now time.Time) {
	l.swept = now
	for k, lim := range l.clients {
		if lim.TokensAt(now) >= float64(l.cfg.Burst) {
			delete(l.clients, k)
		}
	}
}

func (l *rateLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

// chargedKey marks, in a request's context, that withSubjectRateLimit counted it.
type chargedKey struct{}

// withRateLimit answers 429 with Retry-After to a client past its rate. A client is its
// credential's subject, else its IP address, which only authentication tells; but
// failed authentications must be limited too (each guessed API key costs a lookup in
// the database). So the limit is applied in two steps around authentication:
//
//   - before it (here), a request is refused while its address's bucket is empty, and
//     a request the credential check refused then pays from its address's bucket;
//   - after it (withSubjectRateLimit), an authenticated request pays from its subject's
//     bucket, an anonymous one from its address's.
//
// So anonymous requests and refused credentials share their address's rate, and an
// address that spent it waits before its credentials are even checked, while
// authenticated clients behind one address (an office's NAT) keep their own rates as
// long as nobody there floods the address. Requests checked at the same moment may
// overshoot an empty bucket by as many as arrive together.
//
// A subscription is limited when it connects (its WebSocket upgrade or Server-Sent
// Events request), not for each event it receives.
func withRateLimit(l *rateLimiter, next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := "ip:" + clientIP(r, l.cfg.ClientIPHeader)
		if ok, wait := l.peek(ip); !ok {
			rateLimited(w, r, l, wait)
			return
		}
		charged := new(bool)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), chargedKey{}, charged)))
		if !*charged { // the credential was refused, or could not be checked
			l.allow(ip)
		}
	})
}

// withSubjectRateLimit counts a request that passed authentication in its client's
// bucket (see withRateLimit).
func withSubjectRateLimit(l *rateLimiter, next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if charged, _ := r.Context().Value(chargedKey{}).(*bool); charged != nil {
			*charged = true
		}
		if ok, wait := l.allow(clientKey(r, l.cfg.ClientIPHeader)); !ok {
			rateLimited(w, r, l, wait)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func rateLimited(w http.ResponseWriter, r *http.Request, l *rateLimiter, wait time.Duration) {
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	writeGraphQLError(w, r, http.StatusTooManyRequests, errcode.RateLimited,
		fmt.Sprintf("too many requests: the limit is %g a second with bursts of %d; retry after %d s", l.cfg.Rate, l.cfg.Burst, secs),
		map[string]any{"retryAfter": secs})
}

// DefaultMaxInFlight is how many requests a client may have running at once unless
// configured otherwise: more than a page sends together (a browser keeps at most six
// connections to a host), few enough that one client holds a small share of the
// database pool (20 connections) and of the CPU.
const DefaultMaxInFlight = 8

// withInFlightLimit answers 429 with TOO_MANY_IN_FLIGHT to a client that already has
// its maximum of requests running, so that one client cannot hold more of the server's
// goroutines, connections and CPU at once however slowly it reads or however costly its
// requests: the rate limit bounds how often requests start, not how many run together.
// WebSocket connections are left to the WebSocket transport's own limits: a socket lives
// for hours, and counting it here would take a slot from its client's queries for as long.
func withInFlightLimit(f *perClient, ipHeader string, next http.Handler) http.Handler {
	if f == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebsocket(r) {
			next.ServeHTTP(w, r)
			return
		}
		leave, ok := f.reserve(clientKey(r, ipHeader), 1)
		if !ok {
			w.Header().Set("Retry-After", "1")
			writeGraphQLError(w, r, http.StatusTooManyRequests, errcode.TooManyInFlight,
				fmt.Sprintf("too many requests in flight: a client may have %d running at once; send this one again when one of them is answered", f.max),
				map[string]any{"limit": f.max, "retryAfter": 1})
			return
		}
		defer leave()
		next.ServeHTTP(w, r)
	})
}

func clientKey(r *http.Request, ipHeader string) string {
	if v := auth.ViewerFrom(r.Context()); !v.Anonymous() && v.Subject != "" {
		return "subject:" + v.Subject
	}
	return "ip:" + clientIP(r, ipHeader)
}

func clientIP(r *http.Request, header string) string {
	if header != "" {
		if vals := r.Header.Values(header); len(vals) > 0 {
			last := vals[len(vals)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// withCORS answers browsers' cross-origin calls from the origins allowed. A preflight
// from any other origin gets a 403 that says which flag admits it, where a bare refusal
// left a frontend developer with the browser's generic CORS error.
func withCORS(origins []string, next http.Handler) http.Handler {
	var c *cors.Cors
	handler := next
	if len(origins) > 0 {
		c = cors.New(cors.Options{
			AllowedOrigins: origins,
			// PUT and DELETE reserve event streams and stop their operations (ssereserve.go).
			AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions},
			AllowedHeaders: []string{"Accept", "Content-Type", "Authorization", "X-Request-Id", reservationHeader,
				"Apollo-Require-Preflight", "X-Apollo-Operation-Name", "Apollographql-Client-Name", "Apollographql-Client-Version"},
			ExposedHeaders: []string{"X-Request-Id", "Retry-After"},
			MaxAge:         600,
		})
		handler = c.Handler(next)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		// A WebSocket is not subject to CORS, so the browser sends it whatever its
		// origin: the same allow-list decides, with the same hint, before the upgrade.
		socket := r.Header.Get("Upgrade") != ""
		if (preflight || socket) && origin != "" && !sameOrigin(r, origin) && (c == nil || !c.OriginAllowed(r)) {
			writeGraphQLError(w, r, http.StatusForbidden, errcode.OriginNotAllowed, originHint(origin), map[string]any{"origin": origin})
			return
		}
		handler.ServeHTTP(w, r)
	})
}

// originHint tells how to admit a refused browser origin.
func originHint(origin string) string {
	return fmt.Sprintf("browsers on %s may not call this API: start the server with --cors-origins %s (or --dev, for any localhost origin while developing)", origin, origin)
}

// sameOrigin reports whether origin is the request's own (scheme and host).
func sameOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// websocketOrigins turns the CORS allow-list into the host patterns the WebSocket
// library checks the Origin header against (same-origin is always allowed).
func websocketOrigins(origins []string) []string {
	var hosts []string
	for _, o := range origins {
		if o == "*" {
			return []string{"*"}
		}
		// By hand, not url.Parse, which refuses the wildcard port of --dev's origins.
		if _, host, ok := strings.Cut(o, "://"); ok && host != "" {
			// The patterns are path.Match's, where brackets (an IPv6 host) form a class.
			hosts = append(hosts, strings.NewReplacer("[", `\[`, "]", `\]`).Replace(host))
		}
	}
	return hosts
}
