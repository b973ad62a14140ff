package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/server"
)

func sha(q string) string {
	s := sha256.Sum256([]byte(q))
	return hex.EncodeToString(s[:])
}

// apq sends an Apollo-style request: the hash always, the query only when given, over
// POST or (as useGETForHashedQueries does) GET.
func (ts *testServer) apq(t *testing.T, method, accept, hash, query string, vars map[string]any, header http.Header) httpResult {
	t.Helper()
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
	h := http.Header{"Accept": {accept}}
	for k, v := range header {
		h[k] = v
	}
	if method == http.MethodGet {
		e, _ := json.Marshal(ext)
		params := map[string]string{"extensions": string(e)}
		if query != "" {
			params["query"] = query
		}
		if vars != nil {
			v, _ := json.Marshal(vars)
			params["variables"] = string(v)
		}
		return ts.send(t, method, getQuery(params), h, "")
	}
	body := map[string]any{"extensions": ext, "variables": vars}
	if query != "" {
		body["query"] = query
	}
	h.Set("Content-Type", "application/json")
	return ts.send(t, method, "", h, jsonBody(body))
}

// mustData fails unless r executed without errors, and returns its data.
func mustData(t *testing.T, r httpResult) string {
	t.Helper()
	if r.status != http.StatusOK || len(r.errorCodes()) > 0 || r.body["data"] == nil {
		t.Fatalf("status %d, body %s; want data without errors", r.status, r.raw)
	}
	return string(r.body["data"])
}

// mustRefuse fails unless r carries code, with the status the media type calls for.
func mustRefuse(t *testing.T, r httpResult, status int, code string) {
	t.Helper()
	if r.status != status || !containsString(r.errorCodes(), code) {
		t.Fatalf("status %d, body %s; want %d and %s", r.status, r.raw, status, code)
	}
	if _, has := r.body["data"]; has {
		t.Errorf("a refused request has a data entry: %s", r.raw)
	}
}

// TestAutomaticPersistedQueriesRoundTrip follows Apollo's persisted-query link: the hash
// alone first (PersistedQueryNotFound, by message and code, which makes the link resend),
// then hash and query (registered, answered), then the hash alone again (answered from
// the cache), over POST and over GET (useGETForHashedQueries), under both media types.
func TestAutomaticPersistedQueriesRoundTrip(t *testing.T) {
	ts := newStandardsServer(t)
	want := sqlInt(t, "SELECT count(*) FROM skill")
	for _, c := range []struct {
		name                string
		first, register     string // methods
		accept              string
		notFoundStatus      int
		variablesChangeHash bool
	}{
		{"POST, application/json", http.MethodPost, http.MethodPost, legacyJSON, http.StatusOK, false},
		{"POST, graphql-response+json", http.MethodPost, http.MethodPost, graphqlResponse, http.StatusBadRequest, false},
		{"GET hash, POST registration (Apollo's retry)", http.MethodGet, http.MethodPost, legacyJSON, http.StatusOK, false},
		{"GET hash, GET registration", http.MethodGet, http.MethodGet, graphqlResponse, http.StatusBadRequest, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Each case its own query, so that an earlier case's registration cannot help.
			q := `query Skills($n: Int) { skills(first: $n) { totalCount } } # ` + c.name
			h := sha(q)
			vars := map[string]any{"n": 1}
			r := ts.apq(t, c.first, c.accept, h, "", vars, nil)
			mustRefuse(t, r, c.notFoundStatus, "PERSISTED_QUERY_NOT_FOUND")
			if r.firstErrorMessage() != "PersistedQueryNotFound" {
				t.Errorf("message %q; Apollo's link also matches the message PersistedQueryNotFound", r.firstErrorMessage())
			}
			if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "no-cache") {
				t.Errorf("Cache-Control %q: a cache must not keep the not-found answer of a URL that works once registered", cc)
			}
			got := mustData(t, ts.apq(t, c.register, c.accept, h, q, vars, nil))
			for i := range 2 {
				again := mustData(t, ts.apq(t, c.first, c.accept, h, "", vars, nil))
				if again != got {
					t.Errorf("hash-only request %d answered %s, registration %s", i, again, got)
				}
			}
			var out struct{ Skills struct{ TotalCount int } }
			json.Unmarshal([]byte(got), &out)
			if out.Skills.TotalCount != want {
				t.Errorf("totalCount = %d, SQL says %d", out.Skills.TotalCount, want)
			}
			// The hash names the document, not the variables: others run it too.
			mustData(t, ts.apq(t, c.first, c.accept, h, "", map[string]any{"n": 3}, nil))
		})
	}
}

