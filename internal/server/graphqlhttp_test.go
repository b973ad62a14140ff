package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/server"
)

// httpResult is a raw answer of the GraphQL endpoint.
type httpResult struct {
	status int
	header http.Header
	body   map[string]json.RawMessage // the decoded top-level object; nil if not JSON
	raw    string
}

func (r httpResult) errorCodes() []string {
	var errs []gqlError
	json.Unmarshal(r.body["errors"], &errs)
	var codes []string
	for _, e := range errs {
		c, _ := e.Extensions["code"].(string)
		codes = append(codes, c)
	}
	return codes
}

func (r httpResult) firstErrorMessage() string {
	var errs []gqlError
	json.Unmarshal(r.body["errors"], &errs)
	if len(errs) == 0 {
		return ""
	}
	return errs[0].Message
}

// send makes one HTTP request to /query; rawQuery is the URL's query string.
func (ts *testServer) send(t testing.TB, method, rawQuery string, header http.Header, body string) httpResult {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	u := ts.URL + "/query"
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s /query: %v", method, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := httpResult{status: res.StatusCode, header: res.Header, raw: string(raw)}
	json.Unmarshal(raw, &r.body)
	return r
}

func jsonBody(v map[string]any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func getQuery(params map[string]string) string {
	v := url.Values{}
	for k, s := range params {
		v.Set(k, s)
	}
	return v.Encode()
}

const (
	graphqlResponse = "application/graphql-response+json"
	legacyJSON      = "application/json"
)

// TestGraphQLOverHTTP encodes the graphql-http audits (github.com/graphql/graphql-http,
// src/audits/server.ts; their ids are quoted) and the rest of the specification's rules
// this server follows: which media type answers, which status code, and whether the
// response has a data entry.
func TestGraphQLOverHTTP(t *testing.T) {
	ts := newStandardsServer(t)
	post := func(accept string) http.Header {
		h := http.Header{"Content-Type": {"application/json"}}
		if accept != "" {
			h.Set("Accept", accept)
		}
		return h
	}
	accept := func(a string) http.Header { return http.Header{"Accept": {a}} }
	typename := jsonBody(map[string]any{"query": "{ __typename }"})
	unknownField := jsonBody(map[string]any{"query": "{ noSuchField8f31403dfe }"})
	coercion := jsonBody(map[string]any{"query": "query CoerceFailure($id: ID!){ __typename }", "variables": map[string]any{"id": nil}})
	tests := []struct {
		name      string
		method    string
		rawQuery  string
		header    http.Header
		body      string
		status    int
		media     string // the Content-Type's media type; "" when not checked
		code      string // an error code the response must carry; "" when it must have no errors
		noData    bool   // the response must have no data entry at all
		allow     string // the Allow header expected
		wantValue string // a string the data must contain
	}{
		// Media types and content negotiation.
		{name: "22EB graphql-response+json when accepted", method: "POST", header: post(graphqlResponse), body: typename, status: 200, media: graphqlResponse, wantValue: "Query"},
		{name: "4655 application/json when accepted", method: "POST", header: post(legacyJSON), body: typename, status: 200, media: legacyJSON, wantValue: "Query"},
		{name: "47DE */* gets application/json", method: "POST", header: post("*/*"), body: typename, status: 200, media: legacyJSON},
		{name: "80D8 no Accept gets application/json", method: "POST", header: post(""), body: typename, status: 200, media: legacyJSON},
		{name: "application/* gets application/json", method: "POST", header: post("application/*"), body: typename, status: 200, media: legacyJSON},
		{name: "Apollo Client 4's Accept prefers graphql-response+json", method: "POST", header: post("application/graphql-response+json,application/json;q=0.9"), body: typename, status: 200, media: graphqlResponse},
		{name: "equal preference goes to graphql-response+json", method: "POST", header: post("application/json, application/graphql-response+json"), body: typename, status: 200, media: graphqlResponse},
		{name: "higher q for application/json wins", method: "POST", header: post("application/graphql-response+json;q=0.5, application/json"), body: typename, status: 200, media: legacyJSON},
		{name: "q=0 excludes application/json", method: "POST", header: post("application/json;q=0, */*;q=0.1"), body: typename, status: 200, media: graphqlResponse},
		{name: "wildcard after an unsupported type", method: "POST", header: post("text/html, */*;q=0.1"), body: typename, status: 200, media: legacyJSON},
		{name: "Accept in several header lines", method: "POST", header: http.Header{"Content-Type": {"application/json"}, "Accept": {"text/html", graphqlResponse}}, body: typename, status: 200, media: graphqlResponse},
		{name: "Accept with charset utf-8", method: "POST", header: post("application/graphql-response+json; charset=utf-8"), body: typename, status: 200, media: graphqlResponse},
		{name: "406 when only other types are acceptable", method: "POST", header: post("text/html"), body: typename, status: 406, code: "NOT_ACCEPTABLE", noData: true},
		{name: "406 when both are refused with q=0", method: "POST", header: post("application/json;q=0, application/graphql-response+json;q=0, */*;q=0"), body: typename, status: 406, code: "NOT_ACCEPTABLE", noData: true},
		{name: "406 for another charset", method: "POST", header: post("application/json; charset=iso-8859-1"), body: typename, status: 406, code: "NOT_ACCEPTABLE"},
		{name: "406 over GET too", method: "GET", rawQuery: getQuery(map[string]string{"query": "{ __typename }"}), header: accept("image/png"), status: 406, code: "NOT_ACCEPTABLE"},

		// Request encodings.
		{name: "BF61 utf-8 request with charset", method: "POST", header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, body: jsonBody(map[string]any{"query": `{ __type(name: "Run🏃Swim🏊") { name } }`}), status: 200},
		{name: "78D5 utf-8 assumed without charset", method: "POST", header: post(""), body: typename, status: 200},
		{name: "415 for another charset", method: "POST", header: http.Header{"Content-Type": {"application/json; charset=latin1"}}, body: typename, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "9ABE 415 without Content-Type", method: "POST", body: typename, status: 415, code: "UNSUPPORTED_MEDIA_TYPE", noData: true},
		{name: "415 for text/plain", method: "POST", header: http.Header{"Content-Type": {"text/plain"}}, body: typename, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "415 for a form", method: "POST", header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, body: "query=%7B__typename%7D", status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "415 for application/graphql", method: "POST", header: http.Header{"Content-Type": {"application/graphql"}}, body: "{ __typename }", status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "415 answers in the negotiated type", method: "POST", header: http.Header{"Content-Type": {"text/plain"}, "Accept": {graphqlResponse}}, body: typename, status: 415, code: "UNSUPPORTED_MEDIA_TYPE", media: graphqlResponse},

		// Malformed requests: 400 under either media type.
		{name: "A5BF 400 without a body", method: "POST", header: post(""), status: 400, code: "BAD_REQUEST", noData: true},
		{name: "BCF8 400 for unparsable JSON (application/json)", method: "POST", header: post(legacyJSON), body: `{ "not a JSON`, status: 400, code: "BAD_REQUEST", noData: true},
		{name: "B7N8 400 for unparsable JSON (graphql-response+json)", method: "POST", header: post(graphqlResponse), body: `{ "not a JSON`, status: 400, code: "BAD_REQUEST", media: graphqlResponse, noData: true},
		{name: "400 for JSON null", method: "POST", header: post(""), body: `null`, status: 400, code: "BAD_REQUEST"},
		{name: "400 for a JSON array", method: "POST", header: post(""), body: `[{"query":"{ __typename }"}]`, status: 400, code: "BAD_REQUEST"},
		{name: "400 for data after the object", method: "POST", header: post(""), body: typename + `{}`, status: 400, code: "BAD_REQUEST"},
		{name: "423L 400 without query", method: "POST", header: post(graphqlResponse), body: `{"notquery":"{ __typename }"}`, status: 400, code: "BAD_REQUEST", noData: true},
		{name: "3E3A 400 for a misspelt query (application/json)", method: "POST", header: post(""), body: `{"qeury":"{ __typename }"}`, status: 400, code: "BAD_REQUEST"},
		{name: "400 for an empty query", method: "POST", header: post(""), body: `{"query":""}`, status: 400, code: "BAD_REQUEST"},
		{name: "LKJ0 400 for an object query", method: "POST", header: post(""), body: `{"query":{"obj":"ect"}}`, status: 400, code: "BAD_REQUEST"},
		{name: "LKJ1 400 for a number query", method: "POST", header: post(""), body: `{"query":0}`, status: 400, code: "BAD_REQUEST"},
		{name: "LKJ2 400 for a boolean query", method: "POST", header: post(""), body: `{"query":false}`, status: 400, code: "BAD_REQUEST"},
		{name: "LKJ3 400 for an array query", method: "POST", header: post(""), body: `{"query":["array"]}`, status: 400, code: "BAD_REQUEST"},
		{name: "6C00 400 for an object operationName", method: "POST", header: post(""), body: `{"query":"{ __typename }","operationName":{"obj":"ect"}}`, status: 400, code: "BAD_REQUEST"},
		{name: "6C01 400 for a number operationName", method: "POST", header: post(""), body: `{"query":"{ __typename }","operationName":0}`, status: 400, code: "BAD_REQUEST"},
		{name: "4760 400 for string variables", method: "POST", header: post(""), body: `{"query":"{ __typename }","variables":"string"}`, status: 400, code: "BAD_REQUEST"},
		{name: "4761 400 for number variables", method: "POST", header: post(""), body: `{"query":"{ __typename }","variables":0}`, status: 400, code: "BAD_REQUEST"},
		{name: "4762 400 for boolean variables", method: "POST", header: post(""), body: `{"query":"{ __typename }","variables":false}`, status: 400, code: "BAD_REQUEST"},
		{name: "4763 400 for array variables", method: "POST", header: post(""), body: `{"query":"{ __typename }","variables":["array"]}`, status: 400, code: "BAD_REQUEST"},
		{name: "58B0 400 for string extensions", method: "POST", header: post(""), body: `{"query":"{ __typename }","extensions":"string"}`, status: 400, code: "BAD_REQUEST"},
		{name: "58B3 400 for array extensions", method: "POST", header: post(""), body: `{"query":"{ __typename }","extensions":["array"]}`, status: 400, code: "BAD_REQUEST"},

		// Well-formed parameters.
		{name: "34A2 string query (graphql-response+json)", method: "POST", header: post(graphqlResponse), body: typename, status: 200},
		{name: "8161 operationName (graphql-response+json)", method: "POST", header: post(graphqlResponse), body: `{"query":"query A { a: __typename } query Query { __typename }","operationName":"Query"}`, status: 200, wantValue: `"__typename":"Query"`},
		{name: "B8B3 operationName (application/json)", method: "POST", header: post(legacyJSON), body: `{"query":"query A { a: __typename } query Query { __typename }","operationName":"Query"}`, status: 200, wantValue: `"__typename":"Query"`},
		{name: "94B0 0220 null variables", method: "POST", header: post(graphqlResponse), body: `{"query":"{ __typename }","variables":null}`, status: 200},
		{name: "94B1 0221 null operationName", method: "POST", header: post(legacyJSON), body: `{"query":"{ __typename }","operationName":null}`, status: 200},
		{name: "94B2 0222 null extensions", method: "POST", header: post(graphqlResponse), body: `{"query":"{ __typename }","extensions":null}`, status: 200},
		{name: "2EA1 28B9 map variables", method: "POST", header: post(graphqlResponse), body: `{"query":"query Type($name: String!) { __type(name: $name) { name } }","variables":{"name":"Skill"}}`, status: 200, wantValue: `"name":"Skill"`},
		{name: "428F 1B7A map extensions", method: "POST", header: post(legacyJSON), body: `{"query":"{ __typename }","extensions":{"some":"value"}}`, status: 200},

		// GraphQL request errors: 200 under application/json, 400 and no data under
		// application/graphql-response+json.
		{name: "572B parse error (application/json)", method: "POST", header: post(legacyJSON), body: `{"query":"{"}`, status: 200, code: "GRAPHQL_PARSE_FAILED"},
		{name: "556A D586 parse error (graphql-response+json)", method: "POST", header: post(graphqlResponse), body: `{"query":"{"}`, status: 400, code: "GRAPHQL_PARSE_FAILED", noData: true},
		{name: "FDE2 validation error (application/json)", method: "POST", header: post(legacyJSON), body: unknownField, status: 200, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "74FF 5E5B validation error (graphql-response+json)", method: "POST", header: post(graphqlResponse), body: unknownField, status: 400, code: "GRAPHQL_VALIDATION_FAILED", noData: true},
		{name: "7B9B variable coercion (application/json)", method: "POST", header: post(legacyJSON), body: coercion, status: 200, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "86EE variable coercion (graphql-response+json)", method: "POST", header: post(graphqlResponse), body: coercion, status: 400, code: "GRAPHQL_VALIDATION_FAILED", noData: true},
		{name: "unknown operationName (graphql-response+json)", method: "POST", header: post(graphqlResponse), body: `{"query":"query A { __typename }","operationName":"B"}`, status: 400, noData: true, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "several operations without a name (graphql-response+json)", method: "POST", header: post(graphqlResponse), body: `{"query":"query A { __typename } query B { __typename }"}`, status: 400, noData: true, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "field error after execution keeps 200 (graphql-response+json)", method: "POST", header: post(graphqlResponse), body: `{"query":"{ t: __typename node(id: \"not-an-id\") { id } }"}`, status: 200, code: "BAD_USER_INPUT", wantValue: `"t":"Query"`},

		// GET.
		{name: "5A70 GET query", method: "GET", rawQuery: getQuery(map[string]string{"query": "{ __typename }"}), status: 200, media: legacyJSON, wantValue: "Query"},
		{name: "D6D5 GET variables (graphql-response+json)", method: "GET", rawQuery: getQuery(map[string]string{"query": "query Type($name: String!) { __type(name: $name) { name } }", "variables": `{"name":"Skill"}`}), header: accept(graphqlResponse), status: 200, media: graphqlResponse, wantValue: `"name":"Skill"`},
		{name: "6A70 GET variables (application/json)", method: "GET", rawQuery: getQuery(map[string]string{"query": "query Type($name: String!) { __type(name: $name) { name } }", "variables": `{"name":"Skill"}`}), header: accept(legacyJSON), status: 200, wantValue: `"name":"Skill"`},
		{name: "GET operationName and extensions", method: "GET", rawQuery: getQuery(map[string]string{"query": "query A { a: __typename } query B { __typename }", "operationName": "B", "extensions": `{"some":"value"}`}), status: 200, wantValue: `"__typename":"Query"`},
		{name: "GET variables that are not JSON", method: "GET", rawQuery: getQuery(map[string]string{"query": "{ __typename }", "variables": `{name:`}), status: 400, code: "BAD_REQUEST"},
		{name: "GET variables that are an array", method: "GET", rawQuery: getQuery(map[string]string{"query": "{ __typename }", "variables": `[1]`}), status: 400, code: "BAD_REQUEST"},
		{name: "GET extensions that are not JSON", method: "GET", rawQuery: getQuery(map[string]string{"query": "{ __typename }", "extensions": `nope`}), header: accept(graphqlResponse), status: 400, code: "BAD_REQUEST"},
		{name: "GET without query", method: "GET", status: 400, code: "BAD_REQUEST", noData: true},
		{name: "GET with a broken query string", method: "GET", rawQuery: "query=%zz", status: 400, code: "BAD_REQUEST"},
		{name: "GET parse error (graphql-response+json)", method: "GET", rawQuery: getQuery(map[string]string{"query": "{"}), header: accept(graphqlResponse), status: 400, code: "GRAPHQL_PARSE_FAILED", noData: true},
		{name: "9C48 GET mutation refused with 405", method: "GET", rawQuery: getQuery(map[string]string{"query": "mutation { __typename }"}), header: accept(graphqlResponse), status: 405, code: "METHOD_NOT_ALLOWED", allow: "POST", noData: true},
		{name: "GET mutation refused under application/json too", method: "GET", rawQuery: getQuery(map[string]string{"query": "mutation { __typename }"}), status: 405, code: "METHOD_NOT_ALLOWED", allow: "POST", media: legacyJSON},
		{name: "GET picks the mutation by operationName", method: "GET", rawQuery: getQuery(map[string]string{"query": "query Q { __typename } mutation M { __typename }", "operationName": "M"}), status: 405, code: "METHOD_NOT_ALLOWED", allow: "POST"},
		{name: "GET subscription refused with 405", method: "GET", rawQuery: getQuery(map[string]string{"query": "subscription { events { cursor } }"}), status: 405, code: "METHOD_NOT_ALLOWED", allow: "POST"},
		{name: "POST mutation runs", method: "POST", header: post(graphqlResponse), body: `{"query":"mutation { __typename }"}`, status: 200, wantValue: "Mutation"},
		{name: "plain POST subscription points to WebSocket and SSE", method: "POST", header: post(graphqlResponse), body: `{"query":"subscription { events { cursor } }"}`, status: 400, code: "BAD_REQUEST", noData: true},

		// Other methods.
		{name: "PUT refused with 405", method: "PUT", header: post(""), body: typename, status: 405, code: "METHOD_NOT_ALLOWED", allow: "GET, POST, OPTIONS"},
		{name: "DELETE refused with 405", method: "DELETE", status: 405, code: "METHOD_NOT_ALLOWED", allow: "GET, POST, OPTIONS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.send(t, tt.method, tt.rawQuery, tt.header, tt.body)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d; body %s", r.status, tt.status, r.raw)
			}
			ct := r.header.Get("Content-Type")
			if !strings.HasSuffix(ct, "; charset=utf-8") {
				t.Errorf("Content-Type %q does not say utf-8", ct)
			}
			if tt.media != "" && !strings.HasPrefix(ct, tt.media+";") {
				t.Errorf("Content-Type = %q, want %s", ct, tt.media)
			}
			if r.body == nil {
				t.Fatalf("body is not a JSON object: %q", r.raw)
			}
			codes := r.errorCodes()
			switch {
			case tt.code == "" && len(codes) > 0:
				t.Errorf("errors %s, want none", r.body["errors"])
			case tt.code != "" && !containsString(codes, tt.code):
				t.Errorf("error codes %v, want %s; body %s", codes, tt.code, r.raw)
			}
			if _, has := r.body["data"]; tt.noData && has {
				t.Errorf("the response has a data entry: %s", r.raw)
			}
			if tt.allow != "" && r.header.Get("Allow") != tt.allow {
				t.Errorf("Allow = %q, want %q", r.header.Get("Allow"), tt.allow)
			}
			if tt.wantValue != "" && !strings.Contains(string(r.body["data"]), tt.wantValue) {
				t.Errorf("data %s lacks %s", r.body["data"], tt.wantValue)
			}
			if tt.status == 200 && tt.code == "" && !strings.Contains(r.header.Get("Vary"), "Accept") {
				t.Errorf("Vary = %q; a response chosen by Accept must say so to caches", r.header.Get("Vary"))
			}
		})
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func newStandardsServer(t testing.TB) *testServer {
	t.Helper()
	return startConfiguredServer(t, testDB, nil)
}

