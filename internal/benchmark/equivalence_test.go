package benchmark

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/server"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// startPostGraphile serves the benchmark's PostGraphile over the test database until the
// test ends; without it installed (bench/postgraphile/install.sh needs npm), it returns
// nil and why.
func startPostGraphile(t *testing.T) (*GraphQL, string) {
	t.Helper()
	dir, err := filepath.Abs("../../bench/postgraphile")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules/postgraphile/cli.js")); err != nil {
		return nil, "PostGraphile is not installed: run bench/postgraphile/install.sh (needs node and npm)"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("./start.sh")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DATABASE_URL="+testDB.URL, fmt.Sprintf("PORT=%d", port), "POOL_SIZE=4")
	log, err := os.Create(filepath.Join(t.TempDir(), "postgraphile.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	g := &GraphQL{Client: NewHTTPClient(2), URL: fmt.Sprintf("http://127.0.0.1:%d/graphql", port)}
	deadline := time.Now().Add(time.Minute)
	for {
		var out map[string]any
		err := g.Fetch(context.Background(), `{ __typename }`, nil, &out)
		if err == nil {
			return g, ""
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(log.Name())
			t.Fatalf("PostGraphile not ready after a minute: %v\n%s", err, b)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestSharedOperationsAnswerTheSameRows asks alliance-graph (by the one-statement path and
// by the resolvers), PostGraphile and the hand-written SQL floor the same sample requests
// of every operation of the shared mix (the first pages of each list, node lookups over
// keys spread across the table) and checks that all answer the same rows, fields and
// counts: the benchmark compares like with like only if they do.
func TestSharedOperationsAnswerTheSameRows(t *testing.T) {
	ctx := context.Background()
	fixtures, err := LoadFixtures(ctx, testDB.DB.DB)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("postgres", testDB.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	floor := NewFloorDB(db)
	defer floor.Close()
	st := store.New(testDB.DB, server.CountStatements(nil))
	authn := auth.New(auth.Config{Key: []byte("benchmark-equivalence-signing-key-32b")}, st)
	peer, noPeer := startPostGraphile(t)
	for _, oneStatement := range []bool{true, false} {
		ts := httptest.NewServer(server.New(server.Config{Store: st, Auth: authn, Batching: loader.DefaultTiming, OneStatement: oneStatement,
			// Unlimited, as the benchmark serves it: the mixes ask for more work a
			// second than a client may by default.
			MaxInFlight: -1, MaxWorkInFlight: -1, CostRate: -1,
			Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}))
		ours := GraphQL{Client: NewHTTPClient(2), URL: ts.URL + "/query"}
		t.Run(fmt.Sprintf("one-statement=%v/floor", oneStatement), func(t *testing.T) {
			checkSame(t, ctx, ours, nil, floor, fixtures)
		})
		t.Run(fmt.Sprintf("one-statement=%v/postgraphile", oneStatement), func(t *testing.T) {
			if peer == nil {
				t.Skip(noPeer)
			}
			checkSame(t, ctx, ours, peer, nil, fixtures)
		})
		ts.Close()
	}
}

func checkSame(t *testing.T, ctx context.Context, ours GraphQL, peer *GraphQL, floor *FloorDB, f Fixtures) {
	t.Helper()
	results, err := CompareAnswers(ctx, ours, peer, floor, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(SharedMix.Weights) {
		t.Errorf("compared %d operations, want the shared mix's %d", len(results), len(SharedMix.Weights))
	}
	for _, e := range results {
		if !e.Same {
			t.Errorf("%s against %s: %s", e.Op, e.Against, e.Detail)
		} else {
			t.Logf("%s against %s: %d samples, %d rows alike, the first: %s", e.Op, e.Against, e.Samples, e.Rows, e.Example)
		}
	}
}