// TestAutomaticPersistedQueriesRefuseBadHashes: a hash that is not the query's registers
// nothing; malformed extensions are malformed requests.
func TestAutomaticPersistedQueriesRefuseBadHashes(t *testing.T) {
	ts := newStandardsServer(t)
	q := `{ skills(first: 1) { totalCount } }`
	other := sha(q + " ")
	for _, accept := range []string{legacyJSON, graphqlResponse} {
		status := map[string]int{legacyJSON: 200, graphqlResponse: 400}[accept]
		r := ts.apq(t, http.MethodPost, accept, other, q, nil, nil)
		mustRefuse(t, r, status, "PERSISTED_QUERY_HASH_MISMATCH")
		if !strings.Contains(r.firstErrorMessage(), "sha256") {
			t.Errorf("mismatch message %q does not explain", r.firstErrorMessage())
		}
		// Nothing was registered under the wrong hash.
		mustRefuse(t, ts.apq(t, http.MethodPost, accept, other, "", nil, nil), status, "PERSISTED_QUERY_NOT_FOUND")
	}
	post := http.Header{"Content-Type": {"application/json"}}
	for _, body := range []string{
		`{"extensions":{"persistedQuery":{"version":2,"sha256Hash":"` + sha(q) + `"}}}`,
		`{"extensions":{"persistedQuery":{"sha256Hash":"` + sha(q) + `"}}}`,
		`{"extensions":{"persistedQuery":{"version":1}}}`,
		`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":42}}}`,
		`{"extensions":{"persistedQuery":"` + sha(q) + `"}}`,
		`{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`,
		`{"documentId":"sha256:` + sha(q) + `","extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + other + `"}}}`,
	} {
		r := ts.send(t, http.MethodPost, "", post, body)
		if r.status != http.StatusBadRequest || !containsString(r.errorCodes(), "BAD_REQUEST") {
			t.Errorf("%s: status %d body %s, want 400 BAD_REQUEST", body, r.status, r.raw)
		}
	}
}

// TestAutomaticPersistedQueriesCacheIsBoundedLRU: with room for two queries, a third
// evicts the least recently used one, which then must be sent again.
func TestAutomaticPersistedQueriesCacheIsBoundedLRU(t *testing.T) {
	ts := startConfiguredServer(t, testDB, func(c *server.Config) { c.APQCacheSize = 2 })
	qa, qb, qc := `{ a: __typename }`, `{ b: __typename }`, `{ c: __typename }`
	register := func(q string) { mustData(t, ts.apq(t, http.MethodPost, legacyJSON, sha(q), q, nil, nil)) }
	known := func(q string) bool {
		r := ts.apq(t, http.MethodPost, legacyJSON, sha(q), "", nil, nil)
		return len(r.errorCodes()) == 0
	}
	register(qa)
	register(qb)
	if !known(qa) { // a is now more recently used than b
		t.Fatal("a was forgotten with room for two")
	}
	register(qc)
	if known(qb) {
		t.Error("b, the least recently used, survived a third registration")
	}
	if !known(qa) || !known(qc) {
		t.Error("a or c, recently used, was evicted instead of b")
	}
}

// TestAutomaticPersistedQueriesCanBeSwitchedOff: Apollo's link stops sending hashes when
// told PERSISTED_QUERY_NOT_SUPPORTED; plain queries still run.
func TestAutomaticPersistedQueriesCanBeSwitchedOff(t *testing.T) {
	ts := startConfiguredServer(t, testDB, func(c *server.Config) { c.APQCacheSize = -1 })
	q := `{ __typename }`
	r := ts.apq(t, http.MethodPost, legacyJSON, sha(q), "", nil, nil)
	mustRefuse(t, r, http.StatusOK, "PERSISTED_QUERY_NOT_SUPPORTED")
	if r.firstErrorMessage() != "PersistedQueryNotSupported" {
		t.Errorf("message %q, want PersistedQueryNotSupported", r.firstErrorMessage())
	}
	mustData(t, ts.send(t, http.MethodPost, "", http.Header{"Content-Type": {"application/json"}}, `{"query":"{ __typename }"}`))
}

