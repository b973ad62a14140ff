// Package config reads the server's settings from flags and environment variables:
// a flag wins over its variable, which wins over the default.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/database"
)

// DefaultDatabaseURL is the local PostgreSQL server, database alliance.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/alliance?sslmode=disable"

// Config holds every setting of every subcommand.
type Config struct {
	Addr        string
	DatabaseURL string
	// ReadDatabaseURL is a streaming replica that serves queries; empty: the primary does.
	ReadDatabaseURL string
	NoDemo          bool
	// OneStatement answers plain deep reads with one SQL statement (graph.OneStatement).
	OneStatement   bool
	BatchIdle      time.Duration
	BatchMaxWait   time.Duration
	RequestTimeout time.Duration
	ShutdownGrace  time.Duration
	LogLevel       slog.Level
	Scale          int
	// AsOf is the day the seeded demo describes; zero: today in Shenyang.
	AsOf      time.Time
	Reset     bool
	JWTSecret string   // HS256 key for tokens; empty: generated once and kept in the database
	Args      []string // what is left after the flags, e.g. migrate's direction

	// Playground serves the GraphiQL playground at /.
	Playground bool
	// Dashboard serves the live dashboard at /dashboard.
	Dashboard bool
	// APQCacheSize is how many automatic persisted queries are remembered; 0: none.
	APQCacheSize int
	// TrustedDocuments is the manifest of the only operations allowed; empty: any.
	TrustedDocuments string
	// FreeFormRoles may still send free-form queries when TrustedDocuments is set.
	FreeFormRoles        []string
	MetricsAddr          string // listener for /metrics; empty: none
	MetricsMaxOperations int
	ReadyTimeout         time.Duration
	DatabaseWait         time.Duration
	// Limits of one request; 0 switches a limit off.
	MaxDepth, MaxComplexity, MaxTokens, MaxRepeats                int
	MaxComplexityMember, MaxComplexityAnalyst, MaxComplexityAdmin int
	MaxBodyBytes                                                  int64
	// MaxInFlight bounds the requests one client may have running at once; 0: no limit.
	MaxInFlight int
	// MaxWorkInFlight bounds the estimated cost of one client's operations running at
	// once; 0: no limit.
	MaxWorkInFlight int
	// CostRate is the estimated work one client may ask for a second, CostBurst at once;
	// 0: no limit.
	CostRate  float64
	CostBurst int
	// DocumentCacheBytes and APQCacheBytes bound the memory of the parsed-document
	// cache and of automatic persisted queries.
	DocumentCacheBytes, APQCacheBytes int64
	RateLimit                         float64 // requests a second per client; 0: no limit
	RateBurst                         int
	ClientIPHeader                    string
	Introspection                     bool
	// Dev adds DevOrigins to CORSOrigins.
	Dev         bool
	CORSOrigins []string
	// Live connections (WebSockets, Server-Sent Event streams); 0 switches a count off.
	WSMaxOperations, MaxConnections     int
	StreamWriteTimeout, CredentialCheck time.Duration
}

// Setting documents one setting, for --help and the README's table.
type Setting struct {
	Flag, Env, Default, Usage string
	Commands                  []string
}

