package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/demo"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/server"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// replicaPair is a primary and a "replica" that holds the same demo alliance except
// where a test makes it lag: a stand-in for streaming replication whose lag the test
// controls, so that every answer shows which database it came from.
func replicaPair(t *testing.T) (primary, replica *pgtest.Database) {
	t.Helper()
	ctx := context.Background()
	primary, replica = pgtest.New(t, "primary"), pgtest.New(t, "replica")
	for _, d := range []*pgtest.Database{primary, replica} {
		if _, err := demo.Load(ctx, d.DB, demo.Options{Scale: 1, AsOf: demoDay}); err != nil {
			t.Fatal(err)
		}
	}
	return primary, replica
}

// startWithReplica runs the server as serve does with --read-database-url: queries on
// the replica, the event listener on the primary.
func startWithReplica(t *testing.T, primary, replica *pgtest.Database) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	base := store.New(primary.DB, nil)
	b, err := bus.New(ctx, primary.URL, base, slog.New(slog.NewTextHandler(io.Discard, nil)), bus.Options{MinReconnect: 50 * time.Millisecond, MaxReconnect: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	st := base.WithReplica(replica.DB)
	ts := &testServer{auth: auth.New(auth.Config{Key: testKey}, st), db: primary, bus: b}
	ts.Server = httptest.NewServer(server.New(server.Config{Store: st, Auth: ts.auth, Bus: b,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), InitTimeout: time.Second, MaxWorkInFlight: -1, CostRate: -1}))
	t.Cleanup(func() {
		cancel()
		<-done
		ts.Close()
	})
	return ts
}

func TestQueriesReadTheReplicaWhileMutationsAndSubscriptionsReadThePrimary(t *testing.T) {
	primary, replica := replicaPair(t)
	ts := startWithReplica(t, primary, replica)
	var org struct {
		ID      string
		Version int
		Name    struct{ En string }
	}
	var page struct {
		Organizations struct {
			Edges []struct{ Node json.RawMessage }
		}
	}
	ts.data(t, `{ organizations(first: 1) { edges { node { id version name { en } } } } }`, nil, &page)
	if len(page.Organizations.Edges) != 1 {
		t.Fatalf("no organization in the demo alliance")
	}
	json.Unmarshal(page.Organizations.Edges[0].Node, &org)
	// The replica lags: it still has an older name.
	if _, err := replica.DB.Exec(`UPDATE organization SET name_en = 'Stale on the replica' WHERE name_en = $1`, org.Name.En); err != nil {
		t.Fatal(err)
	}

	const byID = `query($id: ID!) { node(id: $id) { ... on Organization { name { en } description } } }`
	var read struct {
		Node struct {
			Name        struct{ En string }
			Description string
		}
	}
	ts.data(t, byID, map[string]any{"id": org.ID}, &read)
	if read.Node.Name.En != "Stale on the replica" {
		t.Fatalf("a query read name %q, want the replica's", read.Node.Name.En)
	}

	c, err := dial(t, ts, map[string]any{"Authorization": "Bearer " + ts.token(t, analyst)})
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("1", `subscription { events(kinds: [ORGANIZATION_UPDATED]) { node { subject { ... on Organization { name { en } description } } } } }`, nil)
	time.Sleep(100 * time.Millisecond) // let the subscription register before the write

	// The mutation reads back what it wrote: its payload comes from the primary.
	var out struct {
		Organization struct {
			Name        struct{ En string }
			Description string
		}
	}
	if ue, errs := mutate(t, ts, admin, `mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { name { en } description } userErrors { field code message } } }`,
		map[string]any{"id": org.ID, "version": org.Version, "description": "Written to the primary"}, "updateOrganization", &out); len(ue)+len(errs) > 0 {
		t.Fatalf("update: %+v %+v", ue, errs)
	}
	if out.Organization.Name.En != org.Name.En || out.Organization.Description != "Written to the primary" {
		t.Fatalf("mutation payload = %+v, want the primary's name %q and the new description", out.Organization, org.Name.En)
	}

	// The subscriber is told of the change and reads its subject from the primary too,
	// though the replica has not caught up.
	m, err := c.read(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(m.Payload), "Written to the primary") || !strings.Contains(string(m.Payload), org.Name.En) {
		t.Fatalf("subscription event = %s, want the primary's organization", m.Payload)
	}

	// Queries still read the replica, which has not replayed the change.
	ts.data(t, byID, map[string]any{"id": org.ID}, &read)
	if read.Node.Name.En != "Stale on the replica" || read.Node.Description == "Written to the primary" {
		t.Fatalf("a query after the mutation read %+v, want the replica's row", read.Node)
	}

	// Search runs in its own read-only transaction: on the replica too.
	var found struct {
		Search struct{ TotalCount int }
	}
	ts.data(t, `{ search(query: "Stale on the replica", kinds: [ORGANIZATION], first: 1) { totalCount } }`, nil, &found)
	if found.Search.TotalCount == 0 {
		t.Fatalf("search did not find the replica's name")
	}
}

func TestReadinessReportsTheReplica(t *testing.T) {
	primary, replica := replicaPair(t)
	ts := startWithReplica(t, primary, replica)
	ready := func() (int, string) {
		res, err := http.Get(ts.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	if code, body := ready(); code != http.StatusOK || !strings.Contains(body, `"name":"replica","ok":true`) {
		t.Fatalf("/readyz = %d %s, want 200 with a replica check", code, body)
	}
	// A replica that is gone takes the server out of rotation.
	replica.DB.Close()
	if code, body := ready(); code != http.StatusServiceUnavailable || !strings.Contains(body, `"name":"replica","ok":false`) {
		t.Fatalf("/readyz with the replica gone = %d %s, want 503 naming the replica", code, body)
	}
}