// trustedManifest writes a manifest in GraphQL Codegen's format (id -> document) and
// returns its path and documents.
func trustedManifest(t *testing.T) (path string, skills, mutation string) {
	t.Helper()
	skills = "query TrustedSkills($n: Int) { skills(first: $n) { totalCount } }"
	mutation = "mutation TrustedNoop { __typename }"
	docs := map[string]string{sha(skills): skills, "sha256:" + sha(mutation): mutation, "relay-md5-3f2a": "query Relay { __typename }"}
	b, _ := json.Marshal(docs)
	path = filepath.Join(t.TempDir(), "persisted-documents.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, skills, mutation
}

// TestTrustedDocumentsRunOnlyRegisteredOperations: with a manifest, its documents run by
// id (Apollo's extension or documentId, over POST and GET) for anyone, while free-form
// queries, unknown ids and attempts to register new documents are refused, unless the
// viewer's role is one allowed free-form queries.
func TestTrustedDocumentsRunOnlyRegisteredOperations(t *testing.T) {
	path, skills, mutation := trustedManifest(t)
	trusted, err := server.LoadTrustedDocuments(path)
	if err != nil {
		t.Fatal(err)
	}
	ts := startConfiguredServer(t, testDB, func(c *server.Config) {
		c.TrustedDocuments = trusted
		c.FreeFormRoles = []auth.Role{auth.RoleAnalyst}
	})
	want := sqlInt(t, "SELECT count(*) FROM skill")
	post := func(v auth.Viewer, accept string, body map[string]any) httpResult {
		h := http.Header{"Content-Type": {"application/json"}, "Accept": {accept}}
		if !v.Anonymous() {
			h.Set("Authorization", "Bearer "+ts.token(t, v))
		}
		return ts.send(t, http.MethodPost, "", h, jsonBody(body))
	}
	checkSkills := func(t *testing.T, r httpResult) {
		t.Helper()
		var out struct{ Skills struct{ TotalCount int } }
		json.Unmarshal([]byte(mustData(t, r)), &out)
		if out.Skills.TotalCount != want {
			t.Errorf("totalCount %d, SQL says %d", out.Skills.TotalCount, want)
		}
	}
	analyst := auth.Viewer{Role: auth.RoleAnalyst}
	member := auth.Viewer{Role: auth.RoleMember, OrganizationID: 1}
	free := map[string]any{"query": "{ skills(first: 1) { totalCount } }"}

	t.Run("registered documents run by hash, documentId and over GET", func(t *testing.T) {
		checkSkills(t, ts.apq(t, http.MethodPost, graphqlResponse, sha(skills), "", map[string]any{"n": 2}, nil))
		checkSkills(t, post(auth.Viewer{}, legacyJSON, map[string]any{"documentId": "sha256:" + sha(skills)}))
		checkSkills(t, post(auth.Viewer{}, legacyJSON, map[string]any{"documentId": strings.ToUpper(sha(skills))}))
		checkSkills(t, ts.send(t, http.MethodGet, getQuery(map[string]string{"documentId": "sha256:" + sha(skills)}), nil, ""))
		checkSkills(t, ts.apq(t, http.MethodGet, legacyJSON, sha(skills), "", nil, nil))
		// The manifest's text with its id is fine too.
		checkSkills(t, ts.apq(t, http.MethodPost, legacyJSON, sha(skills), skills, nil, nil))
		mustData(t, post(auth.Viewer{}, legacyJSON, map[string]any{"documentId": "relay-md5-3f2a"}))
		// A registered mutation runs over POST and is still refused over GET.
		mustData(t, post(auth.Viewer{}, graphqlResponse, map[string]any{"documentId": sha(mutation)}))
		r := ts.send(t, http.MethodGet, getQuery(map[string]string{"documentId": sha(mutation)}), nil, "")
		if r.status != http.StatusMethodNotAllowed {
			t.Errorf("registered mutation over GET: %d %s, want 405", r.status, r.raw)
		}
	})
	t.Run("free-form queries are refused for anonymous viewers and members", func(t *testing.T) {
		for _, v := range []auth.Viewer{{}, member} {
			mustRefuse(t, post(v, graphqlResponse, free), http.StatusBadRequest, "PERSISTED_QUERY_REQUIRED")
			mustRefuse(t, post(v, legacyJSON, free), http.StatusOK, "PERSISTED_QUERY_REQUIRED")
		}
		r := ts.send(t, http.MethodGet, getQuery(map[string]string{"query": "{ __typename }"}), http.Header{"Accept": {graphqlResponse}}, "")
		mustRefuse(t, r, http.StatusBadRequest, "PERSISTED_QUERY_REQUIRED")
		if m := r.firstErrorMessage(); !strings.Contains(m, "trusted documents") || !strings.Contains(m, "ANALYST") || !strings.Contains(m, "Authorization") {
			t.Errorf("message %q does not say why, nor who may still send queries and how", m)
		}
	})
	t.Run("unknown ids and registrations are refused", func(t *testing.T) {
		q := "{ skills(first: 1) { totalCount } }"
		mustRefuse(t, ts.apq(t, http.MethodPost, graphqlResponse, sha(q), "", nil, nil), http.StatusBadRequest, "PERSISTED_QUERY_NOT_IN_LIST")
		mustRefuse(t, ts.apq(t, http.MethodPost, graphqlResponse, sha(q), q, nil, nil), http.StatusBadRequest, "PERSISTED_QUERY_NOT_IN_LIST")
		mustRefuse(t, ts.apq(t, http.MethodPost, legacyJSON, sha(q), "", nil, nil), http.StatusOK, "PERSISTED_QUERY_NOT_IN_LIST")
		// A registered id with another text is not a way around the list.
		mustRefuse(t, ts.apq(t, http.MethodPost, graphqlResponse, sha(skills), q, nil, nil), http.StatusBadRequest, "PERSISTED_QUERY_HASH_MISMATCH")
	})
	t.Run("documentId over an event stream", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"documentId": "sha256:" + sha(skills), "variables": map[string]any{"n": 1}})
		// A stream when the client accepts nothing else; JSON for a query otherwise.
		for accept, media := range map[string]string{"text/event-stream": "text/event-stream", "text/event-stream, application/json": "application/json"} {
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/query", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", accept)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			stream, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.HasPrefix(res.Header.Get("Content-Type"), media) || !strings.Contains(string(stream), `"totalCount"`) || strings.Contains(string(stream), "errors") {
				t.Errorf("Accept %s: %s %q, want the document's answer as %s", accept, res.Header.Get("Content-Type"), stream, media)
			}
		}
	})
	t.Run("the document an id names runs however it was printed again", func(t *testing.T) {
		// What Apollo's print() makes of the manifest's text: other spacing, commas,
		// a comment.
		reprinted := "# reprinted\nquery TrustedSkills($n: Int) {\n  skills(first: $n) {\n    totalCount,\n  }\n}\n"
		mustData(t, ts.apq(t, http.MethodPost, graphqlResponse, sha(skills), reprinted, map[string]any{"n": 1}, nil))
		// Another selection under the same id is still refused.
		other := "query TrustedSkills($n: Int) { skills(first: $n) { totalCount edges { cursor } } }"
		mustRefuse(t, ts.apq(t, http.MethodPost, graphqlResponse, sha(skills), other, nil, nil), http.StatusBadRequest, "PERSISTED_QUERY_HASH_MISMATCH")
	})
	t.Run("analysts may send free-form queries and use APQ", func(t *testing.T) {
		mustData(t, post(analyst, graphqlResponse, free))
		q := "{ analystOnly: __typename }"
		bearer := http.Header{"Authorization": {"Bearer " + ts.token(t, analyst)}}
		mustRefuse(t, ts.apq(t, http.MethodPost, graphqlResponse, sha(q), "", nil, bearer), http.StatusBadRequest, "PERSISTED_QUERY_NOT_FOUND")
		mustData(t, ts.apq(t, http.MethodPost, graphqlResponse, sha(q), q, nil, bearer))
		mustData(t, ts.apq(t, http.MethodPost, graphqlResponse, sha(q), "", nil, bearer))
		// What an analyst registered does not become trusted for everyone else.
		mustRefuse(t, ts.apq(t, http.MethodPost, graphqlResponse, sha(q), "", nil, nil), http.StatusBadRequest, "PERSISTED_QUERY_NOT_IN_LIST")
	})
}

