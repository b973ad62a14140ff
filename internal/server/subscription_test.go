package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/server"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// replica is one server instance with its own event listener, as one of several
// replicas behind a load balancer would run.
func replica(t testing.TB, name string) *testServer {
	t.Helper()
	return replicaWith(t, name, bus.Options{MinReconnect: 50 * time.Millisecond, MaxReconnect: 200 * time.Millisecond}, nil)
}

// replicaWith starts a replica whose bus has the given options and whose server
// configuration tweak may adjust.
func replicaWith(t testing.TB, name string, opts bus.Options, tweak func(*server.Config)) *testServer {
	t.Helper()
	st := store.New(writeDB.DB, nil)
	ctx, cancel := context.WithCancel(context.Background())
	u, _ := url.Parse(writeDB.URL)
	q := u.Query()
	q.Set("application_name", "replica-"+name)
	u.RawQuery = q.Encode()
	b, err := bus.New(ctx, u.String(), st, slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	var open atomic.Int64
	ts := &testServer{auth: auth.New(auth.Config{Key: testKey}, st), db: writeDB, bus: b, open: &open}
	cfg := server.Config{Store: st, Auth: ts.auth, Bus: b, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		InitTimeout: time.Second, KeepAlive: 200 * time.Millisecond, OpenStreams: &open, MaxWorkInFlight: -1, CostRate: -1, Clock: noonOn(demoDay)}
	if tweak != nil {
		tweak(&cfg)
	}
	ts.Server = httptest.NewServer(server.New(cfg))
	// As at shutdown: the bus first, so subscriptions end with their reason, then, once
	// each has delivered it, the server.
	t.Cleanup(func() {
		cancel()
		<-done
		for wait := time.Now().Add(5 * time.Second); open.Load() > 0 && time.Now().Before(wait); {
			time.Sleep(5 * time.Millisecond)
		}
		ts.Close()
	})
	return ts
}

// subscribers counts the subscriptions the server holds: identical ones share one
// subscription to the bus, so the bus's count is not theirs.
func (ts *testServer) subscribers() int64 { return ts.open.Load() }

// wsClient speaks graphql-transport-ws, as graphql-ws, Apollo Client and urql do.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func dial(t *testing.T, ts *testServer, initPayload map[string]any) (*wsClient, error) {
	t.Helper()
	return dialWith(t, ts, initPayload, nil)
}

// smallReadBuffer is a client whose sockets hold little unread data: the kernel would
// otherwise grow a reader's buffer to megabytes, and how far it grows depends on the
// machine's load.
var smallReadBuffer = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if tcp, ok := c.(*net.TCPConn); ok {
		tcp.SetReadBuffer(64 << 10)
	}
	return c, nil
}}}

