package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/alliance-graph/alliance-graph/internal/pgtest"
)

// startServe runs serve in the background and returns its result channel.
func startServe(ctx context.Context, args []string, envs map[string]string, logs *syncBuffer) <-chan error {
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), env(envs), logs) }()
	return done
}

// awaitStop fails the test unless serve returns nil within limit.
func awaitStop(t *testing.T, done <-chan error, limit time.Duration) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(limit):
		t.Fatal("serve did not stop")
	}
}

// waitFor polls until ok holds, failing the test after limit or if serve stops.
func waitFor(t *testing.T, limit time.Duration, done <-chan error, logs *syncBuffer, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		select {
		case err := <-done:
			t.Fatalf("serve stopped while waiting for %s: %v\n%s", what, err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s\n%s", what, limit, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func get(url string) (int, string) {
	res, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestServeWaitsForADatabaseThatIsDownAtStartAndSaysSo(t *testing.T) {
	dbURL := throwawayURL(t)
	proxy, err := pgtest.NewProxy(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	proxy.Down()
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := startServe(ctx, []string{"--addr", addr, "--metrics-addr", metricsAddr, "--no-demo"},
		map[string]string{"DATABASE_URL": proxy.URL(dbURL), "DATABASE_WAIT": "1m"}, &logs)

	waitFor(t, 10*time.Second, done, &logs, "second retry", func() bool {
		return strings.Count(logs.String(), "database unreachable, retrying in") >= 2
	})
	for _, want := range []string{"retrying in 500ms", "retrying in 1s", "connection refused"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	if code, _ := get("http://" + addr + "/healthz"); code != 0 {
		t.Errorf("GET /healthz answered %d before the database was there", code)
	}
	back := time.Now()
	if err := proxy.Up(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, done, &logs, "readiness", func() bool {
		code, _ := get("http://" + addr + "/readyz")
		return code == http.StatusOK
	})
	t.Logf("ready %v after the database came back", time.Since(back).Round(time.Millisecond))
	if code, body := get("http://" + addr + "/healthz"); code != http.StatusOK || !strings.Contains(body, "alive") {
		t.Errorf("GET /healthz = %d %s", code, body)
	}
	res, err := http.Post("http://"+addr+"/query", "application/json", strings.NewReader(`{"query":"query Directory { organizations { totalCount } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	code, body := get("http://" + metricsAddr + "/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics on the metrics listener = %d", code)
	}
	for _, want := range []string{
		`alliance_graphql_request_duration_seconds_count{operation="Directory"} 1`,
		`go_sql_open_connections{db_name="primary"}`,
		`alliance_listener_connected 1`,
		`alliance_graphql_active_subscriptions 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if code, _ := get("http://" + addr + "/metrics"); code == http.StatusOK {
		t.Error("the public listener serves /metrics")
	}
	cancel()
	awaitStop(t, done, 20*time.Second)
}

func TestSIGTERMLetsInFlightRequestsFinishWithinTheGrace(t *testing.T) {
	dbURL := throwawayURL(t)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := startServe(ctx, []string{"--addr", addr, "--no-demo", "--shutdown-grace", "10s"}, map[string]string{"DATABASE_URL": dbURL}, &logs)
	waitFor(t, 60*time.Second, done, &logs, "readiness", func() bool {
		code, _ := get("http://" + addr + "/readyz")
		return code == http.StatusOK
	})

	// A request held in flight by a lock that the test releases after the signal.
	db, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("LOCK TABLE organization IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		status int
		body   string
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		res, err := http.Post("http://"+addr+"/query", "application/json", strings.NewReader(`{"query":"{ organizations { totalCount } }"}`))
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		answered <- answer{status: res.StatusCode, body: string(b)}
	}()
	waitFor(t, 10*time.Second, done, &logs, "the request to wait on the lock", func() bool {
		var n int
		db.Get(&n, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
		return n > 0
	})

	cancel() // what SIGTERM does
	waitFor(t, 5*time.Second, done, &logs, "shutdown to begin", func() bool { return strings.Contains(logs.String(), "shutting down") })
	time.Sleep(300 * time.Millisecond)
	if code, _ := get("http://" + addr + "/healthz"); code != 0 {
		t.Errorf("a new request got %d after the signal; new connections should be refused", code)
	}
	tx.Rollback() // the in-flight request may now finish
	select {
	case a := <-answered:
		var r struct {
			Data struct {
				Organizations *struct{ TotalCount int }
			}
			Errors []any
		}
		if a.err != nil || a.status != http.StatusOK || json.Unmarshal([]byte(a.body), &r) != nil || r.Data.Organizations == nil || len(r.Errors) > 0 {
			t.Errorf("in-flight request ended with %d %q %v", a.status, a.body, a.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the in-flight request never finished")
	}
	awaitStop(t, done, 10*time.Second)
}
