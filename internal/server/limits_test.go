package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/config"
	"github.com/alliance-graph/alliance-graph/internal/database"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/server"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// newLimitedServer starts a test server over the read-only demo database whose
// configuration tweak may adjust (limits, rate, CORS...).
func newLimitedServer(t testing.TB, tweak func(*server.Config)) *testServer {
	t.Helper()
	return startConfiguredServer(t, testDB, tweak)
}

// exchange is one raw HTTP request and its decoded GraphQL answer.
type exchange struct {
	status int
	header http.Header
	raw    []byte
	resp   response
	json   bool // the body is a GraphQL response
}

func (e exchange) code() string {
	if len(e.resp.Errors) == 0 {
		return ""
	}
	c, _ := e.resp.Errors[0].Extensions["code"].(string)
	return c
}

// send sends a request with the given method, content type, body and headers.
func send(t testing.TB, ts *testServer, method, path, contentType string, body io.Reader, header map[string]string) exchange {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	e := exchange{status: res.StatusCode, header: res.Header, raw: raw}
	e.json = json.Unmarshal(raw, &e.resp) == nil && (e.resp.Data != nil || e.resp.Errors != nil)
	e.resp.Status = res.StatusCode
	return e
}

// gql posts a GraphQL request as application/json.
func gql(t testing.TB, ts *testServer, q string, vars map[string]any, header map[string]string) exchange {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	// The GraphQL over HTTP media type, under which a refused document gets a 4xx status
	// (under application/json it gets 200, as the specification allows).
	h := map[string]string{"Accept": "application/graphql-response+json"}
	for k, v := range header {
		h[k] = v
	}
	return send(t, ts, http.MethodPost, "/query", "application/json", bytes.NewReader(body), h)
}

// validationStatus is the status the server gives an ordinary validation error, which
// the limits' refusals must share.
func validationStatus(t *testing.T, ts *testServer) int {
	t.Helper()
	e := gql(t, ts, `{ noSuchField }`, nil, nil)
	if e.status == http.StatusOK || e.status >= 500 {
		t.Fatalf("a validation error got status %d", e.status)
	}
	return e.status
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

func TestDepthLimitRefusesDeeperOperationsNamingLimitAndDepth(t *testing.T) {
	ts := newLimitedServer(t, func(c *server.Config) { c.Limits.MaxDepth = 5 })
	want := validationStatus(t, ts)
	cases := []struct {
		name  string
		query string
		depth int // 0: within the limit
	}{
		{"at the limit", `{ alliance { members(first: 1) { edges { node { role } } } } }`, 0},
		{"one level too deep", `{ alliance { members(first: 1) { edges { node { organization { id } } } } } }`, 6},
		{"through a fragment", `{ alliance { ...M } } fragment M on Alliance { members(first: 1) { edges { node { organization { name { en } } } } } }`, 7},
		{"through an inline fragment", `{ nodes(ids: ["x"]) { ... on Alliance { members(first: 1) { edges { node { organization { id } } } } } } }`, 6},
		{"the deepest sibling counts", `{ skills(first: 1) { totalCount } alliance { members(first: 1) { edges { node { organization { id } } } } } }`, 6},
		{"__typename and introspection do not add depth", `{ alliance { members(first: 1) { edges { node { __typename } } } } __schema { queryType { name } } }`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := ts.statements.Load()
			e := gql(t, ts, c.query, nil, nil)
			if c.depth == 0 {
				if e.code() == "QUERY_TOO_DEEP" {
					t.Fatalf("refused: %+v", e.resp.Errors)
				}
				return
			}
			if e.code() != "QUERY_TOO_DEEP" || len(e.resp.Errors) != 1 {
				t.Fatalf("errors = %+v, want one QUERY_TOO_DEEP", e.resp.Errors)
			}
			ext := e.resp.Errors[0].Extensions
			if num(ext["limit"]) != 5 || num(ext["depth"]) != c.depth || e.resp.Data != nil && string(e.resp.Data) != "null" {
				t.Errorf("extensions = %v, data = %s; want limit 5, depth %d, no data", ext, e.resp.Data, c.depth)
			}
			if !strings.Contains(e.resp.Errors[0].Message, fmt.Sprintf("%d levels", c.depth)) || !strings.Contains(e.resp.Errors[0].Message, "limit of 5") {
				t.Errorf("message %q does not name depth and limit", e.resp.Errors[0].Message)
			}
			if e.status != want {
				t.Errorf("status %d, want %d as for other validation errors", e.status, want)
			}
			if n := ts.statements.Load() - before; n != 0 {
				t.Errorf("%d SQL statements ran for a refused operation", n)
			}
		})
	}
}

