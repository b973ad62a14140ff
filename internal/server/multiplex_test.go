package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/metrics"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/server"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// Subscriptions with the same document, variables and audience are resolved once per
// event for all their subscribers (server/multiplex.go). These tests run real sockets
// against a real server and count what the server does.

// countingReplica is a replica whose GraphQL statements (not the bus's) are counted.
func countingReplica(t *testing.T, name string, opts bus.Options) (*testServer, *atomic.Int64) {
	t.Helper()
	var statements atomic.Int64
	ts := replicaWith(t, name, opts, func(c *server.Config) {
		c.Store = store.New(writeDB.DB, func(context.Context, string, []any) { statements.Add(1) })
		c.Live.MaxConnections = -1
	})
	return ts, &statements
}

// insertEvent commits an event in plain SQL, as any writer may.
func insertEvent(t *testing.T, kind, subject string) {
	t.Helper()
	if _, err := writeDB.DB.Exec(`INSERT INTO event (kind, subject_id, actor, actor_role, payload) VALUES ($1, $2, 'test', 'SYSTEM', '{}')`, kind, subject); err != nil {
		t.Fatal(err)
	}
}

// readNext reads the next message of a socket, which must be a "next".
func readNext(t *testing.T, c *wsClient) wsMessage {
	t.Helper()
	m, err := c.read(10 * time.Second)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if m.Type != "next" {
		t.Fatalf("got %s %s, want next", m.Type, m.Payload)
	}
	return m
}

func TestIdenticalSubscribersShareOneResolutionPerEvent(t *testing.T) {
	ts, statements := countingReplica(t, "shared", fastBus)
	skill := ts.firstKey(t, relay.TypeSkill, "SELECT id FROM skill ORDER BY id LIMIT 1")
	// The subject is read through a loader: one statement for each resolution.
	const query = `subscription { events(kinds: [SKILL_UPDATED]) { cursor node { kind subject { ... on Skill { code name { en } } } } } }`
	var clients []*wsClient
	// perEvent subscribes until n subscribers hold the query, commits one event, and
	// returns what it cost and what each received.
	perEvent := func(n int) (int64, [][]byte) {
		t.Helper()
		for len(clients) < n {
			c, err := dial(t, ts, nil)
			if err != nil {
				t.Fatal(err)
			}
			// Two per socket: sharing spans sockets and operations alike.
			for i := 0; i < 2 && len(clients) < n; i++ {
				c.subscribe(fmt.Sprint("s", i), query, nil)
				clients = append(clients, c)
			}
		}
		waitFor(t, 10*time.Second, "the subscriptions never registered", func() bool { return ts.subscribers() == int64(n) })
		if got := ts.bus.Subscribers(); got != 1 {
			t.Fatalf("%d subscriptions on the bus for %d identical subscribers, want 1", got, n)
		}
		before := statements.Load()
		insertEvent(t, "SKILL_UPDATED", skill)
		var payloads [][]byte
		for _, c := range clients {
			payloads = append(payloads, readNext(t, c).Payload)
		}
		return statements.Load() - before, payloads
	}
	one, first := perEvent(1)
	many, payloads := perEvent(40)
	if one == 0 {
		t.Fatal("resolving the event read nothing: the test cannot tell shared from repeated resolutions")
	}
	if many != one {
		t.Errorf("one event cost %d statements for 40 subscribers and %d for one, want the same", many, one)
	}
	if !strings.Contains(string(first[0]), `"kind":"SKILL_UPDATED"`) {
		t.Fatalf("payload %s", first[0])
	}
	for i, p := range payloads[1:] {
		if !bytes.Equal(p, payloads[0]) {
			t.Errorf("subscriber %d received %s, the first %s", i+1, p, payloads[0])
		}
	}
}

