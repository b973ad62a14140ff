package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/database"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/metrics"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/server"
)

// scrape reads the metrics as Prometheus would, into "name{labels}" -> value.
func scrape(t *testing.T, m *metrics.Metrics) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	out := map[string]float64{}
	sc := bufio.NewScanner(rec.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// meteredServer is a test server over the read-only database with metrics.
func meteredServer(t *testing.T, oneStatement bool) (*testServer, *metrics.Metrics, *atomic.Int64) {
	t.Helper()
	m := metrics.New(metrics.Options{MaxOperations: 3})
	var open atomic.Int64
	ts := startConfiguredServer(t, testDB, func(c *server.Config) {
		c.Metrics, c.OpenStreams, c.OneStatement = m, &open, oneStatement
	})
	return ts, m, &open
}

// requestLogs returns the request log lines, decoded.
func requestLogs(t *testing.T, ts *testServer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(ts.logText()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		if rec["msg"] == "request" {
			out = append(out, rec)
		}
	}
	return out
}

func TestTheRequestLogNamesTheOperationItsStatementsAndErrorCodes(t *testing.T) {
	ts, _, _ := meteredServer(t, true)
	tests := []struct {
		name       string
		query      string
		operation  string
		codes      []string
		statements int
		// oneStatement is how many operations graph.OneStatement answered.
		oneStatement int
	}{
		{"named query", `query Directory { organizations(first: 3) { totalCount edges { node { id } } } }`, "Directory", nil, 1, 1},
		{"unnamed query", `{ organizations(first: 1) { edges { node { id } } } }`, "anonymous", nil, 1, 1},
		{"computed fields take the executor", `query Ranks { rankings(first: 2) { edges { node { id } } } }`, "Ranks", nil, -1, 0},
		{"deep read in one statement", `query Members { alliance { members(first: 3) { edges { node { organization { name { en } } } } } } }`, "Members", nil, 1, 1},
		{"bad argument", `query TooMany { organizations(first: 1000) { totalCount } }`, "TooMany", []string{"BAD_USER_INPUT"}, 0, 0},
		{"unknown id and bad argument", `query Two { node(id: "` + relay.ID(relay.TypeOrganization, 9999999) + `") { id } organizations(first: -1) { totalCount } }`, "Two", []string{"BAD_USER_INPUT", "NOT_FOUND"}, -1, 0},
		{"unparsable", `query Broken {`, "", []string{"GRAPHQL_PARSE_FAILED"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts.logMu.Lock()
			ts.logs.Reset()
			ts.logMu.Unlock()
			ts.query(t, tt.query, nil)
			logs := requestLogs(t, ts)
			if len(logs) != 1 {
				t.Fatalf("%d request log lines, want 1", len(logs))
			}
			rec := logs[0]
			if rec["operation"] != tt.operation {
				t.Errorf("operation %q, want %q", rec["operation"], tt.operation)
			}
			var codes []string
			for _, c := range rec["error_codes"].([]any) {
				codes = append(codes, c.(string))
			}
			if strings.Join(sortedCopy(codes), ",") != strings.Join(tt.codes, ",") {
				t.Errorf("error_codes %v, want %v", codes, tt.codes)
			}
			if tt.statements >= 0 && rec["sql_statements"] != float64(tt.statements) {
				t.Errorf("sql_statements %v, want %d", rec["sql_statements"], tt.statements)
			}
			if rec["one_statement_answers"] != float64(tt.oneStatement) {
				t.Errorf("one_statement_answers %v, want %d", rec["one_statement_answers"], tt.oneStatement)
			}
			if id, _ := rec["request_id"].(string); len(id) < 8 {
				t.Errorf("request_id %q", id)
			}
			if d, _ := rec["duration"].(float64); d <= 0 {
				t.Errorf("duration %v", rec["duration"])
			}
		})
	}
}

func sortedCopy(s []string) []string {
	out := append([]string{}, s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestMetricsCountOperationsErrorsBatchesPoolAndStreams(t *testing.T) {
	// The loaders' metrics are counted on the executor's way: one statement would answer
	// the nested page below without them.
	ts, m, open := meteredServer(t, false)
	before := scrape(t, m)
	// Ten organizations, each with a nested page of partnerships: one batch of ten keys.
	ts.query(t, `query Nested { organizations(first: 10) { edges { node { partnerships(first: 2) { edges { node { id } } } } } } }`, nil)
	for range 2 {
		ts.query(t, `query Directory { organizations(first: 1) { totalCount } }`, nil)
	}
	ts.query(t, `{ organizations(first: 1) { totalCount } }`, nil)
	ts.query(t, `query Broken {`, nil)
	ts.query(t, `query Bad { organizations(first: 1000) { totalCount } }`, nil)
	// MaxOperations is 3 here: Nested, Directory and Bad take the names; later ones
	// share "other", however many there are.
	for _, name := range []string{"Extra1", "Extra2", "Extra3"} {
		ts.query(t, `query `+name+` { organizations(first: 1) { totalCount } }`, nil)
	}
	got := scrape(t, m)
	for series, want := range map[string]float64{
		`alliance_graphql_request_duration_seconds_count{operation="Nested"}`:    1,
		`alliance_graphql_request_duration_seconds_count{operation="Directory"}`: 2,
		`alliance_graphql_request_duration_seconds_count{operation="anonymous"}`: 1,
		`alliance_graphql_request_duration_seconds_count{operation="invalid"}`:   1,
		`alliance_graphql_request_duration_seconds_count{operation="Bad"}`:       1,
		`alliance_graphql_request_duration_seconds_count{operation="other"}`:     3,
		`alliance_graphql_errors_total{code="BAD_USER_INPUT"}`:                   1,
		`alliance_graphql_errors_total{code="GRAPHQL_PARSE_FAILED"}`:             1,
		`alliance_loader_batch_size_sum`:                                         10,
		`alliance_loader_batch_size_count`:                                       1,
		`alliance_graphql_active_subscriptions`:                                  0,
	} {
		if got[series]-before[series] != want {
			t.Errorf("%s rose by %v, want %v", series, got[series]-before[series], want)
		}
	}
	for series := range got {
		if strings.Contains(series, "Extra") {
			t.Errorf("series %s: names past the cap must count as other", series)
		}
	}
	stats := testDB.DB.Stats()
	if got[`go_sql_max_open_connections{db_name="primary"}`] != float64(stats.MaxOpenConnections) {
		t.Errorf("pool max open %v, want %d", got[`go_sql_max_open_connections{db_name="primary"}`], stats.MaxOpenConnections)
	}
	for _, series := range []string{`go_sql_open_connections{db_name="primary"}`, `go_sql_in_use_connections{db_name="primary"}`,
		`go_sql_idle_connections{db_name="primary"}`, `go_sql_wait_count_total{db_name="primary"}`, `go_sql_wait_duration_seconds_total{db_name="primary"}`} {
		if _, ok := got[series]; !ok {
			t.Errorf("no %s", series)
		}
	}
	open.Store(2) // as the subscription resolvers count their streams
	if v := scrape(t, m)[`alliance_graphql_active_subscriptions`]; v != 2 {
		t.Errorf("active subscriptions %v with 2 open streams", v)
	}
}

func TestReadyzListsItsChecksAndHealthzIsAlwaysUp(t *testing.T) {
	ready := replica(t, "readyz")
	res, err := http.Get(ready.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Status string
		Checks []struct {
			Name   string
			OK     bool
			Detail string
		}
	}
	json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || body.Status != "ready" || len(body.Checks) != 3 {
		t.Fatalf("readyz %d %+v, want 200 ready with database, migrations and listener", res.StatusCode, body)
	}
	for _, c := range body.Checks {
		if !c.OK {
			t.Errorf("check %+v failed on a healthy replica", c)
		}
	}

	// A database one migration behind the binary is not ready, though reachable.
	ctx := context.Background()
	behind := pgtest.New(t, "behind")
	if err := database.MigrateDown(ctx, behind.DB.DB); err != nil {
		t.Fatal(err)
	}
	current, latest, err := database.MigrationVersions(ctx, behind.DB.DB)
	if err != nil || current >= latest {
		t.Fatalf("versions %d of %d, %v", current, latest, err)
	}
	ts := startServer(t, behind, loader.DefaultTiming)
	res, err = http.Get(ts.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	wantDetail := "schema at version " + strconv.FormatInt(current, 10) + ", this binary needs " + strconv.FormatInt(latest, 10)
	if res.StatusCode != http.StatusServiceUnavailable || body.Status != "unavailable" || len(body.Checks) != 2 ||
		!body.Checks[0].OK || body.Checks[1].OK || body.Checks[1].Detail != wantDetail {
		t.Errorf("readyz over a database behind: %d %+v, want 503 with migrations failing: %q", res.StatusCode, body, wantDetail)
	}
	res, err = http.Get(ts.URL + "/healthz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("healthz %v %v, want 200 whatever the database", res, err)
	}
}

func TestRefusalsMadeBeforeGraphQLRunsAreLoggedAndCounted(t *testing.T) {
	m := metrics.New(metrics.Options{MaxOperations: 3})
	ts := startConfiguredServer(t, testDB, func(c *server.Config) {
		c.Metrics = m
		c.RateLimit = server.RateLimit{Rate: 0.001, Burst: 2}
		c.Limits.MaxBodyBytes = 512
	})
	post := func(contentType, body string, header map[string]string) int {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/query", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	query := `{"query":"{ __typename }"}`
	tests := []struct {
		name   string
		send   func() int
		status int
		code   string
	}{
		// A refused credential spends its address's rate (one of two), as does the
		// unsupported media type; the body limit comes before both.
		{"refused token", func() int {
			return post("application/json", query, map[string]string{"Authorization": "Bearer not-a-token"})
		}, 401, "UNAUTHENTICATED"},
		{"body over the limit", func() int { return post("application/json", `{"query":"`+strings.Repeat("x", 600)+`"}`, nil) }, 413, "REQUEST_TOO_LARGE"},
		{"unsupported media type", func() int { return post("text/plain", query, nil) }, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"rate limited", func() int { return post("application/json", query, nil) }, 429, "RATE_LIMITED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts.logMu.Lock()
			ts.logs.Reset()
			ts.logMu.Unlock()
			before := scrape(t, m)
			if got := tt.send(); got != tt.status {
				t.Fatalf("status %d, want %d", got, tt.status)
			}
			series := `alliance_graphql_errors_total{code="` + tt.code + `"}`
			if d := scrape(t, m)[series] - before[series]; d != 1 {
				t.Errorf("%s rose by %v, want 1", series, d)
			}
			logs := requestLogs(t, ts)
			if len(logs) != 1 || fmt.Sprint(logs[0]["error_codes"]) != "["+tt.code+"]" {
				t.Errorf("request log %v, want error_codes [%s]", logs, tt.code)
			}
		})
	}
}