// complexityOf asks a server with a limit of 1 for the estimated cost of q.
func complexityOf(t *testing.T, ts *testServer, q string, vars map[string]any) int {
	t.Helper()
	e := gql(t, ts, q, vars, nil)
	if e.code() != "QUERY_TOO_COMPLEX" {
		t.Fatalf("errors = %+v, want QUERY_TOO_COMPLEX", e.resp.Errors)
	}
	return num(e.resp.Errors[0].Extensions["complexity"])
}

func TestComplexityWeightsConnectionsByTheirPageSize(t *testing.T) {
	ts := newLimitedServer(t, func(c *server.Config) { c.Limits.MaxComplexity = 1 })
	ids := []string{relay.ID(relay.TypeSkill, 1), relay.ID(relay.TypeSkill, 2), relay.ID(relay.TypeSkill, 3)}
	// Each field costs 1; a connection's edges count once per item it may return, its
	// totalCount and pageInfo once.
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		// Counting the 48 skills is priced like a nested count (prices.go).
		{"first", `{ skills(first: 7) { totalCount edges { node { id code } } } }`, nil, 1 + 30 + 1 + 7*(1+1+2)},
		{"last", `{ skills(last: 3) { totalCount edges { node { id code } } } }`, nil, 1 + 30 + 1 + 3*(1+1+2)},
		{"no page size: the default page of 20", `{ skills { edges { node { id } } } }`, nil, 1 + 20*(1+1+1)},
		{"page size from a variable", `query($n: Int) { skills(first: $n) { edges { cursor } } }`, map[string]any{"n": 100}, 1 + 100*(1+1)},
		{"pageInfo and totalCount are not multiplied", `{ skills(first: 100) { totalCount pageInfo { hasNextPage endCursor } } }`, nil, 1 + 30 + 1 + (1 + 2)},
		{"nested connections multiply", `{ alliance { members(first: 10) { edges { node { organization { partnerships(first: 5) { edges { node { id } } } } } } } } }`,
			// partnerships 1+5×(edges 1 + node 2) = 16; organization 17, node 18, edge 19
			nil, 1 + (1 + 10*19)},
		{"fragments are costed where they are spread", `{ skills(first: 4) { ...E } } fragment E on SkillConnection { edges { node { id } } }`, nil, 1 + 4*(1+1+1)},
		{"nodes(ids) multiplies by the number of ids", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}, 1 + 3*1},
		{"on an interface only the costliest type counts", `{ organizations(first: 2) { edges { node { id ... on Company { industry size } ... on School { level } } } } }`, nil, 1 + 2*(1+(1+1+2))},
		{"__typename is free", `{ skills(first: 2) { __typename edges { __typename node { __typename id } } } }`, nil, 1 + 2*(1+(1+1))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := complexityOf(t, ts, c.query, c.vars); got != c.want {
				t.Errorf("complexity = %d, want %d", got, c.want)
			}
		})
	}
	t.Run("a connection asking for 100 items costs its children 100 times", func(t *testing.T) {
		q := `query($n: Int) { alliance { members(first: $n) { edges { node { role organization { name { en zh } } } } } } }`
		c1, c100 := complexityOf(t, ts, q, map[string]any{"n": 1}), complexityOf(t, ts, q, map[string]any{"n": 100})
		if c100-c1 != 99*(c1-2) { // c1 = 2 + one edge
			t.Errorf("complexity with 1 item %d, with 100 items %d: an edge's cost is not multiplied by 100", c1, c100)
		}
	})
}

func TestComplexityLimitRefusesCostlyOperationsAndLetsOthersRun(t *testing.T) {
	ts := newLimitedServer(t, func(c *server.Config) { c.Limits.MaxComplexity = 1000 })
	want := validationStatus(t, ts)
	cheap := gql(t, ts, `{ skills(first: 100) { edges { node { id code } } } }`, nil, nil) // 1 + 100 × 4 = 401
	if len(cheap.resp.Errors) > 0 || cheap.status != http.StatusOK {
		t.Fatalf("a query within the limit failed: %d %+v", cheap.status, cheap.resp.Errors)
	}
	before := ts.statements.Load()
	e := gql(t, ts, `{ alliance { members(first: 100) { edges { node { organization { partnerships(first: 100) { edges { node { id } } } } } } } } }`, nil, nil)
	if e.code() != "QUERY_TOO_COMPLEX" || e.status != want {
		t.Fatalf("status %d errors %+v, want %d and QUERY_TOO_COMPLEX", e.status, e.resp.Errors, want)
	}
	ext := e.resp.Errors[0].Extensions
	if num(ext["limit"]) != 1000 || num(ext["complexity"]) <= 1000 || !strings.Contains(e.resp.Errors[0].Message, "limit of 1000") {
		t.Errorf("error %+v does not name the limit and the complexity", e.resp.Errors[0])
	}
	if ts.statements.Load() != before {
		t.Errorf("a refused operation ran %d statements", ts.statements.Load()-before)
	}
}

