package benchmark

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/database"
	"github.com/alliance-graph/alliance-graph/internal/demo"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/server"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

var testDB *pgtest.Database

// demoDay is the day the test demo describes: fixed, so that every run sees the same
// alliance (demo.Options.AsOf).
var demoDay = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, "benchmark", &testDB, func(ctx context.Context, db *pgtest.Database) error {
		_, err := demo.Load(ctx, db.DB, demo.Options{Scale: 1, AsOf: demoDay})
		return err
	}))
}

// TestEveryMixRunsCleanlyAgainstARealServer drives each mix briefly through a real HTTP
// server whose database connections go through the statement counter, and the floor
// straight to PostgreSQL, so that a change to the schema or the server that breaks a
// benchmark query fails here rather than in the next full run. (PostGraphile's queries
// need node; make bench-quick checks those.)
func TestEveryMixRunsCleanlyAgainstARealServer(t *testing.T) {
	ctx := context.Background()
	counter, err := NewStatementCounter(testDB.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer counter.Close()
	served, err := database.Open(ctx, counter.URL(testDB.URL), false)
	if err != nil {
		t.Fatal(err)
	}
	defer served.Close()
	st := store.New(served, server.CountStatements(nil))
	authn := auth.New(auth.Config{Key: []byte("benchmark-smoke-test-signing-key-32b!")}, st)
	ts := httptest.NewServer(server.New(server.Config{Store: st, Auth: authn, Batching: loader.DefaultTiming,
		// Unlimited, as the benchmark serves it: the mixes ask for more work a
		// second than a client may by default.
		MaxInFlight: -1, MaxWorkInFlight: -1, CostRate: -1,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}))
	defer ts.Close()
	token, err := authn.IssueToken(auth.Viewer{Role: auth.RoleAdmin, Subject: "alliance-bench"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	fixtures, err := LoadFixtures(ctx, testDB.DB.DB)
	if err != nil {
		t.Fatal(err)
	}
	client := NewHTTPClient(2)
	reader := GraphQL{Client: client, URL: ts.URL + "/query"}
	writer := GraphQL{Client: client, URL: ts.URL + "/query", Header: http.Header{"Authorization": {"Bearer " + token}}}
	ours, err := OursOps(ctx, reader, writer, fixtures)
	if err != nil {
		t.Fatal(err)
	}
	floorDB, err := sql.Open("postgres", testDB.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer floorDB.Close()
	floorOps, err := FloorOps(ctx, NewFloorDB(floorDB), fixtures)
	if err != nil {
		t.Fatal(err)
	}
	targets := []struct {
		target Target
		ops    map[string]Op
	}{
		{Target{Name: Ours, PID: os.Getpid(), Counter: counter}, ours},
		{Target{Name: Floor}, floorOps},
	}
	ran := 0
	for _, mix := range Mixes {
		for _, tg := range targets {
			weighted, ok := mix.Resolve(tg.ops)
			if !ok {
				continue
			}
			t.Run(mix.Name+"/"+tg.target.Name, func(t *testing.T) {
				// Only requests started within the run count, and a slow one begun in the
				// warm-up can outlast a short run on a loaded machine (the race detector, other
				// packages' tests): a run that recorded nothing is tried again, longer.
				var r Run
				for d := 400 * time.Millisecond; ; d *= 4 {
					r, err = Drive(ctx, tg.target, weighted, RunConfig{Scenario: mix.Name, Concurrency: 2,
						Warmup: 50 * time.Millisecond, Duration: d, Seed: 1})
					if err != nil {
						t.Fatal(err)
					}
					if r.Latency.Count > 0 || d > 6*time.Second {
						break
					}
				}
				if r.Latency.Count == 0 || r.Latency.Errors > 0 {
					t.Fatalf("%d requests, %d errors: %v", r.Latency.Count, r.Latency.Errors, r.FirstErrors)
				}
				if tg.target.Counter != nil && (r.StatementsPerOp == nil || *r.StatementsPerOp < 1) {
					t.Errorf("statements per operation %v, want at least 1 counted", r.StatementsPerOp)
				}
				if tg.target.PID != 0 && (r.CPUPercent == nil || r.PeakRSSMiB == nil || *r.PeakRSSMiB <= 0) {
					t.Errorf("CPU %v, peak RSS %v: process not measured", r.CPUPercent, r.PeakRSSMiB)
				}
			})
			ran++
		}
	}
	if ran != 3 { // full and shared on ours; shared on the floor
		t.Errorf("ran %d mix/target pairs, want 3", ran)
	}
}
