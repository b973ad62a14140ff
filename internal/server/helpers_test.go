package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/demo"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/server"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// testDB holds the demo alliance and is only read, so that read tests can rely on its
// shape; writeDB holds another copy for the tests that change data.
var testDB, writeDB *pgtest.Database

// demoDay is the day the test demo describes: fixed, so that every run sees the same
// alliance (demo.Options.AsOf).
var demoDay = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, "server", &testDB, func(ctx context.Context, db *pgtest.Database) error {
		if _, err := demo.Load(ctx, db.DB, demo.Options{Scale: 1, AsOf: demoDay}); err != nil {
			return err
		}
		var err error
		if writeDB, err = pgtest.Create(ctx, "serverw"); err != nil {
			return err
		}
		_, err = demo.Load(ctx, writeDB.DB, demo.Options{Scale: 1, AsOf: demoDay})
		return err
	}, func(ctx context.Context) error {
		if writeDB == nil {
			return nil
		}
		return writeDB.Drop(ctx)
	}))
}

// testServer is a real HTTP server over the test database that counts the SQL
// statements it sends.
type testServer struct {
	*httptest.Server
	statements atomic.Int64
	trace      atomic.Pointer[func(query string, args []any)] // when set, sees every statement
	logs       *bytes.Buffer
	logMu      *sync.Mutex
	auth       *auth.Authenticator
	db         *pgtest.Database
	bus        *bus.Bus
	open       *atomic.Int64 // subscriptions open, as server.Config.OpenStreams counts them
}

// testKey signs the test servers' tokens.
var testKey = []byte("test-signing-key-of-at-least-32-bytes!!")

// newServer starts a test server over the read-only demo database.
func newServer(t testing.TB) *testServer {
	t.Helper()
	return startConfiguredServer(t, testDB, nil)
}

// newWriteServer starts a test server over the database that tests may change.
func newWriteServer(t testing.TB) *testServer {
	t.Helper()
	return startServer(t, writeDB, loader.DefaultTiming)
}

// newServerWith starts a test server over the read-only demo database whose loaders
// batch with the given timing. Every query goes through the resolvers and their loaders,
// even those one statement could answer: this server is for tests of the loaders.
func newServerWith(t testing.TB, batching loader.Timing) *testServer {
	t.Helper()
	return startConfiguredServer(t, testDB, func(c *server.Config) { c.Batching, c.OneStatement = batching, false })
}

func startServer(t testing.TB, db *pgtest.Database, batching loader.Timing) *testServer {
	t.Helper()
	return startConfiguredServer(t, db, func(c *server.Config) { c.Batching = batching })
}

// startConfiguredServer starts a test server over db whose server.Config the caller
// adjusts (batching, limits, persisted queries, metrics...). It counts the statements it
// sends, in total and per request for the request log.
func startConfiguredServer(t testing.TB, db *pgtest.Database, configure func(*server.Config)) *testServer {
	t.Helper()
	ts := &testServer{logs: &bytes.Buffer{}, db: db}
	lw := &lockedWriter{w: ts.logs}
	ts.logMu = &lw.mu
	st := store.New(db.DB, server.CountStatements(func(_ context.Context, q string, args []any) {
		ts.statements.Add(1)
		if f := ts.trace.Load(); f != nil {
			(*f)(q, args)
		}
	}))
	ts.auth = auth.New(auth.Config{Key: testKey}, st)
	// No per-client limit (requests or work in flight, cost rate) unless a test sets one:
	// tests send concurrent requests as one client to test races, not limits (the rate
	// limit is off likewise).
	// The demo describes demoDay, and so does the server's clock: what depends on the day
	// (courses' states and free seats, openings past their closing date) is the same
	// whenever the tests run.
	cfg := server.Config{Store: st, Auth: ts.auth, Logger: slog.New(slog.NewJSONHandler(lw, nil)), Batching: loader.DefaultTiming, OneStatement: true,
		MaxInFlight: -1, MaxWorkInFlight: -1, CostRate: -1, Clock: noonOn(demoDay)}
	if configure != nil {
		configure(&cfg)
	}
	ts.Server = httptest.NewServer(server.New(cfg))
	t.Cleanup(ts.Close)
	// Every test's queries check the loaders' count of field resolutions: a batch sent
	// without it (a stall, a field gqlgen ran otherwise than the count expected) is a bug.
	t.Cleanup(func() {
		if strings.Contains(ts.logText(), "without the count of field resolutions") {
			t.Errorf("a loader batch was sent without the count of field resolutions:\n%s", ts.logText())
		}
	})
	return ts
}

// lockedWriter lets concurrent requests log into one buffer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (ts *testServer) logText() string {
	ts.logMu.Lock()
	defer ts.logMu.Unlock()
	return ts.logs.String()
}

// gqlError is one entry of a response's errors.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	Status int             `json:"-"`
}

// query posts a GraphQL request and decodes the response; it fails the test on
// transport problems, not on GraphQL errors, which tests inspect themselves.
func (ts *testServer) query(t *testing.T, q string, vars map[string]any) response {
	t.Helper()
	return ts.queryAs(t, auth.Viewer{}, q, vars)
}

// token signs a token for v, valid for an hour.
func (ts *testServer) token(t testing.TB, v auth.Viewer) string {
	t.Helper()
	if v.Subject == "" {
		v.Subject = "test-" + strings.ToLower(string(v.Role))
	}
	tok, err := ts.auth.IssueToken(v, time.Hour)
	if err != nil {
		t.Fatalf("issue token: %v", err)
	}
	return tok
}

// queryAs posts a request as v (anonymous when v is zero).
func (ts *testServer) queryAs(t testing.TB, v auth.Viewer, q string, vars map[string]any) response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if !v.Anonymous() {
		req.Header.Set("Authorization", "Bearer "+ts.token(t, v))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /query: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("decode response %q: %v", raw, err)
	}
	r.Status = res.StatusCode
	return r
}

// data runs a query that must succeed and decodes its data into out.
func (ts *testServer) data(t *testing.T, q string, vars map[string]any, out any) {
	t.Helper()
	r := ts.query(t, q, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("query failed: %+v\nquery: %s\nvariables: %v", r.Errors, q, vars)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatalf("decode data %s: %v", r.Data, err)
	}
}

// sqlInt runs a counting query straight against the database, as the oracle that
// GraphQL answers are checked against.
func sqlInt(t *testing.T, q string, args ...any) int {
	t.Helper()
	return sqlIntIn(t, testDB, q, args...)
}

// sqlIntIn runs a counting query against db.
func sqlIntIn(t *testing.T, db *pgtest.Database, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.DB.Get(&n, q, args...); err != nil {
		t.Fatalf("oracle %q: %v", q, err)
	}
	return n
}

// sqlInt runs a counting query against the server's own database.
func (ts *testServer) sqlInt(t *testing.T, q string, args ...any) int {
	t.Helper()
	return sqlIntIn(t, ts.db, q, args...)
}

// firstKey returns the global ID of the first row a query returns in the server's own
// database.
func (ts *testServer) firstKey(t *testing.T, typ relay.Type, q string) string {
	t.Helper()
	return firstKeyIn(t, ts.db, typ, q)
}

// someTalents returns the global IDs of n talents of the server's own database.
func (ts *testServer) someTalents(t *testing.T, n int) []string {
	t.Helper()
	var keys []int64
	if err := ts.db.DB.Select(&keys, "SELECT id FROM talent ORDER BY id DESC LIMIT $1", n); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = relay.ID(relay.TypeTalent, k)
	}
	return ids
}