func TestDefaultLimitsAdmitTheDeepestFrontendQueryAndRefuseFanOuts(t *testing.T) {
	ts := newLimitedServer(t, nil)
	if e := gql(t, ts, deepQuery, map[string]any{"n": 50}, nil); len(e.resp.Errors) > 0 {
		t.Fatalf("the nested query (depth 15) with 50 members was refused: %+v", e.resp.Errors)
	}
	e := gql(t, ts, `{ organizations(first: 100) { edges { node { partnerships(first: 100) { edges { node { participants { organization { resources(first: 100) { edges { node { id } } } } } } } } } } } }`, nil, nil)
	if e.code() != "QUERY_TOO_COMPLEX" {
		t.Fatalf("a fan-out of three pages of 100 got %+v, want QUERY_TOO_COMPLEX", e.resp.Errors)
	}
}

func TestParserTokenLimitRefusesHugeDocuments(t *testing.T) {
	ts := newLimitedServer(t, func(c *server.Config) { c.Limits.MaxTokens = 100 })
	if e := gql(t, ts, `{ skills(first: 1) { edges { node { id } } } }`, nil, nil); len(e.resp.Errors) > 0 {
		t.Fatalf("a small document failed: %+v", e.resp.Errors)
	}
	var b strings.Builder
	b.WriteString("{")
	for i := range 60 {
		fmt.Fprintf(&b, " a%d: __typename", i)
	}
	b.WriteString(" }")
	e := gql(t, ts, b.String(), nil, nil)
	if e.code() != "GRAPHQL_PARSE_FAILED" || !strings.Contains(e.resp.Errors[0].Message, "token limit") || e.status == http.StatusOK || e.status >= 500 {
		t.Fatalf("status %d errors %+v, want a 4xx GRAPHQL_PARSE_FAILED naming the token limit", e.status, e.resp.Errors)
	}
}

func TestBodiesOverTheLimitGet413WithAGraphQLError(t *testing.T) {
	ts := newLimitedServer(t, func(c *server.Config) { c.Limits.MaxBodyBytes = 2048 })
	small := gql(t, ts, `{ skills(first: 1) { totalCount } }`, nil, nil)
	if small.status != http.StatusOK || len(small.resp.Errors) > 0 {
		t.Fatalf("a small request failed: %d %s", small.status, small.raw)
	}
	big, _ := json.Marshal(map[string]any{"query": `{ skills(first: 1) { totalCount } }`, "variables": map[string]any{"pad": strings.Repeat("x", 4096)}})
	cases := []struct {
		name   string
		method string
		path   string
		body   io.Reader
		status int
	}{
		{"declared length", http.MethodPost, "/query", bytes.NewReader(big), http.StatusRequestEntityTooLarge},
		// Without a Content-Length (chunked), the limit applies while reading.
		{"chunked", http.MethodPost, "/query", io.MultiReader(bytes.NewReader(big)), http.StatusRequestEntityTooLarge},
		{"GET query string", http.MethodGet, "/query?query=" + url.QueryEscape(`{ skills(first: 1) { totalCount } }`) + "&pad=" + strings.Repeat("x", 4096), nil, http.StatusRequestURITooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := send(t, ts, c.method, c.path, "application/json", c.body, nil)
			if e.status != c.status || e.code() != "REQUEST_TOO_LARGE" || num(e.resp.Errors[0].Extensions["limit"]) != 2048 {
				t.Fatalf("status %d body %s, want %d with REQUEST_TOO_LARGE naming the limit", e.status, e.raw, c.status)
			}
			if !strings.HasPrefix(e.header.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type %q", e.header.Get("Content-Type"))
			}
		})
	}
}

// blockTable holds an exclusive lock on table until the test ends, so that any
// statement reading it waits: a slow statement on a real resolver path.
func blockTable(t *testing.T, table string) {
	t.Helper()
	tx, err := testDB.DB.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
}

