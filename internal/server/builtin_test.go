package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/server"
	"github.com/alliance-graph/alliance-graph/internal/web"
)

// dashboardID is the id of one of the dashboard's operations, as it sends it.
func dashboardID(t *testing.T, name string) string {
	t.Helper()
	for _, op := range web.DashboardOperations() {
		if op.Name == name {
			return "sha256:" + op.ID
		}
	}
	t.Fatalf("the dashboard has no operation %s", name)
	return ""
}

// TestDashboardOperationsRunByIDWhateverTheTrustedDocuments: the dashboard's operations,
// sent by documentId as the dashboard sends them (POST, graphql-transport-ws with an empty
// query, and Server-Sent Events), run with and without --trusted-documents, which does
// not list them; with the dashboard switched off, a trusted-documents server refuses them.
func TestDashboardOperationsRunByIDWhateverTheTrustedDocuments(t *testing.T) {
	path, _, _ := trustedManifest(t)
	trusted, err := server.LoadTrustedDocuments(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name        string
		trusted     *server.TrustedDocuments
		noDashboard bool
		refusal     string // "": the operations run
	}{
		{"without trusted documents", nil, false, ""},
		{"with trusted documents", trusted, false, ""},
		{"with trusted documents and no dashboard", trusted, true, "PERSISTED_QUERY_NOT_IN_LIST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startConfiguredServer(t, testDB, func(c *server.Config) {
				c.TrustedDocuments = tc.trusted
				c.FreeFormRoles = []auth.Role{auth.RoleAdmin, auth.RoleAnalyst}
				c.NoDashboard = tc.noDashboard
			})
			h := http.Header{"Content-Type": {"application/json"}, "Accept": {graphqlResponse}}
			r := ts.send(t, http.MethodPost, "", h, jsonBody(map[string]any{"documentId": dashboardID(t, "DashboardFirstAlliance")}))
			if tc.refusal != "" {
				mustRefuse(t, r, http.StatusBadRequest, tc.refusal)
			} else if data := mustData(t, r); !strings.Contains(data, `"foundedOn"`) {
				t.Errorf("DashboardFirstAlliance answered %s, want the first alliance", data)
			}

			c, err := dial(t, ts, nil)
			if err != nil {
				t.Fatal(err)
			}
			c.send(wsMessage{ID: "counters", Type: "subscribe", Payload: mustJSON(map[string]any{
				"query": "", "documentId": dashboardID(t, "DashboardCounters"), "variables": map[string]any{},
			})})
			m, err := c.read(10 * time.Second)
			if err != nil {
				t.Fatalf("DashboardCounters over WebSocket: %v", err)
			}
			if tc.refusal != "" {
				if m.Type != "error" || !strings.Contains(string(m.Payload), tc.refusal) {
					t.Errorf("DashboardCounters over WebSocket: %s %s, want an error %s", m.Type, m.Payload, tc.refusal)
				}
			} else if m.Type != "next" || !strings.Contains(string(m.Payload), `"allianceStats"`) {
				t.Errorf("DashboardCounters over WebSocket: %s %s, want the counters", m.Type, m.Payload)
			}

			line := firstEventLine(t, ts, dashboardID(t, "DashboardCounters"))
			want := `"allianceStats"`
			if tc.refusal != "" {
				want = tc.refusal
			}
			if !strings.Contains(line, want) {
				t.Errorf("DashboardCounters over Server-Sent Events: %q, want %s", line, want)
			}
		})
	}
}

// firstEventLine subscribes by documentId over Server-Sent Events and returns the first
// data line.
func firstEventLine(t *testing.T, ts *testServer, documentID string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body, _ := json.Marshal(map[string]any{"documentId": documentID})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("event stream: %v", err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data:"); ok {
			return data
		}
	}
	t.Fatalf("event stream (status %d) ended without data: %v", res.StatusCode, sc.Err())
	return ""
}

// TestTrustedDocumentsModeLogsTheDashboardsBuiltInOperations: one line at start says how
// many operations of the dashboard are trusted and what the playground needs; a server
// without a manifest says nothing of it.
func TestTrustedDocumentsModeLogsTheDashboardsBuiltInOperations(t *testing.T) {
	path, _, _ := trustedManifest(t)
	trusted, err := server.LoadTrustedDocuments(path)
	if err != nil {
		t.Fatal(err)
	}
	ts := startConfiguredServer(t, testDB, func(c *server.Config) {
		c.TrustedDocuments = trusted
		c.FreeFormRoles = []auth.Role{auth.RoleAdmin, auth.RoleAnalyst}
	})
	var lines []map[string]any
	for l := range strings.SplitSeq(ts.logText(), "\n") {
		var e map[string]any
		if json.Unmarshal([]byte(l), &e) == nil && strings.Contains(e["msg"].(string), "built-in operations") {
			lines = append(lines, e)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("%d lines about the built-in operations, want 1:\n%s", len(lines), ts.logText())
	}
	if n := lines[0]["operations"]; n != float64(len(web.DashboardOperations())) {
		t.Errorf("operations=%v, want %d", n, len(web.DashboardOperations()))
	}
	if p, _ := lines[0]["playground"].(string); !strings.Contains(p, "ADMIN or ANALYST") || !strings.Contains(p, "Authorization") {
		t.Errorf("playground=%q, want the roles whose token it needs and where to put it", p)
	}

	plain := startConfiguredServer(t, testDB, nil)
	if strings.Contains(plain.logText(), "built-in operations") {
		t.Errorf("a server without trusted documents logs the built-in operations:\n%s", plain.logText())
	}
}
