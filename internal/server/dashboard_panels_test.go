package server_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/web"
)

// dashboardOperation is the text of one of the dashboard's built-in operations, so that
// a test asks the API exactly what the dashboard asks.
func dashboardOperation(t testing.TB, name string) string {
	t.Helper()
	for _, op := range web.DashboardOperations() {
		if op.Name == name {
			return op.Body
		}
	}
	t.Fatalf("no operation %s among the dashboard's", name)
	return ""
}

// shenyangMidnight is the start of day in Shenyang, as the dashboard writes it.
func shenyangMidnight(day time.Time) string {
	return day.Format(time.DateOnly) + "T00:00:00+08:00"
}

type dashboardFacility struct {
	ID    string
	Title struct{ En, Zh string }
	Week  float64
	Weeks float64
}

// dashboardFacilities asks the API what the dashboard's facility panel asks, as of day.
func dashboardFacilities(t *testing.T, ts *testServer, v auth.Viewer, alliance string, day time.Time) []dashboardFacility {
	t.Helper()
	r := ts.queryAs(t, v, dashboardOperation(t, "DashboardFacilities"), map[string]any{"alliance": alliance, "first": 100,
		"from": shenyangMidnight(day), "week": shenyangMidnight(day.AddDate(0, 0, 7)), "weeks": shenyangMidnight(day.AddDate(0, 0, 28))})
	if len(r.Errors) > 0 {
		t.Fatalf("DashboardFacilities: %+v", r.Errors)
	}
	var data struct {
		Resources struct {
			Edges []struct{ Node dashboardFacility }
		}
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatal(err)
	}
	out := make([]dashboardFacility, len(data.Resources.Edges))
	for i, e := range data.Resources.Edges {
		out[i] = e.Node
	}
	return out
}

// facilityRows are the rows of the dashboard's facility table: id, English title and the
// two shares, in the order shown.
func facilityRows(t testing.TB, b *browser) []dashboardFacility {
	t.Helper()
	rows := evaluate[[][]string](t, b, `[...document.querySelectorAll('#facilities-table tbody tr')].map(tr => [tr.dataset.id, tr.cells[0].textContent, tr.dataset.week, tr.dataset.weeks])`)
	out := make([]dashboardFacility, len(rows))
	for i, r := range rows {
		out[i].ID, out[i].Title.En = r[0], r[1]
		var err error
		if out[i].Week, err = strconv.ParseFloat(r[2], 64); err != nil {
			t.Fatalf("row %d: week %q: %v", i, r[2], err)
		}
		if out[i].Weeks, err = strconv.ParseFloat(r[3], 64); err != nil {
			t.Fatalf("row %d: weeks %q: %v", i, r[3], err)
		}
	}
	return out
}

// sameFacilities says how the rows shown differ from the API's answer, if they do: the
// same facilities with the same shares, busiest over the four weeks first.
func sameFacilities(shown, api []dashboardFacility) string {
	if len(shown) != len(api) {
		return fmt.Sprintf("%d facilities shown, the API lists %d", len(shown), len(api))
	}
	want := make(map[string]dashboardFacility, len(api))
	for _, f := range api {
		want[f.ID] = f
	}
	for i, f := range shown {
		w, ok := want[f.ID]
		switch {
		case !ok:
			return fmt.Sprintf("row %d shows %s, which the API does not list", i, f.ID)
		case f.Title.En != w.Title.En || math.Abs(f.Week-w.Week) > 1e-9 || math.Abs(f.Weeks-w.Weeks) > 1e-9:
			return fmt.Sprintf("row %d shows %+v, the API answers %+v", i, f, w)
		case i > 0 && f.Weeks > shown[i-1].Weeks:
			return fmt.Sprintf("row %d (%.4f) is busier than row %d (%.4f): not busiest first", i, f.Weeks, i-1, shown[i-1].Weeks)
		}
	}
	return ""
}

// daysToGo is how the dashboard says how far off a competition is.
func daysToGo(days int) string {
	switch days {
	case 0:
		return "today"
	case 1:
		return "tomorrow"
	}
	return fmt.Sprintf("in %d days", days)
}