// activeStatements counts the statements the sessions named app are running.
func activeStatements(t *testing.T, app string) int {
	t.Helper()
	return sqlInt(t, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'`, app)
}

func TestTimedOutRequestsCancelTheirStatementsInPostgreSQL(t *testing.T) {
	cases := []struct {
		name             string
		statementTimeout time.Duration // of the pool's sessions
		requestTimeout   time.Duration
	}{
		// The request's context ends first: lib/pq sends PostgreSQL a cancel request.
		{"by the request's context", 0, 300 * time.Millisecond},
		// The sessions' statement_timeout fires first: PostgreSQL stops the statement on
		// its own, as it would if the cancel request were lost.
		{"by the sessions' statement timeout", 300 * time.Millisecond, 20 * time.Second},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := fmt.Sprintf("limits-timeout-%d-%d", i, time.Now().UnixNano())
			u, _ := url.Parse(testDB.URL)
			q := u.Query()
			q.Set("application_name", app)
			u.RawQuery = q.Encode()
			db, err := database.Open(context.Background(), database.WithStatementTimeout(u.String(), c.statementTimeout), false)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ts := newLimitedServer(t, func(cfg *server.Config) {
				cfg.Store = store.New(db, nil)
				cfg.RequestTimeout = c.requestTimeout
			})
			blockTable(t, "skill")
			start := time.Now()
			e := gql(t, ts, `{ skills(first: 5) { edges { node { code } } } }`, nil, nil)
			took := time.Since(start)
			if e.code() != "TIMEOUT" || e.status >= 500 {
				t.Fatalf("status %d errors %+v, want TIMEOUT", e.status, e.resp.Errors)
			}
			if took > 5*time.Second {
				t.Errorf("the answer took %v", took)
			}
			// The lock is still held: the statement is gone only if PostgreSQL cancelled it.
			deadline := time.Now().Add(3 * time.Second)
			for activeStatements(t, app) > 0 {
				if time.Now().After(deadline) {
					t.Fatalf("the statement still runs in PostgreSQL %v after the timeout", time.Since(start))
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

func TestRateLimitAnswers429WithRetryAfterPerClient(t *testing.T) {
	ts := newLimitedServer(t, func(c *server.Config) {
		c.RateLimit = server.RateLimit{Rate: 0.5, Burst: 3, ClientIPHeader: "X-Forwarded-For"}
	})
	q := `{ skills(first: 1) { totalCount } }`
	for i := range 3 {
		if e := gql(t, ts, q, nil, nil); e.status != http.StatusOK {
			t.Fatalf("request %d within the burst: status %d %s", i+1, e.status, e.raw)
		}
	}
	e := gql(t, ts, q, nil, nil)
	retry, err := strconv.Atoi(e.header.Get("Retry-After"))
	if e.status != http.StatusTooManyRequests || e.code() != "RATE_LIMITED" || err != nil || retry < 1 || retry > 2 {
		t.Fatalf("status %d Retry-After %q body %s, want 429, RATE_LIMITED and Retry-After 1-2 s", e.status, e.header.Get("Retry-After"), e.raw)
	}
	if num(e.resp.Errors[0].Extensions["retryAfter"]) != retry {
		t.Errorf("extensions %v do not repeat Retry-After", e.resp.Errors[0].Extensions)
	}

	t.Run("other clients keep their own buckets", func(t *testing.T) {
		// Authenticated requests pay from their subject's bucket, and their address's
		// token is given back: this address's bucket stays full for others.
		from := map[string]string{"X-Forwarded-For": "198.51.100.20"}
		tok := ts.token(t, auth.Viewer{Role: auth.RoleAnalyst, Subject: "analyst-a"})
		withToken := map[string]string{"Authorization": "Bearer " + tok, "X-Forwarded-For": from["X-Forwarded-For"]}
		for i := range 3 {
			if e := gql(t, ts, q, nil, withToken); e.status != http.StatusOK {
				t.Fatalf("a token's request %d: status %d", i+1, e.status)
			}
		}
		if e := gql(t, ts, q, nil, withToken); e.status != http.StatusTooManyRequests {
			t.Fatalf("a token past its burst: status %d", e.status)
		}
		// Another token of the same subject shares the bucket; another subject does not.
		other := ts.token(t, auth.Viewer{Role: auth.RoleAnalyst, Subject: "analyst-b"})
		if e := gql(t, ts, q, nil, map[string]string{"Authorization": "Bearer " + other, "X-Forwarded-For": from["X-Forwarded-For"]}); e.status != http.StatusOK {
			t.Fatalf("another subject: status %d", e.status)
		}
		for i := range 3 {
			if e := gql(t, ts, q, nil, from); e.status != http.StatusOK {
				t.Fatalf("anonymous request %d from the address the tokens came from: status %d, want its whole burst left", i+1, e.status)
			}
		}
		// Before authentication, requests pay from their address's bucket: once it is
		// empty, even a valid token from there waits.
		if e := gql(t, ts, q, nil, map[string]string{"Authorization": "Bearer " + other, "X-Forwarded-For": from["X-Forwarded-For"]}); e.status != http.StatusTooManyRequests {
			t.Fatalf("a token from an address past its burst: status %d, want 429", e.status)
		}
		if e := gql(t, ts, q, nil, map[string]string{"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}); e.status != http.StatusOK {
			t.Fatalf("another address behind the proxy: status %d", e.status)
		}
	})

	t.Run("a WebSocket counts when it connects and for each operation", func(t *testing.T) {
		ws := newLimitedServer(t, func(c *server.Config) { c.RateLimit = server.RateLimit{Rate: 0.01, Burst: 1} })
		c, err := dial(t, ws, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The upgrade took the only token: an operation on the open socket is refused
		// alone, and the socket stays open for later ones.
		for i := range 2 {
			id := strconv.Itoa(i)
			c.send(wsMessage{ID: id, Type: "subscribe", Payload: mustJSON(map[string]any{"query": `{ skills(first: 1) { totalCount } }`})})
			m, err := c.read(5 * time.Second)
			if err != nil || m.Type != "error" || m.ID != id || !strings.Contains(string(m.Payload), "RATE_LIMITED") {
				t.Fatalf("operation %d on the open socket: %s %s %v, want an error with RATE_LIMITED", i, m.Type, m.Payload, err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ws.URL, "http")+"/query", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err == nil || res == nil || res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Fatalf("a second connection attempt: %v %+v, want 429 with Retry-After", err, res)
		}
	})
}

func TestIntrospectionCanBeSwitchedOff(t *testing.T) {
	on := newLimitedServer(t, nil)
	if e := gql(t, on, `{ __schema { queryType { name } } }`, nil, nil); len(e.resp.Errors) > 0 {
		t.Fatalf("introspection is on by default, got %+v", e.resp.Errors)
	}
	off := newLimitedServer(t, func(c *server.Config) { c.DisableIntrospection = true })
	want := validationStatus(t, off)
	for _, q := range []string{
		`{ __schema { queryType { name } } }`,
		`{ __type(name: "Skill") { name } }`,
		`{ skills(first: 1) { totalCount } ...I } fragment I on Query { __schema { types { name } } }`,
	} {
		e := gql(t, off, q, nil, nil)
		if e.code() != "INTROSPECTION_DISABLED" || e.status != want || strings.Contains(string(e.raw), `"types"`) {
			t.Errorf("%s: status %d body %s, want %d INTROSPECTION_DISABLED", q, e.status, e.raw, want)
		}
	}
	if e := gql(t, off, `{ __typename skills(first: 1) { __typename totalCount } }`, nil, nil); len(e.resp.Errors) > 0 {
		t.Errorf("__typename must stay available: %+v", e.resp.Errors)
	}
}

func TestCORSAllowsListedOriginsOnly(t *testing.T) {
	const allowed = "https://app.example.org"
	ts := newLimitedServer(t, func(c *server.Config) { c.CORSOrigins = []string{allowed} })
	preflight := func(origin string) exchange {
		return send(t, ts, http.MethodOptions, "/query", "", nil, map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}) // sorted, lower case, as browsers send it
	}
	p := preflight(allowed)
	if p.status >= 300 || p.header.Get("Access-Control-Allow-Origin") != allowed ||
		!strings.Contains(strings.ToLower(p.header.Get("Access-Control-Allow-Headers")), "authorization") ||
		!strings.Contains(p.header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight from an allowed origin: %d %v", p.status, p.header)
	}
	if p := preflight("https://evil.example.com"); p.header.Get("Access-Control-Allow-Origin") != "" || p.header.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("preflight from another origin got CORS headers: %v", p.header)
	}
	// A refused preflight says which flags admit the origin, with or without an
	// allow-list.
	noList := newLimitedServer(t, nil)
	for name, srv := range map[string]*testServer{"with an allow-list": ts, "without one": noList} {
		p := send(t, srv, http.MethodOptions, "/query", "", nil, map[string]string{"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"})
		if p.status != http.StatusForbidden || p.code() != "ORIGIN_NOT_ALLOWED" || !strings.Contains(string(p.raw), "--cors-origins http://localhost:5173") || !strings.Contains(string(p.raw), "--dev") {
			t.Errorf("%s: a refused preflight got %d %s, want 403 ORIGIN_NOT_ALLOWED naming --cors-origins and --dev", name, p.status, p.raw)
		}
	}
	// Localhost on any port, as --dev adds it.
	dev := newLimitedServer(t, func(c *server.Config) { c.CORSOrigins = config.DevOrigins })
	for _, origin := range []string{"http://localhost:5173", "http://127.0.0.1:3000", "http://[::1]:8081"} {
		p := send(t, dev, http.MethodOptions, "/query", "", nil, map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST"})
		if p.status >= 300 || p.header.Get("Access-Control-Allow-Origin") != origin {
			t.Errorf("--dev: preflight from %s got %d %v", origin, p.status, p.header)
		}
	}
	if p := send(t, dev, http.MethodOptions, "/query", "", nil, map[string]string{"Origin": "https://localhost.evil.example", "Access-Control-Request-Method": "POST"}); p.status != http.StatusForbidden {
		t.Errorf("--dev admitted https://localhost.evil.example: %d", p.status)
	}
	for origin, ok := range map[string]bool{"http://localhost:5173": true, "http://[::1]:8081": true, "http://localhost.evil.example": false} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(dev.URL, "http")+"/query",
			&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: http.Header{"Origin": {origin}}})
		cancel()
		if (err == nil) != ok {
			t.Errorf("--dev: a WebSocket from %s: %v, want accepted %v", origin, err, ok)
		}
		if conn != nil {
			conn.CloseNow()
		}
	}
	q := `{ skills(first: 1) { totalCount } }`
	if e := gql(t, ts, q, nil, map[string]string{"Origin": allowed}); e.header.Get("Access-Control-Allow-Origin") != allowed || !strings.Contains(e.header.Get("Access-Control-Expose-Headers"), "X-Request-Id") {
		t.Errorf("a request from the allowed origin: %v", e.header)
	}
	if e := gql(t, ts, q, nil, map[string]string{"Origin": "https://evil.example.com"}); e.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a request from another origin got %q", e.header.Get("Access-Control-Allow-Origin"))
	}
	none := noList
	if e := gql(t, none, q, nil, map[string]string{"Origin": allowed}); e.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("without an allow-list a cross-origin request got %q", e.header.Get("Access-Control-Allow-Origin"))
	}
	t.Run("WebSockets from other origins are refused", func(t *testing.T) {
		for origin, ok := range map[string]bool{allowed: true, "https://evil.example.com": false} {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/query",
				&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: http.Header{"Origin": {origin}}})
			cancel()
			if ok && err != nil {
				t.Errorf("%s: %v", origin, err)
			}
			if !ok && (err == nil || res == nil || res.StatusCode != http.StatusForbidden) {
				t.Errorf("%s: %v %+v, want 403", origin, err, res)
			}
			if conn != nil {
				conn.CloseNow()
			}
		}
	})
}

