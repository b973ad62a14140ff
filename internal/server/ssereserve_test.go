package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/server"
)

// graphql-sse's single connection mode, spoken as its client speaks it: PUT reserves a
// stream, GET with the token opens it, POST with the token and extensions.operationId
// runs an operation onto it, DELETE with the token stops one.

const tokenHeader = "X-GraphQL-Event-Stream-Token"

// sseClient is one viewer's side of single connection mode.
type sseClient struct {
	t     *testing.T
	ts    *testServer
	authz string // the Authorization header, "" for an anonymous viewer
}

func newSSEClient(t *testing.T, ts *testServer, v auth.Viewer) *sseClient {
	c := &sseClient{t: t, ts: ts}
	if !v.Anonymous() {
		c.authz = "Bearer " + ts.token(t, v)
	}
	return c
}

// sseReply is an answer to a request of single connection mode.
type sseReply struct {
	status int
	header http.Header
	body   string
}

// code is the extensions.code of the first error of a JSON body, "" when there is none.
func (r sseReply) code() string {
	var b struct{ Errors []gqlError }
	if json.Unmarshal([]byte(r.body), &b) != nil || len(b.Errors) == 0 {
		return ""
	}
	c, _ := b.Errors[0].Extensions["code"].(string)
	return c
}

func (c *sseClient) do(method, token, query string, body any) sseReply {
	c.t.Helper()
	return c.doAccepting(method, token, query, "", body)
}

