package server_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// BenchmarkFacilityMonth reads a month of the busiest facility and of the alliance's
// calendar through a real HTTP server over the demo alliance at 100 times its size
// (ALLIANCE_BENCH_SCALE changes it), as a training office would, and reports p50, p95
// and p99 latency and SQL statements per request. facility-month is the facility's
// opening hours, free time and bookings with who booked; calendar-month the calendar
// page of its provider's month with each entry's holder and place; calendar-ics the same
// month as iCalendar.
//
//	go test -run '^$' -bench FacilityMonth -benchtime 200x -timeout 30m ./internal/server
func BenchmarkFacilityMonth(b *testing.B) {
	db := benchDatabase(b, benchScale(b))
	ts := startServer(b, db, loader.DefaultTiming)
	from := demoDay.Add(24 * time.Hour)
	to := from.Add(30 * 24 * time.Hour)
	var busiest struct{ Facility, Provider int64 }
	if err := db.DB.Get(&busiest, `SELECT b.facility_id AS facility, r.provider_id AS provider FROM facility_booking b JOIN resource r ON r.id = b.facility_id
		WHERE b.period && tstzrange($1, $2) GROUP BY 1, 2 ORDER BY count(*) DESC, 1 LIMIT 1`, from, to); err != nil {
		b.Fatal(err)
	}
	var booked int
	if err := db.DB.Get(&booked, `SELECT count(*) FROM facility_booking WHERE facility_id = $1 AND period && tstzrange($2, $3)`, busiest.Facility, from, to); err != nil {
		b.Fatal(err)
	}
	b.Logf("the busiest facility holds %d bookings in the month", booked)
	member := auth.Viewer{Role: auth.RoleMember, OrganizationID: busiest.Provider, Subject: "bench"}
	vars := map[string]any{"facility": relay.ID(relay.TypeResource, busiest.Facility), "org": relay.ID(relay.TypeOrganization, busiest.Provider),
		"from": from.Format(time.RFC3339), "to": to.Format(time.RFC3339)}
	token := ts.token(b, member)
	graphql := func(q string) func() (*http.Request, error) {
		body := mustJSON(map[string]any{"query": q, "variables": vars})
		return func() (*http.Request, error) {
			req, err := http.NewRequest(http.MethodPost, ts.URL+"/query", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			return req, err
		}
	}
	cases := []struct {
		name string
		req  func() (*http.Request, error)
	}{
		{"facility-month", graphql(`query($facility: ID!, $from: DateTime!, $to: DateTime!) { node(id: $facility) { ... on TrainingFacility {
			title { en } openingHours { day opens closes } availability(from: $from, to: $to) { start end minutes }
			bookings(from: $from, to: $to, first: 100) { totalCount edges { node { start end purpose organization { name { en } } } } } } } }`)},
		{"calendar-month", graphql(`query($org: ID!, $from: DateTime!, $to: DateTime!) { calendar(from: $from, to: $to, organization: $org, first: 100) {
			totalCount edges { node { uid kind title { en zh } start end organization { name { en } } facility { title { en } } } } } }`)},
		{"calendar-ics", func() (*http.Request, error) {
			q := url.Values{"organization": {vars["org"].(string)}, "from": {vars["from"].(string)}, "to": {vars["to"].(string)}, "token": {token}}
			return http.NewRequest(http.MethodGet, ts.URL+"/calendar.ics?"+q.Encode(), nil)
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			run := func() {
				req, err := c.req()
				if err != nil {
					b.Fatal(err)
				}
				res, err := ts.Client().Do(req)
				if err != nil {
					b.Fatal(err)
				}
				raw, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK || bytes.Contains(raw, []byte(`"errors"`)) {
					b.Fatalf("%s: status %d: %.300s", c.name, res.StatusCode, raw)
				}
			}
			run() // warm the parsed-query cache and the connection pool
			latencies := make([]time.Duration, 0, b.N)
			start := ts.statements.Load()
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				run()
				latencies = append(latencies, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(latencies)
			b.ReportMetric(percentileMs(latencies, 0.50), "p50-ms")
			b.ReportMetric(percentileMs(latencies, 0.95), "p95-ms")
			b.ReportMetric(percentileMs(latencies, 0.99), "p99-ms")
			b.ReportMetric(float64(ts.statements.Load()-start)/float64(b.N), "stmts/op")
		})
	}
}