// panickyKeys is a key store whose lookups panic: authentication, which runs before
// gqlgen, then panics.
type panickyKeys struct{ *store.Store }

func (panickyKeys) CreateAPIKey(context.Context, store.NewAPIKey) (store.APIKey, error) {
	return store.APIKey{}, nil
}
func (panickyKeys) APIKeyByPrefix(context.Context, string) (store.APIKey, error) {
	panic("key store exploded")
}

func TestPanicsAnywhereBecomeLoggedInternalErrors(t *testing.T) {
	ts := newLimitedServer(t, func(c *server.Config) {
		st := store.New(testDB.DB, func(_ context.Context, q string, _ []any) {
			if strings.Contains(q, "FROM skill") {
				panic("store exploded")
			}
		})
		c.Store = st
		c.Auth = auth.New(auth.Config{Key: testKey}, panickyKeys{st})
	})
	key, _, err := auth.CreateAPIKey(context.Background(), panickyKeys{}, "panic", auth.RoleAnalyst, 0)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		query  string
		header map[string]string
		status int
	}{
		{"in a resolver", `{ skills(first: 2) { edges { node { code } } } }`, nil, http.StatusOK},
		{"in a loader's batch", `{ jobOpenings(first: 3) { edges { node { requiredSkills { skill { code } } } } } }`, nil, http.StatusOK},
		{"before gqlgen, in authentication", `{ __typename }`, map[string]string{"Authorization": "Bearer " + key}, http.StatusInternalServerError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := gql(t, ts, c.query, nil, c.header)
			if e.status != c.status || e.code() != "INTERNAL_SERVER_ERROR" {
				t.Fatalf("status %d body %s, want %d with INTERNAL_SERVER_ERROR", e.status, e.raw, c.status)
			}
			id := e.header.Get("X-Request-Id")
			if rid, _ := e.resp.Errors[0].Extensions["requestId"].(string); rid != id || !strings.Contains(e.resp.Errors[0].Message, id) {
				t.Errorf("error %+v does not quote the request id %s", e.resp.Errors[0], id)
			}
			if strings.Contains(string(e.raw), "exploded") {
				t.Errorf("the panic leaked to the client: %s", e.raw)
			}
			found := false
			for _, line := range strings.Split(ts.logText(), "\n") {
				if strings.Contains(line, id) && strings.Contains(line, "exploded") && strings.Contains(line, "panic") {
					found = true
				}
			}
			if !found {
				t.Errorf("no log line holds the request id %s and the panic:\n%s", id, ts.logText())
			}
		})
	}
	if e := gql(t, ts, `{ alliance { id } }`, nil, nil); e.status != http.StatusOK || len(e.resp.Errors) > 0 {
		t.Fatalf("the server does not serve after the panics: %d %s", e.status, e.raw)
	}
}