// TestTrustedDocumentsWithoutFreeFormRoles: with no role allowed free-form queries, not
// even an ADMIN may send one, yet the registered documents still run for them.
func TestTrustedDocumentsWithoutFreeFormRoles(t *testing.T) {
	path, skills, _ := trustedManifest(t)
	trusted, err := server.LoadTrustedDocuments(path)
	if err != nil {
		t.Fatal(err)
	}
	ts := startConfiguredServer(t, testDB, func(c *server.Config) { c.TrustedDocuments = trusted })
	bearer := http.Header{"Authorization": {"Bearer " + ts.token(t, admin)}}
	q := "{ __typename }"
	mustRefuse(t, ts.apq(t, http.MethodPost, graphqlResponse, sha(q), q, nil, bearer), http.StatusBadRequest, "PERSISTED_QUERY_NOT_IN_LIST")
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {graphqlResponse}, "Authorization": bearer["Authorization"]}
	mustRefuse(t, ts.send(t, http.MethodPost, "", h, `{"query":"{ __typename }"}`), http.StatusBadRequest, "PERSISTED_QUERY_REQUIRED")
	mustData(t, ts.apq(t, http.MethodPost, graphqlResponse, sha(skills), "", nil, bearer))
}

// TestLoadTrustedDocuments reads both manifest formats and refuses manifests that would
// fail at request time.
func TestLoadTrustedDocuments(t *testing.T) {
	q := "query Q { __typename }"
	apollo := map[string]any{"format": "apollo-persisted-query-manifest", "version": 1, "operations": []map[string]any{
		{"id": sha(q), "name": "Q", "type": "query", "body": q},
	}}
	tests := []struct {
		name     string
		manifest any    // marshalled to JSON; a string is written as is
		n        int    // documents, when it loads
		problem  string // part of the error, when it must not load
	}{
		{"GraphQL Codegen / Relay map", map[string]string{sha(q): q, "md5-1": "{ __typename }"}, 2, ""},
		{"Apollo persisted query manifest", apollo, 1, ""},
		{"prefixed id", map[string]string{"sha256:" + sha(q): q}, 1, ""},
		{"not JSON", "{", 0, "not a JSON object"},
		{"array", `["{ __typename }"]`, 0, "not a JSON object"},
		{"documents that are not strings", `{"a": 1}`, 0, "not a JSON object mapping ids"},
		{"empty", map[string]string{}, 0, "no document"},
		{"unknown format", map[string]any{"format": "other", "version": 1, "operations": []any{}}, 0, "unknown manifest format"},
		{"hash of another document", map[string]string{sha(q + " "): q}, 0, "is not the sha256"},
		{"same id twice once prefixed", map[string]string{sha(q): q, "sha256:" + sha(q): q}, 0, "appears twice"},
		{"document that does not parse", map[string]string{"x": "query {"}, 0, "does not parse"},
		{"document that does not fit the schema", map[string]string{"x": "{ noSuchField }"}, 0, "does not fit the schema"},
		{"empty id", map[string]string{"": q}, 0, "empty id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, ok := tt.manifest.(string)
			if !ok {
				b, _ := json.Marshal(tt.manifest)
				raw = string(b)
			}
			path := filepath.Join(t.TempDir(), "m.json")
			os.WriteFile(path, []byte(raw), 0o600)
			docs, err := server.LoadTrustedDocuments(path)
			switch {
			case tt.problem == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.problem == "" && docs.Len() != tt.n:
				t.Errorf("%d documents, want %d", docs.Len(), tt.n)
			case tt.problem != "" && (err == nil || !strings.Contains(err.Error(), tt.problem)):
				t.Errorf("error %v, want one saying %q", err, tt.problem)
			}
		})
	}
	if _, err := server.LoadTrustedDocuments(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("a missing manifest loaded")
	}
}