func (c *sseClient) doAccepting(method, token, query, accept string, body any) sseReply {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, c.ts.URL+"/query"+query, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if token != "" {
		req.Header.Set(tokenHeader, token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if c.authz != "" {
		req.Header.Set("Authorization", c.authz)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s /query: %v", method, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return sseReply{status: res.StatusCode, header: res.Header, body: string(b)}
}

// reserve makes a reservation and returns its token.
func (c *sseClient) reserve() string {
	c.t.Helper()
	r := c.do(http.MethodPut, "", "", nil)
	if r.status != http.StatusCreated || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") || len(r.body) < 32 {
		c.t.Fatalf("PUT /query: %d %s %q, want 201 and a token as text/plain", r.status, r.header.Get("Content-Type"), r.body)
	}
	return r.body
}

// run posts an operation with its operationId onto the stream of token.
func (c *sseClient) run(token, id string, params map[string]any) sseReply {
	c.t.Helper()
	body := map[string]any{"extensions": map[string]any{"operationId": id}}
	for k, v := range params {
		body[k] = v
	}
	return c.do(http.MethodPost, token, "", body)
}

// sseEvent is one event of a reserved stream.
type sseEvent struct {
	event string
	id    string
	data  json.RawMessage // the payload of next
}

// reservedStream is an open stream and the events read from it.
type reservedStream struct {
	t      *testing.T
	events chan sseEvent
	close  func()
}

// open opens the stream of token, the token in the header or, as EventSource must send
// it, in the URL; it answers the refusal when the server refuses it.
func (c *sseClient) open(token string, inURL bool) (*reservedStream, sseReply) {
	c.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	u := c.ts.URL + "/query"
	if inURL {
		u += "?token=" + url.QueryEscape(token)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	req.Header.Set("Accept", "text/event-stream")
	if !inURL {
		req.Header.Set(tokenHeader, token)
	}
	if c.authz != "" {
		req.Header.Set("Authorization", c.authz)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		c.t.Fatalf("GET /query with a token: %v", err)
	}
	if res.StatusCode != http.StatusOK {
		defer cancel()
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return nil, sseReply{status: res.StatusCode, header: res.Header, body: string(b)}
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		cancel()
		c.t.Fatalf("stream Content-Type %q, want text/event-stream", ct)
	}
	s := &reservedStream{t: c.t, events: make(chan sseEvent, 64), close: cancel}
	c.t.Cleanup(cancel)
	go func() {
		defer close(s.events)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(nil, 1<<20)
		var event, data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if event != "" {
					var d struct {
						ID      string          `json:"id"`
						Payload json.RawMessage `json:"payload"`
					}
					json.Unmarshal([]byte(data), &d)
					s.events <- sseEvent{event: event, id: d.ID, data: d.Payload}
				}
				event, data = "", ""
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return s, sseReply{status: res.StatusCode, header: res.Header}
}

// mustOpen opens the stream of token, which must succeed.
func (c *sseClient) mustOpen(token string) *reservedStream {
	c.t.Helper()
	s, r := c.open(token, false)
	if s == nil {
		c.t.Fatalf("GET /query with a token: %d %s, want a stream", r.status, r.body)
	}
	return s
}

// next reads the next event, which must be of kind event for operation id.
func (s *reservedStream) next(event, id string) sseEvent {
	s.t.Helper()
	select {
	case e, ok := <-s.events:
		if !ok {
			s.t.Fatalf("the stream ended, want %s for %q", event, id)
		}
		if e.event != event || e.id != id {
			s.t.Fatalf("got %s for %q (%s), want %s for %q", e.event, e.id, e.data, event, id)
		}
		return e
	case <-time.After(10 * time.Second):
		s.t.Fatalf("no event within 10s, want %s for %q", event, id)
	}
	return sseEvent{}
}

// mustRefuse checks a refusal made before GraphQL: its status and its JSON error's code.
func mustRefuseSSE(t *testing.T, what string, r sseReply, status int, code string) {
	t.Helper()
	if r.status != status || r.code() != code || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("%s: %d %s %s, want %d with a JSON error %s", what, r.status, r.header.Get("Content-Type"), r.body, status, code)
	}
}

func TestAQueryOnAReservedStreamAnswersOnItUnderItsOperationID(t *testing.T) {
	ts := startConfiguredServer(t, testDB, func(c *server.Config) { c.Limits.MaxDepth = 4 })
	c := newSSEClient(t, ts, analyst)
	token := c.reserve()
	s := c.mustOpen(token)

	r := c.run(token, "q1", map[string]any{"query": "query ReservedSkills($n: Int) { skills(first: $n) { totalCount } }", "variables": map[string]any{"n": 1}})
	if r.status != http.StatusAccepted {
		t.Fatalf("POST with the token: %d %s, want 202", r.status, r.body)
	}
	var got struct {
		Data struct{ Skills struct{ TotalCount int } }
	}
	if err := json.Unmarshal(s.next("next", "q1").data, &got); err != nil {
		t.Fatal(err)
	}
	if want := sqlInt(t, "SELECT count(*) FROM skill"); got.Data.Skills.TotalCount != want {
		t.Errorf("totalCount = %d, want %d", got.Data.Skills.TotalCount, want)
	}
	s.next("complete", "q1")

	// Request errors answer the POST as over plain HTTP and put nothing on the stream:
	// the operation's limits apply as to any request.
	deep := c.run(token, "deep", map[string]any{"query": "{ skills(first: 1) { edges { node { parent { parent { id } } } } } }"})
	mustRefuseSSE(t, "a query nested too deeply", deep, http.StatusBadRequest, "QUERY_TOO_DEEP")
	invalid := c.run(token, "invalid", map[string]any{"query": "{ noSuchField }"})
	if invalid.status != http.StatusBadRequest || !strings.Contains(invalid.body, "noSuchField") {
		t.Errorf("an invalid query: %d %s, want 400 naming the field", invalid.status, invalid.body)
	}
	// The same operationId may be used again once its operation completed.
	if r := c.run(token, "q1", map[string]any{"query": "{ __typename }"}); r.status != http.StatusAccepted {
		t.Fatalf("q1 again: %d %s, want 202", r.status, r.body)
	}
	if e := s.next("next", "q1"); !strings.Contains(string(e.data), `"__typename":"Query"`) {
		t.Errorf("q1 again answered %s", e.data)
	}
	s.next("complete", "q1")

	// Each operation is logged as its request, by its name.
	waitFor(t, 5*time.Second, "the request log names the operation", func() bool {
		return strings.Contains(ts.logText(), `"method":"POST","path":"/query","operation":"ReservedSkills","status":202`)
	})
}

func TestASubscriptionOnAReservedStreamStreamsUntilTheClientStopsIt(t *testing.T) {
	ts := replicaWith(t, "reserved", bus.Options{MinReconnect: 50 * time.Millisecond, MaxReconnect: 200 * time.Millisecond}, func(c *server.Config) {
		c.Live.MaxOperations = 1
	})
	c := newSSEClient(t, ts, analyst)
	token := c.reserve()
	s := c.mustOpen(token)
	sub := map[string]any{"query": eventsSubscription, "variables": map[string]any{"kinds": []string{"SKILL_CREATED"}}}
	if r := c.run(token, "s1", sub); r.status != http.StatusAccepted {
		t.Fatalf("POST of the subscription: %d %s, want 202", r.status, r.body)
	}
	waitFor(t, 5*time.Second, "the subscription is listening", func() bool { return ts.subscribers() == 1 })

	mustRefuseSSE(t, "an operationId already running", c.run(token, "s1", sub), http.StatusConflict, "CONFLICT")
	mustRefuseSSE(t, "an operation past LiveLimits.MaxOperations", c.run(token, "q", map[string]any{"query": "{ __typename }"}),
		http.StatusTooManyRequests, "TOO_MANY_OPERATIONS")

	skill := createSkillAs(t, ts, "SSE.RESERVED")
	var p struct{ Data struct{ Events eventEdge } }
	if err := json.Unmarshal(s.next("next", "s1").data, &p); err != nil || p.Data.Events.Node.SubjectID != skill || p.Data.Events.Cursor == "" {
		t.Fatalf("event %+v (%v), want the creation of %s with a cursor", p.Data.Events, err, skill)
	}

	mustRefuseSSE(t, "DELETE without an operationId", c.do(http.MethodDelete, token, "", nil), http.StatusBadRequest, "BAD_REQUEST")
	if r := c.do(http.MethodDelete, token, "?operationId=s1", nil); r.status != http.StatusOK {
		t.Fatalf("DELETE ?operationId=s1: %d %s, want 200", r.status, r.body)
	}
	s.next("complete", "s1")
	waitFor(t, 5*time.Second, "the subscription left its hub", func() bool { return ts.subscribers() == 0 })

	// Its slot is free again, and the stream carries on.
	if r := c.run(token, "q", map[string]any{"query": "{ __typename }"}); r.status != http.StatusAccepted {
		t.Fatalf("a query after the DELETE: %d %s, want 202", r.status, r.body)
	}
	s.next("next", "q")
	s.next("complete", "q")
}

func TestAReservedStreamIsOnlyItsViewers(t *testing.T) {
	ts := newServer(t)
	owner := newSSEClient(t, ts, analyst)
	token := owner.reserve()
	tests := []struct {
		name   string
		viewer auth.Viewer
	}{
		{"another subject of the same role", auth.Viewer{Role: auth.RoleAnalyst, Subject: "another-analyst"}},
		{"an anonymous caller", auth.Viewer{}},
		{"an administrator", admin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := newSSEClient(t, ts, tt.viewer)
			_, r := other.open(token, false)
			mustRefuseSSE(t, "GET", r, http.StatusForbidden, "FORBIDDEN")
			_, r = other.open(token, true)
			mustRefuseSSE(t, "GET ?token=", r, http.StatusForbidden, "FORBIDDEN")
		})
	}
	// The refusals left the reservation to its viewer, who opens it through the URL, as
	// EventSource does.
	s, r := owner.open(token, true)
	if s == nil {
		t.Fatalf("the owner's GET ?token=: %d %s, want the stream", r.status, r.body)
	}
	for _, tt := range tests {
		other := newSSEClient(t, ts, tt.viewer)
		mustRefuseSSE(t, tt.name+": POST", other.run(token, "x", map[string]any{"query": "{ __typename }"}), http.StatusForbidden, "FORBIDDEN")
		mustRefuseSSE(t, tt.name+": DELETE", other.do(http.MethodDelete, token, "?operationId=x", nil), http.StatusForbidden, "FORBIDDEN")
	}
	if r := owner.run(token, "mine", map[string]any{"query": "{ __typename }"}); r.status != http.StatusAccepted {
		t.Fatalf("the owner's POST: %d %s, want 202", r.status, r.body)
	}
	s.next("next", "mine")
}

func TestReservedStreamRefusals(t *testing.T) {
	ts := newServer(t)
	c := newSSEClient(t, ts, analyst)
	unknown := "bm90LWEtdG9rZW4tb2YtdGhpcy1zZXJ2ZXItYXQtYWxsLXJlYWxseQ"
	_, r := c.open(unknown, false)
	mustRefuseSSE(t, "GET with an unknown token", r, http.StatusNotFound, "NOT_FOUND")
	mustRefuseSSE(t, "POST with an unknown token", c.run(unknown, "x", map[string]any{"query": "{ __typename }"}), http.StatusNotFound, "NOT_FOUND")
	mustRefuseSSE(t, "DELETE with an unknown token", c.do(http.MethodDelete, unknown, "?operationId=x", nil), http.StatusNotFound, "NOT_FOUND")
	// Without a token, PUT with a body and DELETE are GraphQL requests with the wrong method.
	mustRefuseSSE(t, "DELETE without a token", c.do(http.MethodDelete, "", "?operationId=x", nil), http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
	mustRefuseSSE(t, "PUT with a body", c.do(http.MethodPut, "", "", map[string]any{"query": "{ __typename }"}), http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")

	token := c.reserve()
	mustRefuseSSE(t, "POST before the stream is open", c.run(token, "x", map[string]any{"query": "{ __typename }"}), http.StatusNotFound, "NOT_FOUND")
	s := c.mustOpen(token)
	_, r = c.open(token, false)
	mustRefuseSSE(t, "a second GET for the token", r, http.StatusConflict, "CONFLICT")
	_, r = c.open(token, true)
	mustRefuseSSE(t, "a second GET for the token in the URL", r, http.StatusConflict, "CONFLICT")
	mustRefuseSSE(t, "POST without extensions.operationId", c.do(http.MethodPost, token, "", map[string]any{"query": "{ __typename }"}), http.StatusBadRequest, "BAD_REQUEST")
	mustRefuseSSE(t, "PATCH with the token", c.do(http.MethodPatch, token, "", nil), http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")

	// Closing the stream ends the reservation: the token opens nothing any more.
	s.close()
	waitFor(t, 5*time.Second, "the closed stream's token is forgotten", func() bool {
		_, r := c.open(token, false)
		return r.status == http.StatusNotFound
	})
}

func TestAReservationHoldsAConnectionUntilItExpiresOrItsStreamCloses(t *testing.T) {
	ts := startConfiguredServer(t, testDB, func(c *server.Config) {
		c.Live.MaxConnections = 1
		c.Live.ReservationTimeout = 100 * time.Millisecond
	})
	c := newSSEClient(t, ts, analyst)
	first := c.reserve()
	mustRefuseSSE(t, "a second reservation past LiveLimits.MaxConnections", c.do(http.MethodPut, "", "", nil), http.StatusTooManyRequests, "TOO_MANY_CONNECTIONS")
	// Not opened in time, the first reservation expires and gives its connection back.
	var second string
	waitFor(t, 5*time.Second, "the unopened reservation expires", func() bool {
		r := c.do(http.MethodPut, "", "", nil)
		second = r.body
		return r.status == http.StatusCreated
	})
	_, r := c.open(first, false)
	mustRefuseSSE(t, "GET with an expired token", r, http.StatusNotFound, "NOT_FOUND")

	// An open stream does not expire, and holds the connection while it is open.
	s := c.mustOpen(second)
	if r := c.run(second, "q", map[string]any{"query": "{ __typename }"}); r.status != http.StatusAccepted {
		t.Fatalf("POST well after the reservation's timeout: %d %s, want 202", r.status, r.body)
	}
	s.next("next", "q")
	s.next("complete", "q")
	// An operation is no stream of its own, whatever it accepts: it takes no connection.
	sub := map[string]any{"query": "{ __typename }", "extensions": map[string]any{"operationId": "accepting"}}
	if r := c.doAccepting(http.MethodPost, second, "", "text/event-stream", sub); r.status != http.StatusAccepted {
		t.Fatalf("POST accepting only an event stream: %d %s, want 202", r.status, r.body)
	}
	s.next("next", "accepting")
	mustRefuseSSE(t, "a reservation while the stream is open", c.do(http.MethodPut, "", "", nil), http.StatusTooManyRequests, "TOO_MANY_CONNECTIONS")
	s.close()
	waitFor(t, 5*time.Second, "the closed stream gives its connection back", func() bool {
		return c.do(http.MethodPut, "", "", nil).status == http.StatusCreated
	})
}

func TestTrustedDocumentsGuardReservedStreams(t *testing.T) {
	path, skills, _ := trustedManifest(t)
	trusted, err := server.LoadTrustedDocuments(path)
	if err != nil {
		t.Fatal(err)
	}
	ts := startConfiguredServer(t, testDB, func(c *server.Config) { c.TrustedDocuments = trusted })
	c := newSSEClient(t, ts, auth.Viewer{})
	token := c.reserve()
	s := c.mustOpen(token)
	mustRefuseSSE(t, "a free-form query", c.run(token, "free", map[string]any{"query": "{ __typename }"}), http.StatusBadRequest, "PERSISTED_QUERY_REQUIRED")
	mustRefuseSSE(t, "an unknown document", c.run(token, "unknown", map[string]any{"documentId": "sha256:" + sha("{ __typename }")}), http.StatusBadRequest, "PERSISTED_QUERY_NOT_IN_LIST")
	for id, params := range map[string]map[string]any{
		"documentId": {"documentId": "sha256:" + sha(skills), "variables": map[string]any{"n": 1}},
		"extension":  {"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha(skills)}}, "variables": map[string]any{"n": 1}},
	} {
		if ext, ok := params["extensions"].(map[string]any); ok {
			ext["operationId"] = id
			params = map[string]any{"extensions": ext, "variables": params["variables"]}
			r := c.do(http.MethodPost, token, "", params)
			if r.status != http.StatusAccepted {
				t.Fatalf("%s: %d %s, want 202", id, r.status, r.body)
			}
		} else if r := c.run(token, id, params); r.status != http.StatusAccepted {
			t.Fatalf("%s: %d %s, want 202", id, r.status, r.body)
		}
		var got struct {
			Data struct{ Skills struct{ TotalCount int } }
		}
		json.Unmarshal(s.next("next", id).data, &got)
		if want := sqlInt(t, "SELECT count(*) FROM skill"); got.Data.Skills.TotalCount != want {
			t.Errorf("%s: totalCount = %d, want %d", id, got.Data.Skills.TotalCount, want)
		}
		s.next("complete", id)
	}
}