func TestRepeatedFieldsAreRefusedBeforeValidation(t *testing.T) {
	ts := newLimitedServer(t, func(c *server.Config) { c.Limits.MaxRepeats = 5 })
	want := validationStatus(t, ts)
	cases := []struct {
		name, query string
		repeats     int // 0: within the limit
	}{
		{"five copies", `{` + strings.Repeat(` alliance { id }`, 5) + ` }`, 0},
		{"many different aliases", `{` + strings.Repeat(` a: alliance { id } b: alliance { id }`, 2) + strings.Repeat(` __typename`, 5) + ` }`, 0},
		{"six copies", `{` + strings.Repeat(` alliance { id }`, 6) + ` }`, 6},
		{"six copies of an alias", `{` + strings.Repeat(` x: alliance { id }`, 6) + ` }`, 6},
		{"copies merged from repeated fields", `{` + strings.Repeat(` alliance { id id }`, 3) + ` }`, 6},
		{"copies merged from inline fragments", `{` + strings.Repeat(` ... on Query { skills(first: 1) { totalCount } }`, 7) + ` }`, 7},
		{"a fragment spread six times", `{` + strings.Repeat(` ...F`, 6) + ` } fragment F on Query { __typename }`, 6},
		{"arguments' input objects are not selections", `{ organizations(first: 1, filter: {districts: ["a", "a", "a", "a", "a", "a"]}) { totalCount } }`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := gql(t, ts, c.query, nil, nil)
			if c.repeats == 0 {
				if len(e.resp.Errors) > 0 {
					t.Fatalf("refused: %+v", e.resp.Errors)
				}
				return
			}
			if e.code() != "QUERY_TOO_WIDE" || e.status != want || num(e.resp.Errors[0].Extensions["repeats"]) != c.repeats || num(e.resp.Errors[0].Extensions["limit"]) != 5 {
				t.Fatalf("status %d body %s, want %d QUERY_TOO_WIDE with %d repeats", e.status, e.raw, want, c.repeats)
			}
		})
	}
}