func TestSubscribersOfDifferentAudiencesNeverShare(t *testing.T) {
	ts, _ := countingReplica(t, "audiences", fastBus)
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance LIMIT 1")
	var orgs []int64
	if err := writeDB.DB.Select(&orgs, "SELECT id FROM organization WHERE kind = 'COMPANY' ORDER BY id LIMIT 3"); err != nil {
		t.Fatal(err)
	}
	provider, named, other := orgs[0], orgs[1], orgs[2]
	const query = `subscription { events(kinds: [RESOURCE_SHARED]) { node { subjectId actor subject { ... on JobOpening { title { en } } } } } }`
	type subscriber struct {
		name   string
		viewer auth.Viewer
		sees   bool // the opening shared with named only
	}
	namedAgain := memberOf(named)
	namedAgain.Subject = "another person of the named member"
	subscribers := []subscriber{
		{"anonymous", auth.Viewer{}, false},
		{"anonymous again", auth.Viewer{}, false},
		{"other member", memberOf(other), false},
		{"named member", memberOf(named), true},
		{"named member, another person", namedAgain, true},
		{"admin", admin, true},
	}
	clients := make([]*wsClient, len(subscribers))
	for i, s := range subscribers {
		init := map[string]any{}
		if !s.viewer.Anonymous() {
			init["Authorization"] = "Bearer " + ts.token(t, s.viewer)
		}
		c, err := dial(t, ts, init)
		if err != nil {
			t.Fatal(err)
		}
		c.subscribe("a", query, nil)
		clients[i] = c
	}
	waitFor(t, 10*time.Second, "the subscriptions never registered", func() bool { return ts.subscribers() == int64(len(subscribers)) })
	// Anonymous, the other member, the named member (both persons) and admin.
	if got := ts.bus.Subscribers(); got != 4 {
		t.Errorf("%d subscriptions on the bus for four audiences, want 4", got)
	}
	post := func(title string, sharedWith []string) string {
		return postSharedOpening(t, ts, alliance, provider, title, sharedWith)
	}
	private := post("Shared with one member", []string{relay.ID(relay.TypeOrganization, named)})
	public := post("Shared with all", nil)
	type event struct {
		Data struct {
			Events struct {
				Node struct {
					SubjectID, Actor string
					Subject          *struct{ Title struct{ En string } }
				}
			}
		}
	}
	publicPayloads := map[string][]byte{}
	for i, s := range subscribers {
		m := readNext(t, clients[i])
		var e event
		if err := json.Unmarshal(m.Payload, &e); err != nil {
			t.Fatal(err)
		}
		if s.sees {
			if n := e.Data.Events.Node; n.SubjectID != private || n.Subject == nil || n.Subject.Title.En != "Shared with one member" {
				t.Errorf("%s first received %s, want the opening shared with the named member", s.name, m.Payload)
			}
			m = readNext(t, clients[i])
			json.Unmarshal(m.Payload, &e)
		}
		if e.Data.Events.Node.SubjectID != public {
			t.Errorf("%s received %s, want the public opening %s", s.name, m.Payload, public)
		}
		wantActor := "ADMIN" // the role only: a subject names a credential
		if s.viewer.Role == auth.RoleAdmin {
			wantActor = admin.Subject
		}
		if got := e.Data.Events.Node.Actor; got != wantActor {
			t.Errorf("%s reads the actor as %q, want %q", s.name, got, wantActor)
		}
		publicPayloads[s.name] = m.Payload
	}
	if !bytes.Equal(publicPayloads["anonymous"], publicPayloads["anonymous again"]) || !bytes.Equal(publicPayloads["named member"], publicPayloads["named member, another person"]) {
		t.Errorf("subscribers of one audience received different bytes: %s", publicPayloads)
	}
}

