// Command alliance runs the alliance-graph GraphQL server and its maintenance tasks:
//
//	alliance serve     create the database if missing, migrate, load the demo on first start, serve
//	alliance migrate   apply pending migrations (or `migrate down` to roll back the last one)
//	alliance seed      load the demo alliance, or a larger synthetic one with --scale K
//	alliance token     issue a JWT, or create, revoke and list API keys
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/change"
	"github.com/alliance-graph/alliance-graph/internal/config"
	"github.com/alliance-graph/alliance-graph/internal/database"
	"github.com/alliance-graph/alliance-graph/internal/demo"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/metrics"
	"github.com/alliance-graph/alliance-graph/internal/server"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

const usage = `usage: alliance <command> [flags]

commands:
  serve     create the database if missing, migrate, load the demo on first start, serve GraphQL
  migrate   apply pending migrations; "migrate down" rolls back the most recent one
  seed      load the demo alliance; --scale K loads a K-times larger synthetic one
  token     print a signed JWT ("token create"), or create, revoke and list API keys

Run "alliance <command> -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "alliance:", err)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// run executes one command until it finishes or ctx ends (SIGTERM for serve).
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	command := args[0]
	switch command {
	case "serve", "migrate", "seed":
	case "token":
		return tokenCommand(ctx, args[1:], getenv, os.Stdout, stderr)
	default:
		fmt.Fprintf(stderr, "alliance: unknown command %q\n\n%s", command, usage)
		return errUsage
	}
	cfg, err := config.Parse(command, args[1:], getenv)
	if errors.Is(err, flag.ErrHelp) {
		config.Usage(command, stderr)
		return errUsage
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	// Libraries that write with the log package (gqlgen among them) write JSON lines too.
	slog.SetDefault(log)
	switch command {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return migrate(ctx, cfg, log)
	default:
		return seed(ctx, cfg, log)
	}
}

// open connects, creating the database if needed, and applies pending migrations.
func open(ctx context.Context, cfg config.Config, log *slog.Logger) (*sqlx.DB, error) {
	db, err := database.Open(ctx, cfg.DatabaseURL, true)
	if err != nil {
		return nil, err
	}
	n, err := database.Migrate(ctx, db.DB)
	if err != nil {
		db.Close()
		return nil, err
	}
	if n > 0 {
		log.Info("applied migrations", "count", n)
	}
	return db, nil
}

// waitForDatabase opens the database like open, but while the database cannot be
// reached (not started yet, restarting, network down) it retries with backoff, saying so,
// for up to cfg.DatabaseWait: replicas and their database often start together. A
// refusal (credentials, a bad URL) fails at once, as retrying cannot fix it.
func waitForDatabase(ctx context.Context, cfg config.Config, log *slog.Logger) (*sqlx.DB, error) {
	giveUp := time.Now().Add(cfg.DatabaseWait)
	delay := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		db, err := open(ctx, cfg, log)
		if err == nil {
			if attempt > 1 {
				log.Info("database reachable", "attempts", attempt)
			}
			return db, nil
		}
		retryable := database.Unavailable(err) || errors.Is(err, context.DeadlineExceeded)
		if !retryable || ctx.Err() != nil {
			return nil, err
		}
		if time.Now().Add(delay).After(giveUp) {
			return nil, fmt.Errorf("%w (gave up after retrying for %s; see --database-wait)", err, cfg.DatabaseWait)
		}
		log.Warn("database unreachable, retrying in "+delay.String(), "attempt", attempt, "retry_in", delay.String(), "reason", err.Error(), "cause", rootCause(err).Error())
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(delay):
		}
		delay = min(2*delay, 15*time.Second)
	}
}

// rootCause is the innermost error: for an unreachable database, the driver's or the
// network's own words ("connection refused"), which carry no password.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// servingGCPercent is the garbage collector's target while serving, unless GOGC is set.
// gqlgen allocates a few objects per field of an answer, and at Go's default (100) the
// collector took a quarter of the CPU of a nested query; a server's live heap is tens of
// megabytes, so letting it grow five-fold between collections is cheap memory for CPU.
// In a container with a memory limit, set GOMEMLIMIT below it: the collector then runs
// early whenever the heap nears it.
const servingGCPercent = 400

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(servingGCPercent)
	}
	trusted, err := trustedDocuments(cfg, log)
	if err != nil {
		return err
	}
	db, err := waitForDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if !cfg.NoDemo {
		// Under the setup lock: replicas starting together load the demo once.
		sum, loaded, err := demo.LoadIfEmpty(ctx, db, shenyangToday())
		if err != nil {
			return fmt.Errorf("load demo alliance: %w", err)
		}
		if loaded {
			log.Info("loaded the demo alliance", "organizations", sum.Organizations, "talents", sum.Talents, "took", sum.Took)
		}
	}
	// Requests run on a pool of their own whose sessions carry the request timeout as
	// statement timeout; migrating and loading the demo above ran without it.
	served, err := database.Open(ctx, database.WithStatementTimeout(cfg.DatabaseURL, cfg.RequestTimeout), false)
	if err != nil {
		return err
	}
	defer served.Close()
	db.Close()
	st := store.New(served, server.CountStatements(nil))
	// The event listener and its catch-up reads stay on the primary: a notification
	// arrives at commit, possibly before a replica has the row.
	primary := st
	if cfg.ReadDatabaseURL != "" {
		replica, err := database.Open(ctx, database.WithStatementTimeout(cfg.ReadDatabaseURL, cfg.RequestTimeout), false)
		if err != nil {
			return fmt.Errorf("open the read replica: %w", err)
		}
		defer replica.Close()
		st = st.WithReplica(replica)
		target, _ := database.ParseTarget(cfg.ReadDatabaseURL) // checked by config
		log.Info("queries read from a replica", "replica", target.String())
	}
	// Documents, the one-statement answers, run on a pool of their own that plans each
	// of their prepared statements once per session (see store.WithDocumentPool): up to
	// 20 more sessions, reading where the other reads go.
	readURL := cfg.DatabaseURL
	if cfg.ReadDatabaseURL != "" {
		readURL = cfg.ReadDatabaseURL
	}
	documents, err := database.Open(ctx, database.WithGenericPlans(database.WithStatementTimeout(readURL, cfg.RequestTimeout)), false)
	if err != nil {
		return fmt.Errorf("open the documents' pool: %w", err)
	}
	defer documents.Close()
	st = st.WithDocumentPool(documents)
	key, err := auth.SigningKey(ctx, st, cfg.JWTSecret)
	if err != nil {
		return fmt.Errorf("token signing key: %w", err)
	}
	// The listener retries at most every 2 s, so that a replica is ready again soon after
	// its database returns; an attempt costs one connection.
	events, err := bus.New(ctx, listenerURL(cfg.DatabaseURL), primary, log, bus.Options{MaxReconnect: 2 * time.Second})
	if err != nil {
		return fmt.Errorf("start the event listener: %w", err)
	}
	busCtx, stopBus := context.WithCancel(context.Background())
	busDone := make(chan struct{})
	go func() { events.Run(busCtx); close(busDone) }()
	defer func() { stopBus(); <-busDone }()
	// The calendar closes openings past their closing date and moves courses on as each
	// day begins in Shenyang, starting now; every replica runs it, safely (see
	// change.Service.FollowCalendar). It writes, so it uses the primary.
	calendarCtx, stopCalendar := context.WithCancel(context.Background())
	calendarDone := make(chan struct{})
	go func() {
		change.New(primary, time.Now).KeepCalendar(calendarCtx, log, calendarCheck)
		close(calendarDone)
	}()
	defer func() { stopCalendar(); <-calendarDone }()
	streams, endStreams := context.WithCancel(context.Background())
	defer endStreams()
	var openStreams atomic.Int64
	meters := metrics.New(metrics.Options{MaxOperations: cfg.MetricsMaxOperations})
	handler := server.New(server.Config{
		Metrics:        meters,
		ReadyTimeout:   cfg.ReadyTimeout,
		Streams:        streams,
		OpenStreams:    &openStreams,
		Bus:            events,
		Store:          st,
		Auth:           auth.New(auth.Config{Key: key}, st),
		Logger:         log,
		OneStatement:   cfg.OneStatement,
		Batching:       loader.Timing{Idle: cfg.BatchIdle, MaxWait: cfg.BatchMaxWait, MaxKeys: loader.DefaultTiming.MaxKeys},
		RequestTimeout: cfg.RequestTimeout,

		NoPlayground:     !cfg.Playground,
		NoDashboard:      !cfg.Dashboard,
		APQCacheSize:     apqCacheSize(cfg),
		TrustedDocuments: trusted,
		FreeFormRoles:    freeFormRoles(cfg),
		Limits: server.Limits{MaxDepth: orOff(cfg.MaxDepth), MaxComplexity: orOff(cfg.MaxComplexity),
			MaxComplexityMember: orOff(cfg.MaxComplexityMember), MaxComplexityAnalyst: orOff(cfg.MaxComplexityAnalyst), MaxComplexityAdmin: orOff(cfg.MaxComplexityAdmin),
			MaxTokens: orOff(cfg.MaxTokens), MaxBodyBytes: int64(orOff(int(cfg.MaxBodyBytes))), MaxRepeats: orOff(cfg.MaxRepeats)},
		MaxInFlight:          orOff(cfg.MaxInFlight),
		MaxWorkInFlight:      orOff(cfg.MaxWorkInFlight),
		CostRate:             float64(orOff(int(cfg.CostRate))),
		CostBurst:            cfg.CostBurst,
		DocumentCacheBytes:   cfg.DocumentCacheBytes,
		APQCacheBytes:        cfg.APQCacheBytes,
		RateLimit:            server.RateLimit{Rate: cfg.RateLimit, Burst: cfg.RateBurst, ClientIPHeader: cfg.ClientIPHeader},
		CORSOrigins:          cfg.CORSOrigins,
		DisableIntrospection: !cfg.Introspection,
		Live: server.LiveLimits{MaxOperations: orOff(cfg.WSMaxOperations), MaxConnections: orOff(cfg.MaxConnections),
			WriteTimeout: cfg.StreamWriteTimeout, CredentialCheck: cfg.CredentialCheck},
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	// net/http's own complaints (TLS handshakes, panics it recovered) as JSON lines.
	errorLog := slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: errorLog}
	errc := make(chan error, 2)
	if cfg.MetricsAddr != "" {
		// Metrics get a listener of their own, so that the public port does not expose
		// them; Prometheus scrapes this one from inside the network.
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen for metrics on %s: %w", cfg.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", meters.Handler())
		msrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: errorLog}
		go func() {
			if err := msrv.Serve(mln); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("metrics listener: %w", err)
			}
		}()
		defer msrv.Close()
		log.Info("serving metrics", "addr", mln.Addr().String(), "endpoint", "/metrics")
	}
	go func() { errc <- srv.Serve(ln) }()
	if cfg.Dev {
		log.Warn("development mode (--dev): browsers on any localhost origin may call the API and open WebSockets; do not use it in production", "origins", config.DevOrigins)
	}
	log.Info("serving GraphQL", "addr", ln.Addr().String(), "playground", "http://"+displayAddr(ln.Addr())+"/", "dashboard", "http://"+displayAddr(ln.Addr())+"/dashboard", "endpoint", "/query", "health", "/healthz", "readiness", "/readyz")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", cfg.ShutdownGrace)
	// Stop accepting, then end subscriptions: each gets its error (SHUTTING_DOWN) and
	// then each socket its close (1001), while ordinary requests drain.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	shutdown := make(chan error, 1)
	go func() { shutdown <- srv.Shutdown(shutdownCtx) }()
	stopBus()
	<-busDone
	for openStreams.Load() > 0 && shutdownCtx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	endStreams()
	if err := <-shutdown; err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// calendarCheck is how often the calendar looks again between midnights: a run that
// failed, or a closing date moved into the past, is caught within it.
const calendarCheck = 5 * time.Minute

// orOff maps a setting's 0 ("no limit") to the server's negative "off" (its 0 is "the
// default").
func orOff(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// listenerURL names the event listener's connection, so operators can tell it apart in
// pg_stat_activity.
func listenerURL(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return databaseURL
	}
	q := u.Query()
	q.Set("application_name", "alliance-graph-listener")
	u.RawQuery = q.Encode()
	return u.String()
}

func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if ok && tcp.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return a.String()
}

func migrate(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	db, err := database.Open(ctx, cfg.DatabaseURL, true)
	if err != nil {
		return err
	}
	defer db.Close()
	switch {
	case len(cfg.Args) == 0 || cfg.Args[0] == "up":
		n, err := database.Migrate(ctx, db.DB)
		if err != nil {
			return err
		}
		log.Info("migrations applied", "count", n)
	case cfg.Args[0] == "down":
		if err := database.MigrateDown(ctx, db.DB); err != nil {
			return err
		}
		log.Info("rolled back the most recent migration")
	default:
		return fmt.Errorf("migrate: unknown direction %q (want up or down)", cfg.Args[0])
	}
	return nil
}

func seed(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	db, err := open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.Reset {
		if err := database.Truncate(ctx, db); err != nil {
			return err
		}
	}
	seeded, err := demo.Seeded(ctx, db)
	if err != nil {
		return fmt.Errorf("check for existing data: %w", err)
	}
	if seeded {
		return errors.New("the database already holds an alliance; add --reset to empty it first")
	}
	asOf := cfg.AsOf
	if asOf.IsZero() {
		asOf = shenyangToday()
	}
	sum, err := demo.Load(ctx, db, demo.Options{Scale: cfg.Scale, AsOf: asOf})
	if err != nil {
		return fmt.Errorf("seed at scale %d: %w", cfg.Scale, err)
	}
	log.Info("seeded", "scale", cfg.Scale, "organizations", sum.Organizations, "partnerships", sum.Partnerships,
		"resources", sum.Resources, "talents", sum.Talents, "placements", sum.Placements, "events", sum.Events,
		"as_of", asOf.Format(time.DateOnly), "took", sum.Took.String())
	return nil
}

// trustedDocuments loads the manifest of --trusted-documents, before anything else, so
// that a bad manifest stops the server at once.
func trustedDocuments(cfg config.Config, log *slog.Logger) (*server.TrustedDocuments, error) {
	if cfg.TrustedDocuments == "" {
		return nil, nil
	}
	t, err := server.LoadTrustedDocuments(cfg.TrustedDocuments)
	if err != nil {
		return nil, err
	}
	log.Info("trusted-documents mode: only registered operations run", "manifest", cfg.TrustedDocuments, "documents", t.Len(), "free_form_roles", cfg.FreeFormRoles)
	return t, nil
}

func freeFormRoles(cfg config.Config) []auth.Role {
	roles := make([]auth.Role, len(cfg.FreeFormRoles))
	for i, r := range cfg.FreeFormRoles {
		roles[i] = auth.Role(r)
	}
	return roles
}

// apqCacheSize maps --apq-cache-size (0: off) onto server.Config's (negative: off).
func apqCacheSize(cfg config.Config) int {
	if cfg.APQCacheSize == 0 {
		return -1
	}
	return cfg.APQCacheSize
}

// shenyangToday is the alliance's today.
func shenyangToday() time.Time { return calendar.Today(time.Now()) }