// TestTrustedDocumentsGuardSubscriptions: WebSocket and Server-Sent Events streams obey
// the same rule: a registered subscription streams by id, a free-form one is refused.
func TestTrustedDocumentsGuardSubscriptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docs.json")
	b, _ := json.Marshal(map[string]string{sha(eventsSubscription): eventsSubscription})
	os.WriteFile(path, b, 0o600)
	trusted, err := server.LoadTrustedDocuments(path)
	if err != nil {
		t.Fatal(err)
	}
	ts := replicaWith(t, "trusted", bus.Options{MinReconnect: 50 * time.Millisecond, MaxReconnect: 200 * time.Millisecond}, func(c *server.Config) {
		c.TrustedDocuments = trusted
		c.FreeFormRoles = []auth.Role{auth.RoleAdmin} // createSkillAs writes with free-form mutations
	})
	c, err := dial(t, ts, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.send(wsMessage{ID: "free", Type: "subscribe", Payload: mustJSON(map[string]any{"query": eventsSubscription})})
	m, err := c.read(5 * time.Second)
	if err != nil || m.Type != "error" || m.ID != "free" || !strings.Contains(string(m.Payload), "PERSISTED_QUERY_REQUIRED") {
		t.Fatalf("free-form subscription over WebSocket: %s %s %v, want an error PERSISTED_QUERY_REQUIRED", m.Type, m.Payload, err)
	}
	c.send(wsMessage{ID: "conflict", Type: "subscribe", Payload: mustJSON(map[string]any{
		"documentId": "sha256:" + sha(eventsSubscription),
		"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha("query Other { __typename }")}},
	})})
	m, err = c.read(5 * time.Second)
	if err == nil && m.Type == "complete" && m.ID == "free" {
		m, err = c.read(5 * time.Second) // gqlgen completes the refused operation after its error
	}
	if err != nil || m.Type != "error" || m.ID != "conflict" || !strings.Contains(string(m.Payload), "BAD_REQUEST") {
		t.Fatalf("subscription naming two documents: %s %s %v, want an error BAD_REQUEST", m.Type, m.Payload, err)
	}
	kinds := map[string]any{"kinds": []string{"SKILL_CREATED"}}
	// Apollo's persisted query link over GraphQLWsLink sends the id and the document as
	// graphql-js prints it again, not as the manifest holds it.
	reprinted := strings.Join(strings.Fields(eventsSubscription), "\n")
	started := map[string]map[string]any{
		"extension":  {"variables": kinds, "extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha(eventsSubscription)}}},
		"documentId": {"variables": kinds, "documentId": "sha256:" + sha(eventsSubscription)},
		"reprinted":  {"variables": kinds, "query": reprinted, "extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha(eventsSubscription)}}},
	}
	for id, payload := range started {
		c.send(wsMessage{ID: id, Type: "subscribe", Payload: mustJSON(payload)})
	}
	// The legacy protocol (subscriptions-transport-ws) names the document the same ways.
	legacy := dialLegacy(t, ts, "legacy-free", eventsSubscription)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	legacyStart := func(id string, payload map[string]any) {
		b, _ := json.Marshal(map[string]any{"id": id, "type": "start", "payload": payload})
		if err := legacy.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	if got := readLegacy(t, legacy, "error"); !strings.Contains(string(got), "PERSISTED_QUERY_REQUIRED") {
		t.Errorf("free-form legacy subscription: %s, want PERSISTED_QUERY_REQUIRED", got)
	}
	legacyStart("legacy-conflict", map[string]any{"documentId": sha(eventsSubscription), "extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha("query Other { __typename }")}}})
	if got := readLegacy(t, legacy, "error"); !strings.Contains(string(got), `"id":"legacy-conflict"`) || !strings.Contains(string(got), "BAD_REQUEST") {
		t.Errorf("legacy subscription naming two documents: %s, want an error BAD_REQUEST", got)
	}
	legacyStart("legacy", map[string]any{"variables": kinds, "documentId": sha(eventsSubscription)})
	time.Sleep(200 * time.Millisecond) // let the subscriptions start listening
	skill := createSkillAs(t, ts, "TRUSTED.WS")
	if got := readLegacy(t, legacy, "data"); !strings.Contains(string(got), skill) {
		t.Errorf("legacy subscription by documentId got %s, want the creation of %s", got, skill)
	}
	for len(started) > 0 {
		m, err := c.read(10 * time.Second)
		if err != nil {
			t.Fatalf("registered subscriptions %v: %v", slices.Collect(maps.Keys(started)), err)
		}
		if m.Type == "complete" && (m.ID == "free" || m.ID == "conflict") {
			continue // gqlgen completes the refused operation after its error
		}
		var p struct{ Data struct{ Events eventEdge } }
		json.Unmarshal(m.Payload, &p)
		if _, ok := started[m.ID]; m.Type != "next" || !ok || p.Data.Events.Node.SubjectID != skill {
			t.Fatalf("registered subscription got %s %s %s, want the creation of %s", m.Type, m.ID, m.Payload, skill)
		}
		delete(started, m.ID)
	}

	body, _ := json.Marshal(map[string]any{"query": eventsSubscription})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	stream, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(stream), "PERSISTED_QUERY_REQUIRED") {
		t.Errorf("free-form subscription over SSE streamed %q, want PERSISTED_QUERY_REQUIRED", stream)
	}
}