// TestDashboardShowsFacilityUseAndCompetitions: signed in with an ANALYST token, the
// dashboard shows the demo's training facilities with the share of their hours booked
// and the competitions to come, as the API answers them; a booking a member makes
// through the API reaches the feed under a readable label and raises its facility's
// share on the panel within two seconds, and its cancellation lowers it again.
func TestDashboardShowsFacilityUseAndCompetitions(t *testing.T) {
	ts := replicaWith(t, "browser-panels", bus.Options{}, nil)
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance ORDER BY id LIMIT 1")
	// The server's clock reads noon of the demo's day; the dashboard is shown as of it,
	// whose next four weeks hold the demo's class meetings.
	day := demoDay
	b := newBrowser(t, ts.URL)
	b.do(t, chromedp.Navigate(ts.URL+"/dashboard?today="+day.Format(time.DateOnly)+"#token="+ts.token(t, analyst)))
	b.waitFor(t, "dashboard ready", dashboardReady+` && document.body.dataset.facilities === 'ready' && document.body.dataset.competitions === 'ready'`, 10*time.Second)
	if shown := evaluate[string](t, b, `window.location.href`); strings.Contains(shown, "token") {
		t.Errorf("the address bar still shows the token: %s", shown)
	}

	// Facilities: every one the API lists, with its shares, busiest first.
	api := dashboardFacilities(t, ts, analyst, alliance, day)
	if len(api) == 0 {
		t.Fatal("the API lists no training facility in the demo")
	}
	busy := 0
	for _, f := range api {
		if f.Weeks > 0 {
			busy++
		}
	}
	if busy == 0 {
		t.Fatal("no demo facility has a booking in the four weeks after the demo's day: the panel would prove little")
	}
	shown := facilityRows(t, b)
	if diff := sameFacilities(shown, api); diff != "" {
		t.Fatalf("facilities: %s", diff)
	}
	if shown[0].Weeks == 0 {
		t.Errorf("the busiest facility shown is booked 0%% of its hours")
	}
	if note := evaluate[string](t, b, `document.querySelector('#facilities-window').textContent`); !strings.Contains(note, fmt.Sprintf("%d facilities", len(api))) {
		t.Errorf("the facility panel's note reads %q, not the %d facilities", note, len(api))
	}

	// Competitions: the next editions, with both names, the level, the date and the days
	// to go from the dashboard's day.
	var comps struct {
		Competitions struct {
			Edges []struct {
				Node struct {
					Name   struct{ En, Zh string }
					Level  string
					HeldOn string
				}
			}
		}
	}
	ts.data(t, `query($alliance: ID) { competitions(alliance: $alliance, filter: {upcoming: true}, first: 6) { edges { node { name { en zh } level heldOn } } } }`,
		map[string]any{"alliance": alliance}, &comps)
	if len(comps.Competitions.Edges) == 0 {
		t.Fatal("the demo has no competition to come")
	}
	items := evaluate[[][]string](t, b, `[...document.querySelectorAll('#competitions li')].map(li => [li.querySelector('.name').textContent, li.querySelector('.zh').textContent, li.dataset.level, li.dataset.heldOn, li.querySelector('.countdown').dataset.days, li.querySelector('.countdown').textContent])`)
	if len(items) != len(comps.Competitions.Edges) {
		t.Fatalf("%d competitions shown, the API lists %d: %v", len(items), len(comps.Competitions.Edges), items)
	}
	for i, e := range comps.Competitions.Edges {
		held, err := time.Parse(time.DateOnly, e.Node.HeldOn)
		if err != nil {
			t.Fatal(err)
		}
		days := int(held.Sub(day).Hours() / 24)
		want := []string{e.Node.Name.En, e.Node.Name.Zh, e.Node.Level, e.Node.HeldOn, strconv.Itoa(days), daysToGo(days)}
		if fmt.Sprint(items[i]) != fmt.Sprint(want) {
			t.Errorf("competition %d shows %q, want %q", i, items[i], want)
		}
	}
	if over := evaluate[int](t, b, `document.documentElement.scrollHeight - window.innerHeight`); over > 0 {
		t.Errorf("the page is %dpx taller than a 1440×900 window", over)
	}
	b.clean(t)

	// A member books the busiest facility for two free hours in the coming week.
	facility := shown[0]
	var free struct {
		Node struct {
			Provider     struct{ ID string }
			Availability []struct{ Start, End time.Time }
		}
	}
	ts.data(t, `query($id: ID!, $from: DateTime!, $to: DateTime!) { node(id: $id) { ... on TrainingFacility { provider { id } availability(from: $from, to: $to, minimumMinutes: 120) { start end } } } }`,
		map[string]any{"id": facility.ID, "from": shenyangMidnight(day.AddDate(0, 0, 1)), "to": shenyangMidnight(day.AddDate(0, 0, 7))}, &free)
	if len(free.Node.Availability) == 0 {
		t.Fatalf("%s has no two free hours in the coming week", facility.Title.En)
	}
	provider, err := relay.ParseIDOf(relay.TypeOrganization, free.Node.Provider.ID)
	if err != nil {
		t.Fatal(err)
	}
	start := free.Node.Availability[0].Start
	var made bookingPayload
	if errs, gqlErrs := mutate(t, ts, memberOf(provider), bookFacility, map[string]any{"facilityId": facility.ID, "purpose": "Dashboard test assessment",
		"start": start.Format(time.RFC3339), "end": start.Add(2 * time.Hour).Format(time.RFC3339)}, "bookFacility", &made); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("booking refused: %+v %+v", errs, gqlErrs)
	}
	booked := fmt.Sprintf(`[...document.querySelectorAll('#feed li[data-kind=%%s]')].some(li => li.querySelector('.kind').textContent === %%s && li.querySelector('.subject').textContent.startsWith(%s))`, strconv.Quote(facility.Title.En))
	took := b.waitFor(t, "the booking in the feed", fmt.Sprintf(booked, "FACILITY_BOOKED", strconv.Quote("Facility booked")), liveDeadline)
	t.Logf("the booking reached the feed %s after the mutation returned", took)
	rose := fmt.Sprintf(`(() => { const tr = document.querySelector('#facilities-table tr[data-id=%s]'); return tr && Number(tr.dataset.week) > %v && Number(tr.dataset.weeks) > %v; })()`,
		strconv.Quote(facility.ID), facility.Week, facility.Weeks)
	took = b.waitFor(t, "the facility's share rises", rose, liveDeadline)
	t.Logf("the facility's share rose %s after the booking reached the feed", took)
	after := dashboardFacilities(t, ts, analyst, alliance, day)
	if diff := sameFacilities(facilityRows(t, b), after); diff != "" {
		t.Errorf("facilities after the booking: %s", diff)
	}

	// Cancelled, the booking frees the hours again.
	if errs, gqlErrs := mutate(t, ts, memberOf(provider), cancelBooking, map[string]any{"id": made.FacilityBooking.ID, "version": made.FacilityBooking.Version},
		"cancelFacilityBooking", nil); len(errs)+len(gqlErrs) > 0 {
		t.Fatalf("cancellation refused: %+v %+v", errs, gqlErrs)
	}
	b.waitFor(t, "the cancellation in the feed", fmt.Sprintf(booked, "FACILITY_BOOKING_CANCELLED", strconv.Quote("Booking cancelled")), liveDeadline)
	fell := fmt.Sprintf(`(() => { const tr = document.querySelector('#facilities-table tr[data-id=%s]'); return tr && Number(tr.dataset.week) === %v && Number(tr.dataset.weeks) === %v; })()`,
		strconv.Quote(facility.ID), facility.Week, facility.Weeks)
	b.waitFor(t, "the facility's share back where it was", fell, liveDeadline)

	// Reloaded, the tab is still signed in, though the address bar no longer holds the
	// token: the cancellation, which anonymous viewers do not see, is among its events.
	b.do(t, chromedp.Reload())
	b.waitFor(t, "dashboard ready after a reload", dashboardReady, 10*time.Second)
	b.waitFor(t, "the cancellation in the reloaded feed", fmt.Sprintf(booked, "FACILITY_BOOKING_CANCELLED", strconv.Quote("Booking cancelled")), liveDeadline)
	b.clean(t)
}

// TestDashboardFacilitiesTakeStatementsIndependentOfTheirNumber: the facility panel's
// query reads every facility's utilization over two windows through the loader, so its
// statements do not grow with the number of facilities listed.
func TestDashboardFacilitiesTakeStatementsIndependentOfTheirNumber(t *testing.T) {
	ts := newServer(t)
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance ORDER BY id LIMIT 1")
	q := dashboardOperation(t, "DashboardFacilities")
	var counts []int64
	for _, n := range []int{2, 30} {
		vars := map[string]any{"alliance": alliance, "first": n, "from": shenyangMidnight(demoDay),
			"week": shenyangMidnight(demoDay.AddDate(0, 0, 7)), "weeks": shenyangMidnight(demoDay.AddDate(0, 0, 28))}
		counts = append(counts, statementsFor(t, ts, q, vars))
	}
	// The page and its count, the providers, and the busy time of each window.
	const bound = 6
	if counts[1] > counts[0] || counts[1] > bound {
		t.Errorf("2 and 30 facilities took %v statements: want no more for 30 than for 2, and at most %d", counts, bound)
	}
	t.Logf("2 and 30 facilities: %v statements", counts)
}