// Settings lists every setting with its flag, variable and default.
var Settings = []Setting{
	{"addr", "ADDR", ":8080", "address to listen on", []string{"serve"}},
	{"database-url", "DATABASE_URL", DefaultDatabaseURL, "PostgreSQL connection URL", []string{"serve", "migrate", "seed"}},
	{"read-database-url", "READ_DATABASE_URL", "", "PostgreSQL connection URL of a streaming replica of --database-url that serves queries; mutations, subscriptions, API keys and the event listener stay on the primary, which migrations and the demo load use too; empty: everything goes to the primary", []string{"serve"}},
	{"no-demo", "NO_DEMO", "false", "do not load the demo alliance into an empty database", []string{"serve"}},
	{"one-statement", "ONE_STATEMENT", "true", "answer a query that reads only alliances, members, organizations, partnerships, participants and shared resources (their fields and their lists, without cursors, page info, counts or filters) with one SQL statement that builds the JSON answer in PostgreSQL; other queries, and false, go through the resolvers and their batched loaders", []string{"serve"}},
	{"batch-idle", "BATCH_IDLE", "1ms", "a subscription event's loader sends its batch when no new key arrived for this long (queries and mutations batch by the count of their fields)", []string{"serve"}},
	{"batch-max-wait", "BATCH_MAX_WAIT", "25ms", "and at the latest this long after its first key", []string{"serve"}},
	{"request-timeout", "REQUEST_TIMEOUT", "30s", "longest a GraphQL request may run, SQL included; also the statement_timeout of the server's PostgreSQL sessions, so the database stops a statement at the deadline by itself; past it the request gets TIMEOUT", []string{"serve"}},
	{"shutdown-grace", "SHUTDOWN_GRACE", "15s", "how long SIGTERM waits for in-flight requests", []string{"serve"}},
	{"log-level", "LOG_LEVEL", "info", "debug, info, warn or error", []string{"serve", "migrate", "seed"}},
	{"scale", "SEED_SCALE", "1", "how many times larger than the demo the seeded alliance is", []string{"seed"}},
	{"as-of", "SEED_AS_OF", "", "the day the seeded alliance describes, YYYY-MM-DD: its history runs from the founding to that day and its schedule a year beyond; empty: today in Shenyang", []string{"seed"}},
	{"reset", "SEED_RESET", "false", "empty the database before seeding", []string{"seed"}},
	{"jwt-secret", "JWT_SECRET", "", "key signing and checking tokens (HS256), at least 32 bytes; if empty, one is generated once and kept in the database", []string{"serve", "token"}},
	{"playground", "PLAYGROUND", "true", "serve the GraphiQL playground at / (in trusted-documents mode its queries run only for --free-form-roles)", []string{"serve"}},
	{"dashboard", "DASHBOARD", "true", "serve the live dashboard at /dashboard (it reads the public API like any anonymous client, or with the token its URL's #token= gives)", []string{"serve"}},
	{"apq-cache-size", "APQ_CACHE_SIZE", "1000", "how many automatic persisted queries (Apollo's persisted-query link) are remembered, least recently used dropped first; 0 turns them off", []string{"serve"}},
	{"trusted-documents", "TRUSTED_DOCUMENTS", "", "JSON manifest of the only operations that may run (id -> document, as written by GraphQL Codegen or Relay, or an Apollo persisted query manifest); empty: any query may run", []string{"serve"}},
	{"free-form-roles", "FREE_FORM_ROLES", "ADMIN,ANALYST", "comma-separated roles (ADMIN, MEMBER, ANALYST) that may still send free-form queries when --trusted-documents is set, or none", []string{"serve"}},
	{"metrics-addr", "METRICS_ADDR", "", "address of a separate listener serving Prometheus metrics at /metrics, e.g. :9090, kept off the public port; if empty (the default), metrics are not served", []string{"serve"}},
	{"metrics-max-operations", "METRICS_MAX_OPERATIONS", "200", "how many distinct operation names label the latency metric; operations named later are counted as \"other\", unnamed ones as \"anonymous\"", []string{"serve"}},
	{"ready-timeout", "READY_TIMEOUT", "2s", "how long /readyz waits for its checks (database, migrations, event listener) before answering 503", []string{"serve"}},
	{"database-wait", "DATABASE_WAIT", "5m", "how long serve keeps retrying an unreachable database at start, with backoff from 500ms doubling up to 15s, before it gives up", []string{"serve"}},
	{"max-depth", "MAX_DEPTH", "20", "deepest field nesting an operation may have (a root field is depth 1; the deepest frontend query is 15); deeper ones get QUERY_TOO_DEEP; 0: no limit", []string{"serve"}},
	{"max-complexity", "MAX_COMPLEXITY", "50000", "highest estimated cost of an anonymous caller's operation, in units of about 10 µs of server and database CPU: each field costs 1, a connection's edges count once per item it may return (first, else last, else 20), and costly fields (search, matches, recommendedOpenings, gapCourses, path, neighborhood, rankings, analytics, skillGap, totalCount) their measured price (docs/security.md); costlier ones get QUERY_TOO_COMPLEX; 0: no limit", []string{"serve"}},
	{"max-complexity-member", "MAX_COMPLEXITY_MEMBER", "100000", "the same for MEMBER callers", []string{"serve"}},
	{"max-complexity-analyst", "MAX_COMPLEXITY_ANALYST", "300000", "the same for ANALYST callers", []string{"serve"}},
	{"max-complexity-admin", "MAX_COMPLEXITY_ADMIN", "300000", "the same for ADMIN callers", []string{"serve"}},
	{"max-tokens", "MAX_TOKENS", "15000", "most lexical tokens the parser reads from one query document before refusing it (GRAPHQL_PARSE_FAILED); 0: no limit", []string{"serve"}},
	{"max-body-bytes", "MAX_BODY_BYTES", "1048576", "largest request body (and GET query string) in bytes; larger ones get 413 (414) with REQUEST_TOO_LARGE; 0: no limit", []string{"serve"}},
	{"max-repeats", "MAX_REPEATS", "30", "most times one selection set may select the same field or alias (after merging fragments), refused before validation, whose cost grows with the square of it; more get QUERY_TOO_WIDE; 0: no limit", []string{"serve"}},
	{"rate-limit", "RATE_LIMIT", "20", "requests a second each client may send on average (token bucket); a client is its token's subject or API key, else its IP address; a WebSocket counts when it connects and again for every operation it starts (past the rate that operation gets an error, the socket stays open), an event stream once; excess requests get 429 with Retry-After and RATE_LIMITED; 0: no limit", []string{"serve"}},
	{"rate-burst", "RATE_BURST", "60", "requests a client may send at once before the rate applies (the bucket's size)", []string{"serve"}},
	{"max-in-flight", "MAX_IN_FLIGHT", "8", "requests one client (as for --rate-limit) may have running at once, WebSocket connections aside; more get 429 with TOO_MANY_IN_FLIGHT; 0: no limit", []string{"serve"}},
	{"cost-rate", "COST_RATE", "25000", "estimated cost (the units of --max-complexity, about 10 µs of CPU each) of the queries and mutations one client may ask for a second, over any transport (a token bucket beside --rate-limit's); more get RATE_LIMITED (429 over HTTP) with the wait; 0: no limit", []string{"serve"}},
	{"cost-burst", "COST_BURST", "150000", "estimated cost one client may ask for at once before --cost-rate applies (an operation costlier than this waits for a full bucket)", []string{"serve"}},
	{"max-work-in-flight", "MAX_WORK_IN_FLIGHT", "60000", "estimated cost (the units of --max-complexity) of the queries and mutations one client may have running at once, over any transport; a client with nothing running may always run one operation within its budget; more get TOO_MANY_IN_FLIGHT (429 over HTTP); 0: no limit", []string{"serve"}},
	{"document-cache-bytes", "DOCUMENT_CACHE_BYTES", "67108864", "memory the cache of parsed query documents may take (estimated as 26 bytes per byte of query text), besides its 1000 entries; least recently used dropped first", []string{"serve"}},
	{"apq-cache-bytes", "APQ_CACHE_BYTES", "16777216", "memory (bytes of query text) the automatic persisted queries may take, besides --apq-cache-size entries", []string{"serve"}},
	{"client-ip-header", "CLIENT_IP_HEADER", "", "header holding the client's address, set by a trusted reverse proxy (X-Forwarded-For: its last entry, or X-Real-IP); empty: the connection's address. Set it only behind a proxy that sets it, as clients can forge it", []string{"serve"}},
	{"ws-max-operations", "WS_MAX_OPERATIONS", "100", "most operations one WebSocket may run at once, subscriptions included; one more gets an error message for its id with TOO_MANY_OPERATIONS (the socket stays open); 0: no limit", []string{"serve"}},
	{"max-connections", "MAX_CONNECTIONS", "32", "most WebSockets and Server-Sent Event streams one client (as --rate-limit counts them; a WebSocket by the address or header credential of its upgrade request) may hold open at once; one more is refused with 429 and TOO_MANY_CONNECTIONS; 0: no limit", []string{"serve"}},
	{"stream-write-timeout", "STREAM_WRITE_TIMEOUT", "10s", "longest a write to a WebSocket or event stream may wait for a client that does not read; past it the connection is closed and its subscriptions end", []string{"serve"}},
	{"credential-check", "CREDENTIAL_CHECK", "2s", "how often the API keys behind open WebSockets and event streams are read again (one statement for all), so that a revoked, expired or changed key ends its connections within this time (4403); token expiry needs no check", []string{"serve"}},
	{"introspection", "INTROSPECTION", "true", "answer introspection (__schema, __type), which the playground and code generators need; false refuses it with INTROSPECTION_DISABLED", []string{"serve"}},
	{"cors-origins", "CORS_ORIGINS", "", "comma-separated origins browsers may call the API from, e.g. https://app.example.org (wildcards such as https://*.example.org, or * for any); also the origins WebSocket connections are accepted from; empty: same-origin only", []string{"serve"}},
	{"dev", "DEV", "false", "local development: browsers may also call the API and open WebSockets from any localhost origin (" + strings.Join(DevOrigins, ", ") + "), as a frontend's dev server needs; the server says so when it starts. Not for production", []string{"serve"}},
}

