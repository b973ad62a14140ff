package server_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/server"
)

// The browser tests drive headless Chromium (Debian's chromium package, which make test
// installs). They run wherever the tests run; only with ALLIANCE_BROWSER_TESTS=optional
// may a machine without Chromium skip them.
const (
	browserTestsEnv = "ALLIANCE_BROWSER_TESTS"
	// screenshotsEnv names a folder for docs/dashboard.png and docs/playground.png
	// (make screenshots sets it to docs).
	screenshotsEnv = "ALLIANCE_SCREENSHOTS"
	// liveDeadline is how soon a change must show on the dashboard (issue #8).
	liveDeadline = 2 * time.Second
)

// browser is one headless Chromium with one tab. It records every request the page
// makes that is not for the server under test, and every error the page reports.
type browser struct {
	ctx    context.Context
	origin *url.URL

	mu       sync.Mutex
	outside  []string // requests to anywhere but origin
	problems []string // exceptions, console errors, browser log errors (CSP violations...)
}

func chromiumPath(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(browserTestsEnv) == "optional" {
		t.Skipf("no Chromium on this machine and %s=optional", browserTestsEnv)
	}
	t.Fatalf("Chromium is needed for the browser tests: apt-get install -y chromium (or set %s=optional to skip them)", browserTestsEnv)
	return ""
}