// TestMutationOverGETWritesNothing: an ADMIN allowed to create a skill still cannot do it
// over GET; the refusal names POST and nothing reaches the database.
func TestMutationOverGETWritesNothing(t *testing.T) {
	ts := startConfiguredServer(t, writeDB, nil)
	q := getQuery(map[string]string{"query": `mutation { createSkill(input: {code: "GET.Y", name: {en: "y", zh: "y"}, category: GENERAL}) { skill { id } } }`})
	for _, a := range []string{graphqlResponse, legacyJSON} {
		r := ts.send(t, "GET", q, http.Header{"Accept": {a}, "Authorization": {"Bearer " + ts.token(t, admin)}}, "")
		if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "POST" {
			t.Errorf("Accept %s: status %d Allow %q, want 405 and POST; %s", a, r.status, r.header.Get("Allow"), r.raw)
		}
	}
	if n := ts.sqlInt(t, "SELECT count(*) FROM skill WHERE code = 'GET.Y'"); n != 0 {
		t.Error("the mutation sent over GET wrote a skill")
	}
}

// TestPagesCanBeSwitchedOff: the playground is served at / and the dashboard at
// /dashboard by default, each not at all when switched off (their assets neither when
// both are), while the endpoint keeps working.
func TestPagesCanBeSwitchedOff(t *testing.T) {
	for _, tc := range []struct{ noPlayground, noDashboard bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		ts := startConfiguredServer(t, testDB, func(c *server.Config) { c.NoPlayground, c.NoDashboard = tc.noPlayground, tc.noDashboard })
		for _, page := range []struct {
			path, script string
			off          bool
		}{{"/", "/assets/playground.js", tc.noPlayground}, {"/dashboard", "/assets/dashboard.js", tc.noDashboard}} {
			res, err := http.Get(ts.URL + page.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			html := strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && strings.Contains(string(body), page.script)
			switch {
			case !page.off && (res.StatusCode != http.StatusOK || !html):
				t.Errorf("%+v: GET %s = %d %s, want the HTML page", tc, page.path, res.StatusCode, res.Header.Get("Content-Type"))
			case page.off && (res.StatusCode != http.StatusNotFound || html):
				t.Errorf("%+v: GET %s = %d %s, want 404", tc, page.path, res.StatusCode, res.Header.Get("Content-Type"))
			}
		}
		res, err := http.Get(ts.URL + "/assets/licenses.txt")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if want := map[bool]int{false: http.StatusOK, true: http.StatusNotFound}[tc.noPlayground && tc.noDashboard]; res.StatusCode != want {
			t.Errorf("%+v: GET /assets/licenses.txt = %d, want %d", tc, res.StatusCode, want)
		}
		if r := ts.send(t, "POST", "", http.Header{"Content-Type": {"application/json"}}, `{"query":"{ __typename }"}`); r.status != http.StatusOK {
			t.Errorf("%+v: the endpoint answered %d", tc, r.status)
		}
	}
}

// Queries and mutations answer JSON whatever else Accept lists (urql lists an event
// stream with every operation); only subscriptions stream, and a client that accepts
// nothing but an event stream (graphql-sse) gets one for any operation.
func TestOnlySubscriptionsStreamWhateverAcceptAlsoLists(t *testing.T) {
	ts := newWriteServer(t)
	const urql = "application/graphql-response+json, application/json, text/event-stream"
	post := func(body map[string]any, accept string) exchange {
		b, _ := json.Marshal(body)
		return send(t, ts, http.MethodPost, "/query", "application/json", bytes.NewReader(b), map[string]string{"Accept": accept})
	}
	// A persisted query registered once (APQ), then sent by its hash alone.
	q := `{ skills(first: 1) { totalCount } }`
	hash := fmt.Sprintf("%x", sha256.Sum256([]byte(q)))
	apq := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
	if e := post(map[string]any{"query": q, "extensions": apq}, "application/json"); e.status != http.StatusOK {
		t.Fatalf("registering the persisted query: %d %s", e.status, e.raw)
	}
	tests := []struct {
		name   string
		body   map[string]any
		accept string
		status int
		media  string
	}{
		{"a query", map[string]any{"query": q}, urql, http.StatusOK, graphqlResponse},
		{"a query named among several", map[string]any{"query": "query A " + q + " subscription B { events { cursor } }", "operationName": "A"}, urql, http.StatusOK, graphqlResponse},
		{"an invalid query is a request error, not a stream", map[string]any{"query": `{ noSuchField }`}, urql, http.StatusBadRequest, graphqlResponse},
		{"a malformed query", map[string]any{"query": `{ skills(`}, urql, http.StatusBadRequest, graphqlResponse},
		{"a mutation", map[string]any{"query": `mutation { createSkill(input: {code: "NEG.X", name: {en: "x", zh: "x"}, category: GENERAL}) { skill { id } } }`}, urql, http.StatusOK, graphqlResponse},
		{"a persisted query by its hash", map[string]any{"extensions": apq}, urql, http.StatusOK, graphqlResponse},
		{"JSON preferred by order", map[string]any{"query": q}, "application/json, text/event-stream", http.StatusOK, "application/json"},
		{"an event stream alone streams even a query", map[string]any{"query": q}, "text/event-stream", http.StatusOK, "text/event-stream"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := post(tc.body, tc.accept)
			if e.status != tc.status || !strings.HasPrefix(e.header.Get("Content-Type"), tc.media) {
				t.Fatalf("status %d %s, want %d %s: %s", e.status, e.header.Get("Content-Type"), tc.status, tc.media, e.raw)
			}
		})
	}
	// A subscription streams under the same Accept; its headers are enough to tell.
	for name, body := range map[string]map[string]any{
		"a subscription":                    {"query": `subscription { events { cursor } }`},
		"a subscription named among others": {"query": `query A { __typename } subscription B { events { cursor } }`, "operationName": "B"},
	} {
		t.Run(name, func(t *testing.T) {
			b, _ := json.Marshal(body)
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/query", bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", urql)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/event-stream") {
				t.Fatalf("status %d Content-Type %q, want a stream", res.StatusCode, ct)
			}
		})
	}
}