// Every refusal made before GraphQL runs reads like a GraphQL error: JSON with its
// charset and an extensions.code, never cached, and varying with the credential and the
// origin it was decided for.
func TestRefusalsBeforeGraphQLAreJSONThatVariesWithCredentialAndOrigin(t *testing.T) {
	ts := newLimitedServer(t, func(c *server.Config) {
		c.Limits.MaxBodyBytes = 2048
		c.RateLimit = server.RateLimit{Rate: 0.01, Burst: 1, ClientIPHeader: "X-Forwarded-For"}
	})
	q := `{ __typename }`
	tests := []struct {
		name   string
		send   func() exchange
		status int
		code   string
	}{
		{"a malformed token", func() exchange {
			return gql(t, ts, q, nil, map[string]string{"Authorization": "Bearer not-a-token", "X-Forwarded-For": "10.0.0.1"})
		}, http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"a body over the limit", func() exchange {
			return gql(t, ts, `{ __typename }`+strings.Repeat(" ", 4096), nil, map[string]string{"X-Forwarded-For": "10.0.0.2"})
		}, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE"},
		{"a client over its rate", func() exchange {
			gql(t, ts, q, nil, map[string]string{"X-Forwarded-For": "10.0.0.3"})
			return gql(t, ts, q, nil, map[string]string{"X-Forwarded-For": "10.0.0.3"})
		}, http.StatusTooManyRequests, "RATE_LIMITED"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.send()
			if e.status != tc.status || e.code() != tc.code {
				t.Fatalf("status %d code %q, want %d %s: %s", e.status, e.code(), tc.status, tc.code, e.raw)
			}
			if ct := e.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := e.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
			vary := strings.Join(e.header.Values("Vary"), ",")
			for _, h := range []string{"Authorization", "Origin"} {
				if !strings.Contains(vary, h) {
					t.Errorf("Vary %q lacks %s", vary, h)
				}
			}
		})
	}
}