func TestLeavingSubscribersDoNotDisturbTheOthers(t *testing.T) {
	ts, _ := countingReplica(t, "leaving-shared", fastBus)
	const query = `subscription { events(kinds: [SKILL_CREATED]) { node { subjectId } } }`
	var clients []*wsClient
	for range 3 {
		c, err := dial(t, ts, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.subscribe("s", query, nil)
		clients = append(clients, c)
	}
	waitFor(t, 10*time.Second, "the subscriptions never registered", func() bool { return ts.subscribers() == 3 })
	subjectOf := func(m wsMessage) string {
		var p struct{ Data struct{ Events eventEdge } }
		json.Unmarshal(m.Payload, &p)
		return p.Data.Events.Node.SubjectID
	}
	insertEvent(t, "SKILL_CREATED", "leave-1")
	for _, c := range clients {
		if got := subjectOf(readNext(t, c)); got != "leave-1" {
			t.Fatalf("received %s, want leave-1", got)
		}
	}
	// One completes its subscription, one drops its socket.
	clients[0].send(wsMessage{ID: "s", Type: "complete"})
	clients[1].conn.CloseNow()
	waitFor(t, 10*time.Second, "the subscribers that left are still counted", func() bool { return ts.subscribers() == 1 })
	insertEvent(t, "SKILL_CREATED", "leave-2")
	if got := subjectOf(readNext(t, clients[2])); got != "leave-2" {
		t.Fatalf("the remaining subscriber received %s, want leave-2", got)
	}
	// The first may subscribe again on its socket and joins the running stream.
	clients[0].subscribe("s", query, nil)
	waitFor(t, 10*time.Second, "the new subscription never registered", func() bool { return ts.subscribers() == 2 })
	if got := ts.bus.Subscribers(); got != 1 {
		t.Errorf("%d subscriptions on the bus for two identical subscribers, want 1", got)
	}
	insertEvent(t, "SKILL_CREATED", "leave-3")
	for _, c := range []*wsClient{clients[0], clients[2]} {
		if got := subjectOf(readNext(t, c)); got != "leave-3" {
			t.Fatalf("received %s, want leave-3", got)
		}
	}
	// When the last leaves, the shared subscription ends.
	clients[0].conn.CloseNow()
	clients[2].conn.CloseNow()
	waitFor(t, 10*time.Second, "the shared subscription outlived its subscribers", func() bool { return ts.subscribers() == 0 && ts.bus.Subscribers() == 0 })
}

func TestASlowSubscriberIsEndedAloneWhileTheOthersOfItsStreamGoOn(t *testing.T) {
	ts, _ := countingReplica(t, "slow-shared", bus.Options{SlowAfter: 200 * time.Millisecond, MinReconnect: 50 * time.Millisecond, MaxReconnect: 200 * time.Millisecond})
	const query = `subscription { events(kinds: [SKILL_UPDATED]) { cursor node { subjectId payload } } }`
	slow, err := dialWith(t, ts, nil, smallReadBuffer)
	if err != nil {
		t.Fatal(err)
	}
	slow.subscribe("s", query, nil)
	fast, err := dial(t, ts, nil)
	if err != nil {
		t.Fatal(err)
	}
	fast.subscribe("f", query, nil)
	waitFor(t, 10*time.Second, "the subscriptions never registered", func() bool { return ts.subscribers() == 2 })
	const flood = 3000
	received := make(chan int, 1)
	go func() {
		n := 0
		for n < flood {
			_, m, err := fast.conn.Read(context.Background())
			if err != nil {
				break
			}
			if bytes.Contains(m, []byte(`"type":"next"`)) {
				n++
			}
		}
		received <- n
	}()
	// Far more than a subscriber's buffer and its socket's, while the slow one reads
	// nothing.
	if _, err := writeDB.DB.Exec(`INSERT INTO event (kind, subject_id, actor, actor_role, payload)
		SELECT 'SKILL_UPDATED', 'slow-shared-' || i, 'test', 'SYSTEM', jsonb_build_object('pad', repeat('x', 3800))
		FROM generate_series(1, $1) i`, flood); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-received:
		if n != flood {
			t.Fatalf("the subscriber that reads received %d of %d events", n, flood)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the subscriber that reads did not receive the flood in 60 s")
	}
	// The slow one's socket is full and its transport blocked in a write (10 s allowed)
	// since long before the flood was through: a whole buffer behind and taking nothing,
	// it is ended slowAfter later, and still counted until its transport takes the error.
	time.Sleep(time.Second)
	n := slow.untilSlowConsumer(t, "s")
	if n >= flood {
		t.Errorf("the slow subscriber received all %d events", n)
	}
	waitFor(t, 5*time.Second, "the ended subscriber is still counted", func() bool { return ts.subscribers() == 1 })
	// The stream goes on for the one that kept up.
	insertEvent(t, "SKILL_UPDATED", "slow-shared-after")
	for {
		m := readNext(t, fast)
		if strings.Contains(string(m.Payload), "slow-shared-after") {
			break
		}
	}
}

func TestALateSubscriberToAStreamOfStatesGetsTheLatestAtOnce(t *testing.T) {
	ts, _ := countingReplica(t, "late-stats", fastBus)
	const query = `subscription { allianceStats { members openPositions } }`
	first, err := dial(t, ts, nil)
	if err != nil {
		t.Fatal(err)
	}
	first.subscribe("s", query, nil)
	want := readNext(t, first).Payload
	late, err := dial(t, ts, nil)
	if err != nil {
		t.Fatal(err)
	}
	late.subscribe("s", query, nil)
	if got := readNext(t, late).Payload; !bytes.Equal(got, want) {
		t.Errorf("the late subscriber got %s, want the counters as they are, %s", got, want)
	}
}

func TestSubscriptionsReplayingFromACursorRunAlone(t *testing.T) {
	ts, _ := countingReplica(t, "replay-alone", fastBus)
	insertEvent(t, "SKILL_CREATED", "replay-0")
	var cursor string
	if err := writeDB.DB.Get(&cursor, "SELECT max(id)::text FROM event"); err != nil {
		t.Fatal(err)
	}
	id := 0
	fmt.Sscan(cursor, &id)
	after := relay.Cursor{Order: "SEQUENCE:ASC", Sort: cursor, ID: int64(id)}.String()
	insertEvent(t, "SKILL_CREATED", "replay-1")
	insertEvent(t, "SKILL_CREATED", "replay-2")
	vars := map[string]any{"after": after, "kinds": []string{"SKILL_CREATED"}}
	for i := range 2 { // the second subscribes after the first received its replay
		c, err := dial(t, ts, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.subscribe("r", eventsSubscription, vars)
		for _, want := range []string{"replay-1", "replay-2"} {
			if e := c.nextEvent("r"); e.Node.SubjectID != want {
				t.Fatalf("subscriber %d replayed %s, want %s", i, e.Node.SubjectID, want)
			}
		}
	}
}

func TestEverySubscriberOfAStreamThatFailsGetsItsError(t *testing.T) {
	ts, _ := countingReplica(t, "failing-shared", fastBus)
	c, err := dial(t, ts, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Sent at once, so that later ones arrive while the first stream is failing.
	const n = 20
	for i := range n {
		c.subscribe(fmt.Sprint("bad", i), `subscription { events(alliance: "not an alliance") { cursor } }`, nil)
	}
	got := map[string]bool{}
	for len(got) < n {
		m, err := c.read(10 * time.Second)
		if err != nil {
			t.Fatalf("after %d answers: %v", len(got), err)
		}
		if m.Type == "complete" {
			continue
		}
		if !strings.Contains(string(m.Payload), "BAD_USER_INPUT") {
			t.Fatalf("%s for %s: %s, want the argument's error", m.Type, m.ID, m.Payload)
		}
		got[m.ID] = true
	}
	waitFor(t, 5*time.Second, "the failed streams are still counted", func() bool { return ts.subscribers() == 0 })
}

// dialLegacy opens a socket speaking the legacy graphql-ws protocol (no subprotocol
// named: gqlgen's default) and starts subscription id on it.
func dialLegacy(t *testing.T, ts *testServer, id, query string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/query", &websocket.DialOptions{Subprotocols: []string{"graphql-ws"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	for _, m := range []string{`{"type":"connection_init"}`, fmt.Sprintf(`{"id":%q,"type":"start","payload":{"query":%q}}`, id, query)} {
		if err := conn.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	return conn
}

// readLegacy reads a legacy socket's messages until one of type typ.
func readLegacy(t *testing.T, conn *websocket.Conn, typ string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
		if m.Type == typ {
			return b
		}
	}
}

func TestOneEventIsEncodedOnceForAllItsSubscribersOnBothProtocols(t *testing.T) {
	m := metrics.New(metrics.Options{})
	ts := replicaWith(t, "encoded-once", fastBus, func(c *server.Config) {
		c.Live.MaxConnections = -1
		c.Metrics = m
	})
	const query = `subscription { events(kinds: [SKILL_UPDATED]) { cursor node { kind subjectId payload } } }`
	// Ids are the client's to choose: the envelope written around the shared bytes
	// escapes them as JSON must.
	ids := []string{"s0", `s1 "<&>" \ é`, "s2", "s3", "s4", "s5"}
	var clients []*wsClient
	for _, id := range ids {
		c, err := dial(t, ts, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.subscribe(id, query, nil)
		clients = append(clients, c)
	}
	legacy := dialLegacy(t, ts, "legacy", query)
	waitFor(t, 10*time.Second, "the subscriptions never registered", func() bool { return ts.subscribers() == 7 })
	const encodings = "alliance_graphql_subscription_encodings_total"
	before := scrape(t, m)[encodings]
	insertEvent(t, "SKILL_UPDATED", "encoded-once")
	var payload json.RawMessage
	for i, c := range clients {
		got := readNext(t, c)
		if got.ID != ids[i] {
			t.Errorf("subscriber %q received a message for %q", ids[i], got.ID)
		}
		if i == 0 {
			payload = got.Payload
		} else if !bytes.Equal(got.Payload, payload) {
			t.Errorf("subscriber %q received %s, s0 %s", ids[i], got.Payload, payload)
		}
	}
	var data struct {
		Data struct {
			Events struct {
				Node struct{ Kind, SubjectID string }
			}
		}
	}
	if err := json.Unmarshal(payload, &data); err != nil || data.Data.Events.Node.SubjectID != "encoded-once" || data.Data.Events.Node.Kind != "SKILL_UPDATED" {
		t.Fatalf("payload %s: %v", payload, err)
	}
	var old wsMessage
	if b := readLegacy(t, legacy, "data"); json.Unmarshal(b, &old) != nil || old.ID != "legacy" || !bytes.Equal(old.Payload, payload) {
		t.Errorf("the legacy subscriber received %s, want the payload %s for id legacy", b, payload)
	}
	if got := scrape(t, m)[encodings] - before; got != 1 {
		t.Errorf("one event was encoded %v times for 7 subscribers, want once", got)
	}
	// The transport still ends what it no longer writes: a stopped legacy subscription
	// is completed after its last data message.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := legacy.Write(ctx, websocket.MessageText, []byte(`{"id":"legacy","type":"stop"}`)); err != nil {
		t.Fatal(err)
	}
	if b := readLegacy(t, legacy, "complete"); !bytes.Contains(b, []byte(`"id":"legacy"`)) {
		t.Errorf("got %s, want the legacy subscription completed", b)
	}
}