// dialWith is dial through the given HTTP client (the default one when nil).
func dialWith(t *testing.T, ts *testServer, initPayload map[string]any, client *http.Client) (*wsClient, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/query", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPClient: client})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c := &wsClient{t: t, conn: conn}
	t.Cleanup(func() { conn.CloseNow() })
	c.send(wsMessage{Type: "connection_init", Payload: mustJSON(initPayload)})
	m, err := c.read(5 * time.Second)
	if err != nil {
		return nil, err
	}
	if m.Type != "connection_ack" {
		t.Fatalf("got %s, want connection_ack", m.Type)
	}
	return c, nil
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func (c *wsClient) send(m wsMessage) {
	c.t.Helper()
	b, _ := json.Marshal(m)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read returns the next message that is not a keep-alive ping.
// untilSlowConsumer reads the events of subscription id until the error that ends it as a
// slow consumer, and returns how many it received before; any other end fails the test.
func (c *wsClient) untilSlowConsumer(t *testing.T, id string) int {
	t.Helper()
	received := 0
	for {
		m, err := c.read(20 * time.Second)
		if err != nil {
			t.Fatalf("stream ended without a reason after %d events: %v", received, err)
		}
		if m.Type == "next" {
			received++
			continue
		}
		if m.Type != "error" || m.ID != id || !strings.Contains(string(m.Payload), "SLOW_CONSUMER") {
			t.Fatalf("got %s %s, want an error with SLOW_CONSUMER", m.Type, m.Payload)
		}
		return received
	}
}

func (c *wsClient) read(timeout time.Duration) (wsMessage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		_, b, err := c.conn.Read(ctx)
		if err != nil {
			return wsMessage{}, err
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			c.t.Fatalf("decode %s: %v", b, err)
		}
		if m.Type == "ping" {
			c.send(wsMessage{Type: "pong"})
			continue
		}
		return m, nil
	}
}

func (c *wsClient) subscribe(id, query string, vars map[string]any) {
	c.send(wsMessage{ID: id, Type: "subscribe", Payload: mustJSON(map[string]any{"query": query, "variables": vars})})
}

type eventEdge struct {
	Cursor string
	Node   struct{ ID, Kind, SubjectID string }
}

// nextEvent reads the next "next" message of subscription id.
func (c *wsClient) nextEvent(id string) eventEdge {
	c.t.Helper()
	m, err := c.read(10 * time.Second)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	if m.Type != "next" || m.ID != id {
		c.t.Fatalf("got %s for %q: %s, want next for %q", m.Type, m.ID, m.Payload, id)
	}
	var p struct {
		Data   struct{ Events eventEdge }
		Errors []gqlError
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
		c.t.Fatalf("payload %s: %v %+v", m.Payload, err, p.Errors)
	}
	return p.Data.Events
}

const eventsSubscription = `subscription($after: String, $kinds: [EventKind!]) { events(after: $after, kinds: $kinds) { cursor node { id kind subjectId } } }`

func createSkillAs(t *testing.T, ts *testServer, code string) string {
	t.Helper()
	var out struct{ Skill struct{ ID string } }
	if ue, errs := mutate(t, ts, admin, `mutation($input: CreateSkillInput!) { createSkill(input: $input) { skill { id } userErrors { field code message } } }`,
		map[string]any{"code": code, "name": map[string]any{"en": code, "zh": code}, "category": "GENERAL"}, "createSkill", &out); len(ue)+len(errs) > 0 {
		t.Fatalf("create skill %s: %+v %+v", code, ue, errs)
	}
	return out.Skill.ID
}

func TestAMutationThroughOneReplicaReachesASubscriberOnAnother(t *testing.T) {
	a, b := replica(t, "a"), replica(t, "b")
	c, err := dial(t, b, map[string]any{"Authorization": "Bearer " + b.token(t, analyst)})
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("1", eventsSubscription, map[string]any{"kinds": []string{"SKILL_CREATED"}})
	time.Sleep(100 * time.Millisecond) // let the subscription register before the write
	skill := createSkillAs(t, a, "WS.ONE")
	got := c.nextEvent("1")
	if got.Node.Kind != "SKILL_CREATED" || got.Node.SubjectID != skill || got.Cursor == "" {
		t.Fatalf("event = %+v, want SKILL_CREATED for %s with a cursor", got, skill)
	}

	// Resuming after that event's cursor replays exactly what came later.
	second := createSkillAs(t, a, "WS.TWO")
	third := createSkillAs(t, a, "WS.THREE")
	c2, err := dial(t, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	c2.subscribe("r", eventsSubscription, map[string]any{"after": got.Cursor, "kinds": []string{"SKILL_CREATED"}})
	if e := c2.nextEvent("r"); e.Node.SubjectID != second {
		t.Fatalf("first replayed event is about %s, want %s", e.Node.SubjectID, second)
	}
	if e := c2.nextEvent("r"); e.Node.SubjectID != third {
		t.Fatalf("second replayed event is about %s, want %s", e.Node.SubjectID, third)
	}
	fourth := createSkillAs(t, b, "WS.FOUR")
	if e := c2.nextEvent("r"); e.Node.SubjectID != fourth {
		t.Fatalf("live event after the replay is about %s, want %s", e.Node.SubjectID, fourth)
	}
	// The first subscriber saw each of them once, in order.
	for _, want := range []string{second, third, fourth} {
		if e := c.nextEvent("1"); e.Node.SubjectID != want {
			t.Fatalf("subscriber on b got %s, want %s", e.Node.SubjectID, want)
		}
	}
}

func TestAnInvalidTokenInConnectionInitClosesTheSocketWith4403(t *testing.T) {
	ts := replica(t, "auth")
	_, err := dial(t, ts, map[string]any{"Authorization": "Bearer not-a-token"})
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4403 {
		t.Fatalf("err = %v, want a close with code 4403", err)
	}
}

func TestAnonymousSubscribersDoNotReceiveTalentEvents(t *testing.T) {
	ts := replica(t, "anon")
	c, err := dial(t, ts, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("1", eventsSubscription, nil)
	time.Sleep(100 * time.Millisecond)
	talent := ts.someTalents(t, 1)[0]
	_, key, _ := relay.ParseID(talent)
	version := ts.sqlInt(t, "SELECT version FROM talent WHERE id = $1", key)
	if ue, errs := mutate(t, ts, admin, `mutation($input: UpdateTalentInput!) { updateTalent(input: $input) { talent { id } userErrors { field code message } } }`,
		map[string]any{"id": talent, "version": version, "graduationYear": 2027}, "updateTalent", nil); len(ue)+len(errs) > 0 {
		t.Fatalf("update talent: %+v %+v", ue, errs)
	}
	skill := createSkillAs(t, ts, "WS.ANON")
	if e := c.nextEvent("1"); e.Node.SubjectID != skill {
		t.Fatalf("anonymous subscriber got %+v first, want the SKILL_CREATED (the TALENT_UPDATED is private)", e)
	}
}

func TestServerSentEventsCarryTheSameStream(t *testing.T) {
	ts := replica(t, "sse")
	body, _ := json.Marshal(map[string]any{"query": eventsSubscription, "variables": map[string]any{"kinds": []string{"SKILL_CREATED"}}})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("Content-Type = %q, want text/event-stream", ct)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		createSkillAs(t, ts, "SSE.ONE")
	}()
	scanner := bufio.NewScanner(res.Body)
	for scanner.Scan() {
		line := scanner.Text()
		if data, ok := strings.CutPrefix(line, "data: "); ok && strings.Contains(data, "SKILL_CREATED") {
			var p struct{ Data struct{ Events eventEdge } }
			if err := json.Unmarshal([]byte(data), &p); err != nil || p.Data.Events.Cursor == "" {
				t.Fatalf("event %s: %v", data, err)
			}
			return
		}
	}
	t.Fatalf("the stream ended without the event: %v", scanner.Err())
}

// rawDial opens a graphql-transport-ws socket without initialising it.
func rawDial(t *testing.T, ts *testServer) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/query", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	return &wsClient{t: t, conn: conn}
}

// TestWebSocketProtocolCloseCodes checks the close codes PROTOCOL.md of graphql-ws
// prescribes, which client libraries act on.
func TestWebSocketProtocolCloseCodes(t *testing.T) {
	ts := replica(t, "protocol")
	tests := []struct {
		name string
		run  func(c *wsClient)
		code websocket.StatusCode
	}{
		{"subscribe before connection_init is unauthorized", func(c *wsClient) {
			c.subscribe("1", eventsSubscription, nil)
		}, 4401},
		{"a second connection_init is too many", func(c *wsClient) {
			c.send(wsMessage{Type: "connection_init"})
			c.read(5 * time.Second)
			c.send(wsMessage{Type: "connection_init"})
		}, 4429},
		{"a duplicate subscription id conflicts", func(c *wsClient) {
			c.send(wsMessage{Type: "connection_init"})
			c.read(5 * time.Second)
			c.subscribe("same", eventsSubscription, nil)
			c.subscribe("same", eventsSubscription, nil)
		}, 4409},
		{"no connection_init in time", func(c *wsClient) {}, 4408},
		{"an unknown message type is a bad request", func(c *wsClient) {
			c.send(wsMessage{Type: "connection_init"})
			c.read(5 * time.Second)
			c.send(wsMessage{Type: "shout"})
		}, 4400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := rawDial(t, ts)
			tt.run(c)
			var err error
			for err == nil {
				_, err = c.read(5 * time.Second)
			}
			var ce websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != tt.code {
				t.Errorf("closed with %v, want code %d", err, tt.code)
			}
		})
	}
}