func TestRefusedWebSocketHandshakesAreOneJSONAnswerLoggedWithTheirStatus(t *testing.T) {
	const allowed = "https://alliance.example.com"
	ts := newLimitedServer(t, func(c *server.Config) { c.CORSOrigins = []string{allowed} })
	handshake := func(change map[string]string) map[string]string {
		h := map[string]string{"Origin": allowed, "Connection": "Upgrade", "Upgrade": "websocket",
			"Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": "graphql-transport-ws"}
		for k, v := range change {
			h[k] = v
		}
		return h
	}
	tests := []struct {
		name    string
		method  string
		header  map[string]string
		status  int
		code    string
		mention string // the message names what to change
		extra   [2]string
	}{
		{"from an origin not on the allow-list", http.MethodGet, handshake(map[string]string{"Origin": "http://localhost:5173"}),
			http.StatusForbidden, "ORIGIN_NOT_ALLOWED", "--cors-origins", [2]string{}},
		{"of another WebSocket version", http.MethodGet, handshake(map[string]string{"Sec-WebSocket-Version": "12"}),
			http.StatusBadRequest, "BAD_REQUEST", "Sec-WebSocket-Version", [2]string{"Sec-WebSocket-Version", "13"}},
		{"without a key", http.MethodGet, handshake(map[string]string{"Sec-WebSocket-Key": "short"}),
			http.StatusBadRequest, "BAD_REQUEST", "Sec-WebSocket-Key", [2]string{}},
		{"asking for another protocol", http.MethodGet, handshake(map[string]string{"Upgrade": "h2c"}),
			http.StatusUpgradeRequired, "BAD_REQUEST", "websocket", [2]string{"Upgrade", "websocket"}},
		{"by POST", http.MethodPost, handshake(nil),
			http.StatusMethodNotAllowed, "BAD_REQUEST", "GET", [2]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := send(t, ts, tc.method, "/query", "", nil, tc.header)
			if e.status != tc.status || e.code() != tc.code {
				t.Fatalf("status %d code %q, want %d %s: %s", e.status, e.code(), tc.status, tc.code, e.raw)
			}
			if len(e.resp.Errors) != 1 || !strings.Contains(e.resp.Errors[0].Message, tc.mention) {
				t.Errorf("the refusal should be one error naming %q: %s", tc.mention, e.raw)
			}
			if ct := e.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if tc.extra[0] != "" && e.header.Get(tc.extra[0]) != tc.extra[1] {
				t.Errorf("%s: %q, want %q", tc.extra[0], e.header.Get(tc.extra[0]), tc.extra[1])
			}
			id := e.header.Get("X-Request-Id")
			var logged []map[string]any
			for _, line := range strings.Split(strings.TrimSpace(ts.logText()), "\n") {
				var entry map[string]any
				if err := json.Unmarshal([]byte(line), &entry); err != nil {
					t.Errorf("a log line is not JSON: %q", line)
					continue
				}
				if entry["request_id"] == id && entry["msg"] == "request" {
					logged = append(logged, entry)
				}
			}
			if len(logged) != 1 || logged[0]["status"] != float64(tc.status) {
				t.Errorf("the request log for %s: %v, want one line with status %d", id, logged, tc.status)
			}
		})
	}
	t.Run("a well-formed handshake still opens the socket", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/query",
			&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: http.Header{"Origin": {allowed}}})
		if err != nil {
			t.Fatal(err)
		}
		conn.CloseNow()
	})
}