// DevOrigins are the origins --dev adds to --cors-origins: a frontend dev server on this
// machine, whatever its port.
var DevOrigins = []string{"http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"}

// value holds a flag's text until Parse checks it; boolean settings may be given as a
// bare --flag.
type value struct {
	text   string
	isBool bool
}

func (v *value) String() string     { return v.text }
func (v *value) Set(s string) error { v.text = s; return nil }
func (v *value) IsBoolFlag() bool   { return v.isBool }

func flagSet(command string, getenv func(string) string) (*flag.FlagSet, map[string]*value) {
	fs := flag.NewFlagSet("alliance "+command, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	values := map[string]*value{}
	for _, s := range Settings {
		if !slices.Contains(s.Commands, command) {
			continue
		}
		v := &value{text: s.Default, isBool: s.Default == "true" || s.Default == "false"}
		if e := getenv(s.Env); e != "" {
			v.text = e
		}
		values[s.Flag] = v
		fs.Var(v, s.Flag, fmt.Sprintf("%s (env %s)", s.Usage, s.Env))
	}
	return fs, values
}

// Usage writes the flags of command.
func Usage(command string, w io.Writer) {
	fs, _ := flagSet(command, func(string) string { return "" })
	fs.SetOutput(w)
	fmt.Fprintf(w, "usage: alliance %s [flags]\n\nflags:\n", command)
	fs.PrintDefaults()
}

// Parse reads the settings of command from args and the environment.
func Parse(command string, args []string, getenv func(string) string) (Config, error) {
	fs, values := flagSet(command, getenv)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	get := func(name string) string {
		if v, ok := values[name]; ok {
			return v.text
		}
		for _, s := range Settings {
			if s.Flag == name {
				return s.Default
			}
		}
		return ""
	}
	c := Config{Addr: get("addr"), DatabaseURL: get("database-url"), ReadDatabaseURL: get("read-database-url"), JWTSecret: get("jwt-secret"), Args: fs.Args()}
	var errs []error
	parseBool := func(name string, dst *bool) {
		v, err := strconv.ParseBool(get(name))
		if err != nil {
			errs = append(errs, fmt.Errorf("--%s: %q is not true or false", name, get(name)))
		}
		*dst = v
	}
	parseDuration := func(name string, dst *time.Duration) {
		v, err := time.ParseDuration(get(name))
		if err != nil || v <= 0 {
			errs = append(errs, fmt.Errorf("--%s: %q is not a positive duration such as 2ms or 30s", name, get(name)))
		}
		*dst = v
	}
	parseBool("no-demo", &c.NoDemo)
	parseBool("one-statement", &c.OneStatement)
	parseBool("reset", &c.Reset)
	parseDuration("batch-idle", &c.BatchIdle)
	parseDuration("batch-max-wait", &c.BatchMaxWait)
	parseDuration("request-timeout", &c.RequestTimeout)
	parseDuration("shutdown-grace", &c.ShutdownGrace)
	parseDuration("ready-timeout", &c.ReadyTimeout)
	parseDuration("database-wait", &c.DatabaseWait)
	c.MetricsAddr = get("metrics-addr")
	if n, err := strconv.Atoi(get("metrics-max-operations")); err != nil || n < 1 || n > 10000 {
		errs = append(errs, fmt.Errorf("--metrics-max-operations: %q is not a whole number from 1 to 10000", get("metrics-max-operations")))
	} else {
		c.MetricsMaxOperations = n
	}
	parseCount := func(name string, dst *int) {
		v, err := strconv.Atoi(get(name))
		if err != nil || v < 0 {
			errs = append(errs, fmt.Errorf("--%s: %q is not a whole number, 0 or more", name, get(name)))
		}
		*dst = v
	}
	parseCount("max-depth", &c.MaxDepth)
	parseCount("max-complexity", &c.MaxComplexity)
	parseCount("max-complexity-member", &c.MaxComplexityMember)
	parseCount("max-complexity-analyst", &c.MaxComplexityAnalyst)
	parseCount("max-complexity-admin", &c.MaxComplexityAdmin)
	parseCount("max-in-flight", &c.MaxInFlight)
	parseCount("max-work-in-flight", &c.MaxWorkInFlight)
	parseCount("max-tokens", &c.MaxTokens)
	parseCount("max-repeats", &c.MaxRepeats)
	var body, docBytes, apqBytes int
	parseCount("max-body-bytes", &body)
	c.MaxBodyBytes = int64(body)
	parseCount("document-cache-bytes", &docBytes)
	parseCount("apq-cache-bytes", &apqBytes)
	c.DocumentCacheBytes, c.APQCacheBytes = int64(docBytes), int64(apqBytes)
	if r, err := strconv.ParseFloat(get("rate-limit"), 64); err != nil || r < 0 || math.IsInf(r, 0) || math.IsNaN(r) {
		errs = append(errs, fmt.Errorf("--rate-limit: %q is not a number of requests a second, 0 or more", get("rate-limit")))
	} else {
		c.RateLimit = r
	}
	parseCount("rate-burst", &c.RateBurst)
	var costRate int
	parseCount("cost-rate", &costRate)
	c.CostRate = float64(costRate)
	parseCount("cost-burst", &c.CostBurst)
	if c.CostRate > 0 && c.CostBurst < 1 {
		errs = append(errs, fmt.Errorf("--cost-burst: must be at least 1 when --cost-rate is set"))
	}
	if c.RateLimit > 0 && c.RateBurst < 1 {
		errs = append(errs, fmt.Errorf("--rate-burst: must be at least 1 when --rate-limit is set"))
	}
	c.ClientIPHeader = strings.TrimSpace(get("client-ip-header"))
	parseCount("ws-max-operations", &c.WSMaxOperations)
	parseCount("max-connections", &c.MaxConnections)
	parseDuration("stream-write-timeout", &c.StreamWriteTimeout)
	parseDuration("credential-check", &c.CredentialCheck)
	parseBool("introspection", &c.Introspection)
	parseBool("dev", &c.Dev)
	for _, o := range strings.Split(get("cors-origins"), ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if u, err := url.Parse(o); o != "*" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/")) {
			errs = append(errs, fmt.Errorf("--cors-origins: %q is not an origin such as https://app.example.org", o))
			continue
		}
		c.CORSOrigins = append(c.CORSOrigins, strings.TrimSuffix(o, "/"))
	}
	if c.Dev {
		c.CORSOrigins = append(c.CORSOrigins, DevOrigins...)
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("log-level"))); err != nil {
		errs = append(errs, fmt.Errorf("--log-level: %q is not debug, info, warn or error", get("log-level")))
	}
	scale, err := strconv.Atoi(get("scale"))
	if err != nil || scale < 1 || scale > 10000 {
		errs = append(errs, fmt.Errorf("--scale: %q is not a whole number from 1 to 10000", get("scale")))
	}
	c.Scale = scale
	if v := get("as-of"); v != "" {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil || d.Before(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
			errs = append(errs, fmt.Errorf("--as-of: %q is not a date (YYYY-MM-DD) from 2025-01-01 on", v))
		}
		c.AsOf = d
	}
	parseBool("playground", &c.Playground)
	parseBool("dashboard", &c.Dashboard)
	c.TrustedDocuments = get("trusted-documents")
	if n, err := strconv.Atoi(get("apq-cache-size")); err != nil || n < 0 || n > 1_000_000 {
		errs = append(errs, fmt.Errorf("--apq-cache-size: %q is not a whole number from 0 to 1000000", get("apq-cache-size")))
	} else {
		c.APQCacheSize = n
	}
	if roles, err := parseRoles(get("free-form-roles")); err != nil {
		errs = append(errs, fmt.Errorf("--free-form-roles: %w", err))
	} else {
		c.FreeFormRoles = roles
	}
	if _, err := database.ParseTarget(c.DatabaseURL); err != nil {
		errs = append(errs, fmt.Errorf("--database-url: %w", err))
	}
	if c.ReadDatabaseURL != "" {
		if _, err := database.ParseTarget(c.ReadDatabaseURL); err != nil {
			errs = append(errs, fmt.Errorf("--read-database-url: %w", err))
		}
	}
	if command == "serve" {
		_, port, err := net.SplitHostPort(c.Addr)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			errs = append(errs, fmt.Errorf("--addr: %q is not host:port or :port", c.Addr))
		}
		if c.MetricsAddr != "" {
			_, port, err := net.SplitHostPort(c.MetricsAddr)
			if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
				errs = append(errs, fmt.Errorf("--metrics-addr: %q is not host:port or :port", c.MetricsAddr))
			}
		}
	}
	return c, errors.Join(errs...)
}

// parseRoles reads a comma-separated list of roles; "none" is the empty list.
func parseRoles(s string) ([]string, error) {
	if strings.EqualFold(strings.TrimSpace(s), "none") {
		return []string{}, nil
	}
	var roles []string
	for r := range strings.SplitSeq(s, ",") {
		r = strings.ToUpper(strings.TrimSpace(r))
		switch r {
		case "ADMIN", "MEMBER", "ANALYST":
			if !slices.Contains(roles, r) {
				roles = append(roles, r)
			}
		default:
			return nil, fmt.Errorf("%q is not a comma-separated list of ADMIN, MEMBER and ANALYST, nor none", s)
		}
	}
	return roles, nil
}