func TestAnExpiringTokenClosesTheSocketWith4403WhenItExpires(t *testing.T) {
	ts := replica(t, "expiry")
	tok, err := ts.auth.IssueToken(auth.Viewer{Role: auth.RoleAnalyst, Subject: "short-lived"}, 1500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	c, err := dial(t, ts, map[string]any{"Authorization": "Bearer " + tok})
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("1", eventsSubscription, nil)
	start := time.Now()
	for err == nil {
		_, err = c.read(10 * time.Second)
	}
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4403 {
		t.Fatalf("closed with %v, want 4403", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("closed %v after the subscription, long after the token expired", took)
	}
}

func TestASubscriptionOutlivesTheRequestTimeoutAndReadsFreshData(t *testing.T) {
	ts := replicaWith(t, "timeout", bus.Options{}, func(c *server.Config) { c.RequestTimeout = 300 * time.Millisecond })

	c, err := dial(t, ts, map[string]any{"Authorization": "Bearer " + ts.token(t, admin)})
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("1", `subscription { events(kinds: [SKILL_UPDATED]) { node { subject { ... on Skill { description } } } } }`, nil)
	skill := createSkillAs(t, ts, "WS.FRESH")
	_, key, _ := relay.ParseID(skill)
	for i, text := range []string{"first", "second"} {
		time.Sleep(400 * time.Millisecond) // past the request timeout
		if ue, errs := mutate(t, ts, admin, `mutation($input: UpdateSkillInput!) { updateSkill(input: $input) { skill { id } userErrors { field code message } } }`,
			map[string]any{"id": skill, "version": i + 1, "description": text}, "updateSkill", nil); len(ue)+len(errs) > 0 {
			t.Fatalf("update: %+v %+v (version %d)", ue, errs, ts.sqlInt(t, "SELECT version FROM skill WHERE id = $1", key))
		}
		m, err := c.read(10 * time.Second)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if !strings.Contains(string(m.Payload), text) {
			t.Errorf("event %d carries %s, want the description %q as it is now", i, m.Payload, text)
		}
	}
}

func TestAllianceStatsArePushedWhenTheyChangeCoalesced(t *testing.T) {
	ts := replica(t, "stats")
	c, err := dial(t, ts, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("s", `subscription { allianceStats { openPositions openOpenings asOfCursor alliance { slug } } }`, nil)
	type stats struct {
		OpenPositions, OpenOpenings int
		Alliance                    struct{ Slug string }
	}
	readStats := func() stats {
		t.Helper()
		m, err := c.read(10 * time.Second)
		if err != nil || m.Type != "next" {
			t.Fatalf("read stats: %+v %v", m, err)
		}
		var p struct{ Data struct{ AllianceStats stats } }
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		return p.Data.AllianceStats
	}
	first := readStats()
	if first.Alliance.Slug == "" {
		t.Fatalf("first push %+v has no alliance", first)
	}
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance ORDER BY founded_on, id LIMIT 1")
	company := ts.firstKey(t, relay.TypeOrganization, "SELECT id FROM organization WHERE kind = 'COMPANY' ORDER BY id LIMIT 1")
	for range 5 { // a burst: one push, not five
		if ue, errs := mutate(t, ts, admin, `mutation($input: PostJobOpeningInput!) { postJobOpening(input: $input) { userErrors { field code message } } }`,
			map[string]any{"allianceId": alliance, "providerId": company, "title": map[string]any{"en": "Stats fitter", "zh": "钳工"}, "positions": 2, "employmentType": "FULL_TIME"},
			"postJobOpening", nil); len(ue)+len(errs) > 0 {
			t.Fatalf("post: %+v %+v", ue, errs)
		}
	}
	got := readStats()
	for got.OpenPositions < first.OpenPositions+10 {
		got = readStats()
	}
	if got.OpenPositions != first.OpenPositions+10 || got.OpenOpenings != first.OpenOpenings+5 {
		t.Errorf("after five openings of two positions: %+v, before %+v", got, first)
	}
	if m, err := c.read(1500 * time.Millisecond); err == nil {
		t.Errorf("an extra push without a change: %s", m.Payload)
	}
}

func TestWatchingAnOpeningPushesItsFillState(t *testing.T) {
	ts := replica(t, "watch")
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance LIMIT 1")
	company := ts.firstKey(t, relay.TypeOrganization, "SELECT id FROM organization WHERE kind = 'COMPANY' ORDER BY id DESC LIMIT 1")
	var posted struct{ JobOpening struct{ ID string } }
	if ue, errs := mutate(t, ts, admin, `mutation($input: PostJobOpeningInput!) { postJobOpening(input: $input) { jobOpening { id } userErrors { field code message } } }`,
		map[string]any{"allianceId": alliance, "providerId": company, "title": map[string]any{"en": "Watched", "zh": "观察"}, "positions": 1, "employmentType": "FULL_TIME"},
		"postJobOpening", &posted); len(ue)+len(errs) > 0 {
		t.Fatalf("post: %+v %+v", ue, errs)
	}
	c, err := dial(t, ts, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("w", `subscription($id: ID!) { nodeChanged(id: $id) { ... on JobOpening { filled status } } }`, map[string]any{"id": posted.JobOpening.ID})
	type opening struct {
		Filled int
		Status string
	}
	readOpening := func() opening {
		t.Helper()
		m, err := c.read(10 * time.Second)
		if err != nil || m.Type != "next" {
			t.Fatalf("read: %+v %v", m, err)
		}
		var p struct{ Data struct{ NodeChanged opening } }
		json.Unmarshal(m.Payload, &p)
		return p.Data.NodeChanged
	}
	if o := readOpening(); o.Filled != 0 || o.Status != "OPEN" {
		t.Fatalf("first push %+v", o)
	}
	talent := ts.someTalents(t, 1)[0]
	var applied struct{ Placement struct{ ID string } }
	if ue, errs := mutate(t, ts, admin, `mutation($input: ApplyForJobInput!) { applyForJob(input: $input) { placement { id } userErrors { field code message } } }`,
		map[string]any{"openingId": posted.JobOpening.ID, "talentId": talent}, "applyForJob", &applied); len(ue)+len(errs) > 0 {
		t.Fatalf("apply: %+v %+v", ue, errs)
	}
	if ue, errs := mutate(t, ts, admin, `mutation($input: UpdatePlacementStatusInput!) { updatePlacementStatus(input: $input) { userErrors { field code message } } }`,
		map[string]any{"id": applied.Placement.ID, "version": 1, "status": "HIRED"}, "updatePlacementStatus", nil); len(ue)+len(errs) > 0 {
		t.Fatalf("hire: %+v %+v", ue, errs)
	}
	o := readOpening()
	for o.Status != "FILLED" {
		o = readOpening()
	}
	if o.Filled != 1 {
		t.Errorf("watched opening %+v, want filled 1 and FILLED", o)
	}
}

func TestKillingAReplicasListenerWhileWritingLosesNoEvent(t *testing.T) {
	a, b := replica(t, "writer"), replica(t, "killed")
	c, err := dial(t, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("k", eventsSubscription, map[string]any{"kinds": []string{"SKILL_CREATED"}})
	time.Sleep(100 * time.Millisecond)

	var mu sync.Mutex
	var want []string
	stop := make(chan struct{})
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id := createSkillAs(t, a, fmt.Sprintf("KILL.%03d", i))
			mu.Lock()
			want = append(want, id)
			mu.Unlock()
		}
	}()
	for range 3 {
		time.Sleep(150 * time.Millisecond)
		if n := sqlIntIn(t, writeDB, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'replica-killed'"); n == 0 {
			t.Fatal("no listener connection to kill")
		}
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	<-wrote
	mu.Lock()
	defer mu.Unlock()
	for i, id := range want {
		if e := c.nextEvent("k"); e.Node.SubjectID != id {
			t.Fatalf("event %d of %d is about %s, want %s", i, len(want), e.Node.SubjectID, id)
		}
	}
	if m, err := c.read(500 * time.Millisecond); err == nil {
		t.Errorf("an extra message after all %d events: %s %s", len(want), m.Type, m.Payload)
	}
	if b.bus.Reconnects() < 1 {
		t.Error("the listener never reconnected")
	}
}

func TestDisconnectedClientsLeaveNoGoroutineBehind(t *testing.T) {
	// 40 sockets from one address: more than one client may hold by default.
	ts := replicaWith(t, "leak", bus.Options{MinReconnect: 50 * time.Millisecond, MaxReconnect: 200 * time.Millisecond}, func(c *server.Config) { c.Live.MaxConnections = 100 })
	settle := func() int {
		time.Sleep(300 * time.Millisecond)
		return runtime.NumGoroutine()
	}
	before := settle()
	clients := make([]*wsClient, 40)
	for i := range clients {
		c, err := dial(t, ts, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.subscribe("e", eventsSubscription, nil)
		c.subscribe("s", `subscription { allianceStats { members } }`, nil)
		clients[i] = c
	}
	for wait := time.Now().Add(5 * time.Second); ts.subscribers() < 80 && time.Now().Before(wait); {
		time.Sleep(10 * time.Millisecond) // subscriptions register as their messages arrive
	}
	if n := ts.subscribers(); n < 80 {
		t.Errorf("%d subscriptions with 40 clients of two each", n)
	}
	for _, c := range clients {
		c.conn.CloseNow() // abrupt, as a dropped network would be
	}
	deadline := time.Now().Add(10 * time.Second)
	after := settle()
	for after > before && time.Now().Before(deadline) {
		after = settle()
	}
	if after > before {
		t.Errorf("%d goroutines before the clients, %d after they left", before, after)
	}
	if n := ts.bus.Subscribers(); n != 0 {
		t.Errorf("%d bus subscribers left", n)
	}
	if n := ts.subscribers(); n != 0 {
		t.Errorf("%d subscriptions left", n)
	}
}

func TestEventsAboutRestrictedResourcesReachOnlyThoseWhoMaySeeThem(t *testing.T) {
	ts := replica(t, "restricted")
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance LIMIT 1")
	var orgs []int64
	if err := writeDB.DB.Select(&orgs, "SELECT id FROM organization WHERE kind = 'COMPANY' ORDER BY id LIMIT 3"); err != nil {
		t.Fatal(err)
	}
	provider, named, other := orgs[0], orgs[1], orgs[2]
	watch := func(v auth.Viewer) *wsClient {
		init := map[string]any{}
		if !v.Anonymous() {
			init["Authorization"] = "Bearer " + ts.token(t, v)
		}
		c, err := dial(t, ts, init)
		if err != nil {
			t.Fatal(err)
		}
		c.subscribe("r", eventsSubscription, map[string]any{"kinds": []string{"RESOURCE_SHARED"}})
		return c
	}
	viewers := map[string]auth.Viewer{"anonymous": {}, "analyst": analyst, "provider": memberOf(provider), "named": memberOf(named), "other": memberOf(other)}
	clients := map[string]*wsClient{}
	for name, v := range viewers {
		clients[name] = watch(v)
	}
	time.Sleep(150 * time.Millisecond)
	post := func(title string, sharedWith []string) string {
		return postSharedOpening(t, ts, alliance, provider, title, sharedWith)
	}
	private := post("Private", []string{relay.ID(relay.TypeOrganization, named)})
	public := post("Public", nil)
	for name, c := range clients {
		first := c.nextEvent("r")
		sees := name == "provider" || name == "named"
		want := public
		if sees {
			want = private
		}
		if first.Node.SubjectID != want {
			t.Errorf("%s first received %s, want %s", name, first.Node.SubjectID, want)
		}
	}
	// The event log itself applies the same rule.
	var got struct {
		Events struct {
			Edges []struct{ Node struct{ SubjectID string } }
		}
	}
	r := ts.queryAs(t, memberOf(other), `query($s: [ID!]) { events(filter: {subjects: $s}) { edges { node { subjectId } } } }`, map[string]any{"s": []string{private, public}})
	if err := json.Unmarshal(r.Data, &got); err != nil || len(r.Errors) > 0 {
		t.Fatal(err, r.Errors)
	}
	if len(got.Events.Edges) != 1 || got.Events.Edges[0].Node.SubjectID != public {
		t.Errorf("another member lists %+v, want only the public opening's event", got.Events.Edges)
	}
}

func TestPingGetsPongAndCompleteStopsASubscription(t *testing.T) {
	ts := replica(t, "pingpong")
	c, err := dial(t, ts, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.send(wsMessage{Type: "ping"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, b, err := c.conn.Read(ctx)
		if err != nil {
			t.Fatalf("no pong: %v", err)
		}
		var m wsMessage
		json.Unmarshal(b, &m)
		if m.Type == "pong" {
			break
		}
	}
	c.subscribe("x", eventsSubscription, map[string]any{"kinds": []string{"SKILL_CREATED"}})
	time.Sleep(100 * time.Millisecond)
	first := createSkillAs(t, ts, "PP.ONE")
	if e := c.nextEvent("x"); e.Node.SubjectID != first {
		t.Fatalf("got %+v", e)
	}
	// After the client completes it, nothing more arrives for the operation: the next
	// message is the first event of the new subscription reusing the id, not PP.TWO and
	// not a complete. (Reading with a timeout would close the socket: coder/websocket
	// closes on a cancelled read.)
	c.send(wsMessage{ID: "x", Type: "complete"})
	time.Sleep(100 * time.Millisecond)
	createSkillAs(t, ts, "PP.TWO")
	time.Sleep(300 * time.Millisecond)
	c.subscribe("x", eventsSubscription, map[string]any{"kinds": []string{"SKILL_CREATED"}})
	time.Sleep(100 * time.Millisecond)
	third := createSkillAs(t, ts, "PP.THREE")
	if e := c.nextEvent("x"); e.Node.SubjectID != third {
		t.Fatalf("after complete and a new subscription, got %+v, want the event about %s", e, third)
	}
}

func TestASubscriberThatCannotKeepUpIsEndedWithSlowConsumer(t *testing.T) {
	ts := replicaWith(t, "slow", bus.Options{SlowAfter: 200 * time.Millisecond}, nil)
	c, err := dialWith(t, ts, nil, smallReadBuffer)
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("s", `subscription { events(kinds: [SKILL_UPDATED]) { cursor node { payload } } }`, nil)
	for deadline := time.Now().Add(10 * time.Second); ts.bus.Subscribers() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the subscription never reached the bus")
		}
	}
	// Far more than the subscriber's buffer and the sockets', while it reads nothing.
	const flood = 20000
	if _, err := writeDB.DB.Exec(`INSERT INTO event (kind, subject_id, actor, actor_role, payload)
		SELECT 'SKILL_UPDATED', 'flood-' || i, 'test', 'SYSTEM', jsonb_build_object('pad', repeat('x', 3800))
		FROM generate_series(1, $1) i`, flood); err != nil {
		t.Fatal(err)
	}
	// Read nothing until the bus gives up on the subscriber: how long the server takes to
	// fill the buffers depends on how busy the machine is.
	for deadline := time.Now().Add(90 * time.Second); ts.bus.Subscribers() > 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the bus still feeds a subscriber that has read nothing for 90s")
		}
	}
	received := c.untilSlowConsumer(t, "s")
	if received >= flood {
		t.Errorf("received all %d events: the subscriber was never ended", received)
	}
	// The socket stays usable: the client resubscribes from its last cursor.
	c.subscribe("again", eventsSubscription, map[string]any{"kinds": []string{"SKILL_CREATED"}})
	time.Sleep(100 * time.Millisecond)
	id := createSkillAs(t, ts, "SLOW.AFTER")
	for {
		e := c.nextEventAny()
		if e.id == "again" && e.edge.Node.SubjectID == id {
			break
		}
	}
}

type taggedEvent struct {
	id   string
	edge eventEdge
}

// nextEventAny reads the next "next" message, whatever its subscription.
func (c *wsClient) nextEventAny() taggedEvent {
	c.t.Helper()
	for {
		m, err := c.read(10 * time.Second)
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		if m.Type != "next" {
			continue
		}
		var p struct{ Data struct{ Events eventEdge } }
		json.Unmarshal(m.Payload, &p)
		return taggedEvent{m.ID, p.Data.Events}
	}
}

// postSharedOpening posts a job opening of provider as an administrator, shared with the
// organizations given (nil: with every member), and returns its global ID.
func postSharedOpening(t *testing.T, ts *testServer, alliance string, provider int64, title string, sharedWith []string) string {
	t.Helper()
	var out struct{ JobOpening struct{ ID string } }
	input := map[string]any{"allianceId": alliance, "providerId": relay.ID(relay.TypeOrganization, provider), "title": map[string]any{"en": title, "zh": title}, "positions": 1, "employmentType": "CONTRACT"}
	if sharedWith != nil {
		input["sharedWith"] = sharedWith
	}
	if ue, errs := mutate(t, ts, admin, `mutation($input: PostJobOpeningInput!) { postJobOpening(input: $input) { jobOpening { id } userErrors { field code message } } }`, input, "postJobOpening", &out); len(ue)+len(errs) > 0 {
		t.Fatalf("post: %+v %+v", ue, errs)
	}
	return out.JobOpening.ID
}