// newBrowser starts Chromium for pages of origin, with a fresh profile. The flags keep
// it from calling home: on a closed network its background connections are refused.
func newBrowser(t testing.TB, origin string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	u, err := url.Parse(origin)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{ctx: ctx, origin: u}
	if err := chromedp.Listen(ctx, b.observe); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	// The screenshots show a laptop's screen.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	// Measure cold loads: every asset comes from the server each time.
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *browser) observe(ev any) {
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.request(e.Request.URL)
	case *network.EventWebSocketCreated:
		b.request(e.URL)
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		text := d.Text
		if d.Exception != nil {
			text += " " + d.Exception.Description
		}
		b.problem(fmt.Sprintf("exception: %s at %s:%d", text, d.URL, d.LineNumber))
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError {
			var args []string
			for _, a := range e.Args {
				args = append(args, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			b.problem("console.error: " + strings.Join(args, " "))
		}
	case *cdplog.EventEntryAdded:
		if e.Entry.Level == cdplog.EntryLevelError {
			b.problem(fmt.Sprintf("browser log (%s): %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
		}
	}
}

func (b *browser) request(raw string) {
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme == "data" || u.Scheme == "blob" || u.Scheme == "about") {
		return
	}
	if err != nil || u.Host != b.origin.Host {
		b.mu.Lock()
		b.outside = append(b.outside, raw)
		b.mu.Unlock()
	}
}

func (b *browser) problem(p string) {
	b.mu.Lock()
	b.problems = append(b.problems, p)
	b.mu.Unlock()
}

// clean fails the test if the page reached beyond the server or reported errors so far,
// then forgets them.
func (b *browser) clean(t testing.TB) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, u := range b.outside {
		t.Errorf("the page requested %s: only %s may be asked", u, b.origin.Host)
	}
	for _, p := range b.problems {
		t.Errorf("the page reported an error: %s", p)
	}
	b.outside, b.problems = nil, nil
}

// forgetProblems drops the errors reported so far: a dropped connection makes the
// browser log failed WebSocket attempts, as it should.
func (b *browser) forgetProblems() {
	b.mu.Lock()
	b.problems = nil
	b.mu.Unlock()
}

func (b *browser) do(t testing.TB, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func evaluate[T any](t testing.TB, b *browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds, and says how long that took.
func (b *browser) waitFor(t testing.TB, what, js string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(within))); err != nil {
		t.Fatalf("%s: not within %s: %v", what, within, err)
	}
	return time.Since(start)
}

func (b *browser) screenshot(t testing.TB, name string) {
	t.Helper()
	dir := os.Getenv(screenshotsEnv)
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(dir) {
		// go test runs in the package folder; the folder is named from the module root.
		dir = filepath.Join("..", "..", dir)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// proxiedReplica is a server with its event bus over the writable database, reached
// through a proxy that a test can cut, as a network would drop the browser's connection.
func proxiedReplica(t *testing.T) (*testServer, *pgtest.Proxy, string) {
	t.Helper()
	ts := replicaWith(t, "browser", bus.Options{MinReconnect: 50 * time.Millisecond, MaxReconnect: 200 * time.Millisecond}, nil)
	proxy, err := pgtest.NewProxy(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
	return ts, proxy, proxy.URL(ts.URL)
}

const postOpening = `mutation($input: PostJobOpeningInput!) { postJobOpening(input: $input) { jobOpening { id } userErrors { field code message } } }`

func postOpeningIn(t *testing.T, ts *testServer, title string, positions int) {
	t.Helper()
	alliance := ts.firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance ORDER BY id LIMIT 1")
	company := ts.firstKey(t, relay.TypeOrganization, "SELECT id FROM organization WHERE kind = 'COMPANY' ORDER BY id LIMIT 1")
	if ue, errs := mutate(t, ts, admin, postOpening, map[string]any{"allianceId": alliance, "providerId": company,
		"title": map[string]any{"en": title, "zh": "数控机床操作工"}, "positions": positions, "employmentType": "FULL_TIME"}, "postJobOpening", nil); len(ue)+len(errs) > 0 {
		t.Fatalf("post opening %q: %+v %+v", title, ue, errs)
	}
}

// feedHas is a JavaScript condition: the feed shows n events about title.
func feedHas(title string, n int) string {
	return fmt.Sprintf(`[...document.querySelectorAll('#feed li')].filter(li => li.textContent.includes(%s)).length === %d`, strconv.Quote(title), n)
}

func tile(t testing.TB, b *browser, stat string) int {
	t.Helper()
	text := evaluate[string](t, b, fmt.Sprintf(`document.querySelector('[data-stat=%q]').textContent`, stat))
	n, err := strconv.Atoi(strings.ReplaceAll(text, ",", ""))
	if err != nil {
		t.Fatalf("tile %s shows %q, not a number", stat, text)
	}
	return n
}

// dashboardReady: figures drawn, subscriptions connected, counters shown.
const dashboardReady = `document.body.dataset.figures === 'ready' && document.body.dataset.connection === 'live' && /\d/.test(document.querySelector('[data-stat=members]').textContent)`

// TestDashboardShowsTheAllianceLiveAndResumesAfterADrop: the dashboard draws the API's
// figures, a change made through the API reaches its feed and counters within two
// seconds, and after a dropped connection it shows what happened meanwhile, once.
func TestDashboardShowsTheAllianceLiveAndResumesAfterADrop(t *testing.T) {
	ts, proxy, origin := proxiedReplica(t)
	b := newBrowser(t, origin)
	b.do(t, chromedp.Navigate(origin+"/dashboard"))
	took := b.waitFor(t, "dashboard ready", dashboardReady, 10*time.Second)
	t.Logf("dashboard usable %s after its load event", took)

	// The charts show what the API answers.
	var api struct {
		Analytics struct {
			MembersByKind []struct {
				Kind  string
				Count int
			}
			ResourcesByCategory []struct {
				Category string
				Count    int
			}
		}
		AllianceStats struct{ Members int }
	}
	// As the dashboard asks: members and resources of today.
	today := time.Now().UTC().Format(time.DateOnly)
	ts.data(t, `query($today: Date!) { analytics(period: {from: $today, to: $today}) { membersByKind { kind count } resourcesByCategory { category count } } }`, map[string]any{"today": today}, &api)
	shown := evaluate[[][]string](t, b, `[...document.querySelectorAll('#members-table tbody tr')].map(tr => [...tr.cells].map(c => c.textContent))`)
	if len(shown) != len(api.Analytics.MembersByKind) || len(shown) == 0 {
		t.Fatalf("members by kind shows %v, the API answers %+v", shown, api.Analytics.MembersByKind)
	}
	members := 0
	for i, m := range api.Analytics.MembersByKind {
		members += m.Count
		if !strings.EqualFold(strings.ReplaceAll(shown[i][0], " ", "_"), m.Kind) || shown[i][1] != strconv.Itoa(m.Count) {
			t.Errorf("members by kind row %d shows %v, the API answers %s %d", i, shown[i], m.Kind, m.Count)
		}
	}
	if got := tile(t, b, "members"); got != members {
		t.Errorf("the members tile shows %d, the API counts %d members by kind", got, members)
	}
	if rows := evaluate[int](t, b, `document.querySelectorAll('#resources-table tbody tr').length`); rows != len(api.Analytics.ResourcesByCategory) {
		t.Errorf("resources by category shows %d rows, the API %d", rows, len(api.Analytics.ResourcesByCategory))
	}
	if rows := evaluate[int](t, b, `document.querySelectorAll('#gaps-table tbody tr').length`); rows == 0 {
		t.Error("no skill gap is shown")
	}
	if rows := evaluate[int](t, b, `document.querySelectorAll('#partnerships-table tbody tr').length`); rows == 0 {
		t.Error("no partnership month is shown")
	}
	// Employment outcomes: every year of entry since the founding, as the API counts it.
	var outcomes struct {
		EmploymentOutcomes struct {
			Edges []struct {
				Node struct {
					Key    struct{ Year int }
					Cohort int
				}
			}
		}
		Alliances struct {
			Edges []struct{ Node struct{ FoundedOn string } }
		}
	}
	ts.data(t, `{ employmentOutcomes(groupBy: YEAR) { edges { node { key { year } cohort } } } alliances(first: 1) { edges { node { foundedOn } } } }`, nil, &outcomes)
	founded, _ := strconv.Atoi(outcomes.Alliances.Edges[0].Node.FoundedOn[:4])
	want := map[string]string{}
	for _, e := range outcomes.EmploymentOutcomes.Edges {
		if e.Node.Key.Year >= founded {
			want[strconv.Itoa(e.Node.Key.Year)] = strconv.Itoa(e.Node.Cohort)
		}
	}
	years := evaluate[[][]string](t, b, `[...document.querySelectorAll('#outcomes-table tbody tr')].map(tr => [...tr.cells].map(c => c.textContent))`)
	if len(years) != len(want) || len(years) == 0 {
		t.Errorf("employment outcomes show %v, the API counts %v", years, want)
	}
	for _, y := range years {
		if want[y[0]] != y[1] {
			t.Errorf("employment outcomes of %s show a cohort of %s, the API counts %s", y[0], y[1], want[y[0]])
		}
	}
	if rows := evaluate[int](t, b, `document.querySelectorAll('#growth-table tbody tr').length`); rows == 0 {
		t.Error("no quarter of membership growth is shown")
	}
	// The facilities and the competitions to come, which anonymous viewers see too
	// (TestDashboardShowsFacilityUseAndCompetitions checks their figures).
	b.waitFor(t, "facilities and competitions shown", `document.body.dataset.facilities === 'ready' && document.body.dataset.competitions === 'ready'`, 5*time.Second)
	if rows := evaluate[int](t, b, `document.querySelectorAll('#facilities-table tbody tr').length`); rows == 0 {
		t.Error("no training facility is shown")
	}
	if items := evaluate[int](t, b, `document.querySelectorAll('#competitions li').length`); items == 0 {
		t.Error("no competition to come is shown")
	}
	if over := evaluate[int](t, b, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
		t.Errorf("the page is %dpx wider than a 1440px window", over)
	}
	b.clean(t)

	// A change made through the API.
	open := tile(t, b, "openPositions")
	first := fmt.Sprintf("Browser-test CNC machinist %d", time.Now().UnixNano())
	postOpeningIn(t, ts, first, 7)
	took = b.waitFor(t, "the new opening in the feed", feedHas(first, 1), liveDeadline)
	t.Logf("the event reached the feed %s after the mutation returned", took)
	b.waitFor(t, "open positions counted", fmt.Sprintf(`document.querySelector('[data-stat=openPositions]').textContent.replaceAll(',', '') === '%d'`, open+7), liveDeadline)
	b.screenshot(t, "dashboard.png")
	b.clean(t)

	// The connection drops; a change happens meanwhile; the connection comes back.
	proxy.Down()
	b.waitFor(t, "the dashboard notices the drop", `document.body.dataset.connection === 'reconnecting'`, 10*time.Second)
	second := fmt.Sprintf("Browser-test welder %d", time.Now().UnixNano())
	postOpeningIn(t, ts, second, 2)
	if err := proxy.Up(); err != nil {
		t.Fatal(err)
	}
	b.waitFor(t, "the change made while disconnected", feedHas(second, 1), 15*time.Second)
	b.waitFor(t, "counters after the reconnect", fmt.Sprintf(`document.querySelector('[data-stat=openPositions]').textContent.replaceAll(',', '') === '%d'`, open+9), liveDeadline)
	// The replay started after the last event seen: nothing shown twice.
	if n := evaluate[int](t, b, `(() => { const c = [...document.querySelectorAll('#feed li')].map(li => li.dataset.cursor); return c.length - new Set(c).size; })()`); n != 0 {
		t.Errorf("%d events are shown twice after the reconnect", n)
	}
	b.waitFor(t, "the first change shown once", feedHas(first, 1), time.Second)
	b.forgetProblems() // the failed reconnection attempts
	b.clean(t)
}

// TestDashboardWorksUnderTrustedDocuments: on a server that runs only the documents of a
// manifest which does not list the dashboard's, the dashboard still draws its figures and
// follows the feed live: it sends its built-in operations by id, never as text.
func TestDashboardWorksUnderTrustedDocuments(t *testing.T) {
	path, _, _ := trustedManifest(t)
	trusted, err := server.LoadTrustedDocuments(path)
	if err != nil {
		t.Fatal(err)
	}
	ts := replicaWith(t, "browser-trusted", bus.Options{}, func(c *server.Config) {
		c.TrustedDocuments = trusted
		c.FreeFormRoles = []auth.Role{auth.RoleAdmin} // postOpeningIn writes with a free-form mutation
	})
	b := newBrowser(t, ts.URL)
	b.do(t, chromedp.Navigate(ts.URL+"/dashboard"))
	b.waitFor(t, "dashboard ready", dashboardReady, 10*time.Second)
	if rows := evaluate[int](t, b, `document.querySelectorAll('#members-table tbody tr').length`); rows == 0 {
		t.Error("no member kind is shown")
	}
	title := fmt.Sprintf("Trusted-documents welder %d", time.Now().UnixNano())
	postOpeningIn(t, ts, title, 1)
	b.waitFor(t, "the new opening in the feed", feedHas(title, 1), liveDeadline)
	b.clean(t)
}

// TestChineseNamesRenderWithTheEmbeddedFont: on a machine without a CJK font (the test
// machine has none), the alliance's Chinese name in the dashboard's header, and in the
// playground's answer, is drawn with the embedded Noto Sans SC, not as empty boxes of a
// fallback font.
func TestChineseNamesRenderWithTheEmbeddedFont(t *testing.T) {
	ts := replicaWith(t, "browser-font", bus.Options{}, nil)
	b := newBrowser(t, ts.URL)
	b.do(t, chromedp.Navigate(ts.URL+"/dashboard"))
	b.waitFor(t, "the Chinese name in the header", `/\p{Script=Han}/u.test(document.querySelector('#subtitle').textContent)`, 10*time.Second)
	b.waitFor(t, "the embedded font loaded", embeddedFontLoaded, 10*time.Second)
	drawnWithEmbeddedFont(t, b, "the dashboard's header", "#subtitle")
	b.clean(t)

	b.do(t, chromedp.Navigate(ts.URL+"/"))
	b.waitFor(t, "GraphiQL", `!!document.querySelector('.graphiql-execute-button')`, 10*time.Second)
	b.do(t, chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)))
	// The innermost element of the answer holding a Chinese name, marked for the query.
	b.waitFor(t, "a Chinese name in the answer", `(() => {
		const s = [...document.querySelectorAll('.result-window .CodeMirror-line span')].find(s => !s.children.length && /\p{Script=Han}/u.test(s.textContent));
		if (s) s.dataset.han = '';
		return !!s;
	})()`, 10*time.Second)
	b.waitFor(t, "the embedded font loaded", embeddedFontLoaded, 10*time.Second)
	drawnWithEmbeddedFont(t, b, "the playground's answer", ".result-window [data-han]")
	b.clean(t)
}

const embeddedFontLoaded = `[...document.fonts].some(f => f.family.replace(/["']/g, '') === 'Noto Sans SC' && f.status === 'loaded')`

// drawnWithEmbeddedFont fails unless every hanzi of the element selector is drawn with
// the embedded Noto Sans SC.
func drawnWithEmbeddedFont(t *testing.T, b *browser, what, selector string) {
	t.Helper()
	hanzi := evaluate[int](t, b, fmt.Sprintf(`(document.querySelector(%q).textContent.match(/\p{Script=Han}/gu) ?? []).length`, selector))
	var drawn float64
	var used []string
	for _, f := range renderingFonts(t, b, selector) {
		used = append(used, fmt.Sprintf("%s (custom %v, %v glyphs)", f.FamilyName, f.IsCustomFont, f.GlyphCount))
		if f.IsCustomFont && strings.Contains(f.FamilyName, "Noto Sans SC") {
			drawn += f.GlyphCount
		}
	}
	if hanzi == 0 || drawn < float64(hanzi) {
		t.Errorf("%s: its %d hanzi are drawn with %v, want them all in the embedded Noto Sans SC", what, hanzi, used)
	}
}

// renderingFonts are the fonts the browser drew the text of the element selector with.
func renderingFonts(t *testing.T, b *browser, selector string) []*css.PlatformFontUsage {
	t.Helper()
	if _, err := chromedp.Call(b.ctx, dom.Enable, dom.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, css.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	doc, err := chromedp.Call(b.ctx, dom.GetDocument, dom.GetDocumentParams{})
	if err != nil {
		t.Fatal(err)
	}
	node, err := chromedp.Call(b.ctx, dom.QuerySelector, dom.QuerySelectorParams{NodeID: doc.Root.NodeID, Selector: selector})
	if err != nil {
		t.Fatal(err)
	}
	fonts, err := chromedp.Call(b.ctx, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: node.NodeID})
	if err != nil {
		t.Fatal(err)
	}
	return fonts.Fonts
}

// TestPlaygroundWorksOffline: GraphiQL loads from the server alone, documents the schema,
// runs the example query and streams a subscription.
func TestPlaygroundWorksOffline(t *testing.T) {
	ts, _, origin := proxiedReplica(t)
	b := newBrowser(t, origin)
	b.do(t, chromedp.Navigate(origin+"/"))
	b.waitFor(t, "GraphiQL", `!!document.querySelector('.graphiql-execute-button') && !!document.querySelector('.graphiql-query-editor .CodeMirror')`, 10*time.Second)

	// The schema documentation.
	b.do(t, chromedp.Click(chromedp.CSS(`button[aria-label="Show Documentation Explorer"]`)))
	b.waitFor(t, "the documentation explorer", `(document.querySelector('.graphiql-doc-explorer')?.textContent ?? '').includes('Subscription')`, 10*time.Second)

	// The example query a first visit shows, run.
	if q := evaluate[string](t, b, `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue()`); !strings.Contains(q, "query Alliance") {
		t.Fatalf("the editor holds %q, not the example query", q)
	}
	b.do(t, chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)))
	b.waitFor(t, "the example's answer", `document.querySelector('.result-window').textContent.includes('Shenyang')`, 10*time.Second)
	b.screenshot(t, "playground.png")
	b.clean(t)

	// A subscription, over the playground's WebSocket.
	b.do(t, chromedp.Evaluate[chromedp.Void](`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(
		'subscription Feed { events { cursor node { kind subject { ... on SharedResource { title { en } } } } } }')`))
	// GraphiQL reads the operation name from the editor after a short debounce.
	b.waitFor(t, "the editor parsed", `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.operationName === 'Feed'`, 2*time.Second)
	b.do(t, chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)))
	// The subscription is live once the server counts it.
	b.waitFor(t, "the subscription running", `!!document.querySelector('.graphiql-execute-button[aria-label^="Stop query"]')`, 5*time.Second)
	waitUntil(t, "the server holds the subscription", 5*time.Second, func() bool { return ts.bus.Subscribers() > 0 })
	title := fmt.Sprintf("Playground welder %d", time.Now().UnixNano())
	postOpeningIn(t, ts, title, 1)
	b.waitFor(t, "the event in the result pane", fmt.Sprintf(`document.querySelector('.result-window').textContent.includes(%s)`, strconv.Quote(title)), 5*time.Second)
	b.clean(t)
}

// waitUntil polls a condition of the server side until it holds.
func waitUntil(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
	}
}

// playgroundReady: the editor is up and knows the schema (completion, linting, docs).
const playgroundReady = `(() => { const cm = document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror; return !!cm && !!cm.options.hintOptions?.schema && !!document.querySelector('.graphiql-execute-button'); })()`

// BenchmarkPagesUsable measures how long each page takes in headless Chromium, over
// loopback with the browser cache off (every asset fetched again), from navigation until
// it is usable: the playground's editor knowing the schema, the dashboard's figures drawn
// and its subscriptions connected.
//
//	go test -run '^$' -bench PagesUsable -benchtime 20x ./internal/server
func BenchmarkPagesUsable(b *testing.B) {
	ts := replicaWith(b, "bench-pages", bus.Options{}, nil)
	br := newBrowser(b, ts.URL)
	for _, page := range []struct{ name, path, ready string }{
		{"playground", "/", playgroundReady},
		{"dashboard", "/dashboard", dashboardReady},
	} {
		b.Run(page.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				br.do(b, chromedp.Navigate(ts.URL+page.path))
				br.waitFor(b, page.name+" usable", page.ready, 10*time.Second)
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(percentileMs(took, 0.50), "p50-ms")
			b.ReportMetric(percentileMs(took, 1), "max-ms")
			br.clean(b)
		})
	}
}
