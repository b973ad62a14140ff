package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/database"
	"github.com/alliance-graph/alliance-graph/internal/metrics"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/server"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// SoakEnv names the variable that turns the reliability test into a soak: set it to a
// duration (ALLIANCE_SOAK=10m) and the test repeats its kill-and-outage cycle that long.
const SoakEnv = "ALLIANCE_SOAK"

// fragileServer is a server whose every database connection, pool and event listener
// alike, runs through a proxy that the test can cut, as a database crash, restart or
// network partition would.
type fragileServer struct {
	*testServer
	proxy   *pgtest.Proxy
	metrics *metrics.Metrics
	open    *atomic.Int64
	client  *http.Client
}

// reliabilityApp names the fragile server's sessions in pg_stat_activity.
const reliabilityApp = "alliance-reliability"

func newFragileServer(t *testing.T) *fragileServer {
	t.Helper()
	proxy, err := pgtest.NewProxy(writeDB.URL)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(proxy.URL(writeDB.URL))
	q := u.Query()
	q.Set("application_name", reliabilityApp)
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithCancel(context.Background())
	db, err := database.Open(ctx, u.String(), false)
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(db, nil)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := bus.New(ctx, u.String(), st, quiet, bus.Options{MinReconnect: 50 * time.Millisecond, MaxReconnect: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	busDone := make(chan struct{})
	go func() { b.Run(ctx); close(busDone) }()
	fs := &fragileServer{
		testServer: &testServer{logs: &bytes.Buffer{}, auth: auth.New(auth.Config{Key: testKey}, st), db: writeDB, bus: b},
		proxy:      proxy,
		metrics:    metrics.New(metrics.Options{}),
		open:       &atomic.Int64{},
		client:     &http.Client{Timeout: 20 * time.Second},
	}
	lw := &lockedWriter{w: fs.logs}
	fs.logMu = &lw.mu
	fs.Server = httptest.NewServer(server.New(server.Config{
		Store: st, Auth: fs.auth, Bus: b, Logger: slog.New(slog.NewJSONHandler(lw, nil)),
		OpenStreams: fs.open, KeepAlive: time.Second, RequestTimeout: 5 * time.Second,
		Metrics: fs.metrics, ReadyTimeout: 500 * time.Millisecond,
		MaxWorkInFlight: -1, CostRate: -1, // the load is one client; this test is about outages
	}))
	t.Cleanup(func() {
		cancel()
		<-busDone
		for wait := time.Now().Add(5 * time.Second); fs.open.Load() > 0 && time.Now().Before(wait); {
			time.Sleep(5 * time.Millisecond)
		}
		fs.Close()
		db.Close()
		proxy.Close()
	})
	return fs
}

// outcome is what one request under load got.
type outcome struct {
	status int
	codes  []string // extensions.code of each error, "" when missing
	took   time.Duration
	err    error // transport failure or undecodable body
}

func (o outcome) ok() bool { return o.err == nil && o.status == http.StatusOK && len(o.codes) == 0 }

// unavailable reports whether the request failed only with UNAVAILABLE errors.
func (o outcome) unavailable() bool {
	if o.err != nil || len(o.codes) == 0 {
		return false
	}
	for _, c := range o.codes {
		if c != "UNAVAILABLE" {
			return false
		}
	}
	return true
}

const loadQuery = `query ReliabilityLoad { organizations(first: 10) { totalCount edges { node { id name { en } } } } }`

func (fs *fragileServer) post(query string) outcome {
	start := time.Now()
	body, _ := json.Marshal(map[string]any{"query": query})
	res, err := fs.client.Post(fs.URL+"/query", "application/json", bytes.NewReader(body))
	if err != nil {
		return outcome{err: err, took: time.Since(start)}
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	o := outcome{status: res.StatusCode, took: time.Since(start)}
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		o.err = fmt.Errorf("status %d, body %q: %w", res.StatusCode, raw, err)
		return o
	}
	for _, e := range r.Errors {
		code, _ := e.Extensions["code"].(string)
		o.codes = append(o.codes, code)
	}
	return o
}

// readiness is /readyz's answer.
type readiness struct {
	status int
	checks map[string]bool
}

func (fs *fragileServer) ready() readiness {
	res, err := fs.client.Get(fs.URL + "/readyz")
	if err != nil {
		return readiness{}
	}
	defer res.Body.Close()
	var body struct {
		Checks []struct {
			Name string
			OK   bool
		}
	}
	json.NewDecoder(res.Body).Decode(&body)
	r := readiness{status: res.StatusCode, checks: map[string]bool{}}
	for _, c := range body.Checks {
		r.checks[c.Name] = c.OK
	}
	return r
}

// load keeps workers querying until stop is closed, recording every outcome with the
// phase it started in.
type load struct {
	mu       sync.Mutex
	outcomes map[string][]outcome
	phase    atomic.Pointer[string]
	stop     chan struct{}
	wg       sync.WaitGroup
}

func startLoad(fs *fragileServer, workers int) *load {
	l := &load{outcomes: map[string][]outcome{}, stop: make(chan struct{})}
	l.setPhase("warm")
	for range workers {
		l.wg.Go(func() {
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				phase := *l.phase.Load()
				o := fs.post(loadQuery)
				l.mu.Lock()
				l.outcomes[phase] = append(l.outcomes[phase], o)
				l.mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	return l
}

func (l *load) setPhase(p string) { l.phase.Store(&p) }

func (l *load) finish() map[string][]outcome {
	close(l.stop)
	l.wg.Wait()
	return l.outcomes
}

// requestBound is the longest any request may take while the database is away: it
// must fail fast, not wait for the request timeout (5 s here).
const requestBound = 2 * time.Second

func TestTheServerRecoversFromLosingItsDatabaseUnderLoad(t *testing.T) {
	soak := time.Duration(0)
	if v := os.Getenv(SoakEnv); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("%s=%q: %v", SoakEnv, v, err)
		}
		soak = d
	}
	fs := newFragileServer(t)
	writer := replica(t, "reliability-writer") // connects directly: events happen during the outage
	if r := fs.ready(); r.status != http.StatusOK {
		t.Fatalf("readyz %d %v before anything happened", r.status, r.checks)
	}
	settle := func() int {
		fs.client.CloseIdleConnections()
		time.Sleep(300 * time.Millisecond)
		// The proxy stands for the network: its goroutines are not the server's, and
		// how many pooled connections it carries varies with the load just ended.
		return runtime.NumGoroutine() - 3*fs.proxy.Open()
	}
	baseline := settle()

	c, err := dial(t, fs.testServer, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("rel", eventsSubscription, map[string]any{"kinds": []string{"SKILL_CREATED"}})
	for wait := time.Now().Add(5 * time.Second); fs.bus.Subscribers() < 1 && time.Now().Before(wait); {
		time.Sleep(10 * time.Millisecond)
	}

	var created []string
	start := time.Now()
	for cycle := 1; ; cycle++ {
		created = append(created, reliabilityCycle(t, fs, writer, cycle)...)
		// Every event, made before, during or after the outage, arrives once, in order.
		for i, id := range created {
			if e := c.nextEvent("rel"); e.Node.SubjectID != id {
				t.Fatalf("cycle %d: event %d of %d is about %s, want %s", cycle, i+1, len(created), e.Node.SubjectID, id)
			}
		}
		created = nil
		if t.Failed() || time.Since(start) >= soak {
			break
		}
	}
	if m, err := c.read(300 * time.Millisecond); err == nil {
		t.Errorf("an extra message after every event: %s %s", m.Type, m.Payload)
	}
	c.conn.CloseNow()

	after := settle()
	for deadline := time.Now().Add(10 * time.Second); after > baseline && time.Now().Before(deadline); {
		after = settle()
	}
	if after > baseline {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before the load and the outage, %d after:\n%s", baseline, after, buf[:runtime.Stack(buf, true)])
	}
	if fs.bus.Reconnects() < 1 {
		t.Error("the event listener never reconnected")
	}
	m := scrape(t, fs.metrics)
	if m[`alliance_listener_reconnects_total`] < 1 || m[`alliance_graphql_errors_total{code="UNAVAILABLE"}`] < 1 || m[`alliance_listener_connected`] != 1 {
		t.Errorf("metrics after the outage: reconnects %v, UNAVAILABLE errors %v, listener connected %v",
			m[`alliance_listener_reconnects_total`], m[`alliance_graphql_errors_total{code="UNAVAILABLE"}`], m[`alliance_listener_connected`])
	}
}

// reliabilityCycle runs load through: a kill of every connection to the database, a
// held outage, and the recovery; it returns the ids of the skills it created, in order,
// which the subscription must deliver.
func reliabilityCycle(t *testing.T, fs *fragileServer, writer *testServer, cycle int) []string {
	t.Helper()
	var created []string
	create := func(step string) {
		created = append(created, createSkillAs(t, writer, fmt.Sprintf("REL.%d.%s.%d", cycle, strings.ToUpper(step), len(created))))
	}
	fs.logMu.Lock()
	fs.logs.Reset() // each cycle checks its own log lines; a soak would pile them up
	fs.logMu.Unlock()
	l := startLoad(fs, 4)
	time.Sleep(500 * time.Millisecond)

	// 1. Every session of the database ends at once, the server's pool and listener
	// among them; the database stays up.
	l.setPhase("terminate")
	for range 3 {
		// Kill again once the server has reconnected: how soon it does under load
		// depends on how busy the machine is, not on a fixed pause.
		var n int
		for deadline := time.Now().Add(5 * time.Second); n == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			n = sqlIntIn(t, writeDB, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", writeDB.Name)
		}
		if n == 0 {
			t.Fatal("no session to terminate: the server did not reconnect within 5 s")
		}
		time.Sleep(250 * time.Millisecond)
	}
	l.setPhase("after-terminate")
	time.Sleep(500 * time.Millisecond)
	create("before")

	// 2. The database goes away for a while: connections are cut and new ones refused.
	l.setPhase("outage")
	fs.proxy.Down()
	sawRed := false
	for until := time.Now().Add(1500 * time.Millisecond); time.Now().Before(until); {
		if r := fs.ready(); r.status == http.StatusServiceUnavailable && !r.checks["database"] && !r.checks["listener"] {
			sawRed = true
		}
		if len(created) < 4 {
			create("during") // committed while the server cannot see the database
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !sawRed {
		t.Errorf("cycle %d: /readyz never reported the database and listener down during the outage", cycle)
	}

	// 3. The database returns; nothing is restarted.
	l.setPhase("recovery")
	back := time.Now()
	if err := fs.proxy.Up(); err != nil {
		t.Fatal(err)
	}
	var readyAfter, servingAfter time.Duration
	for deadline := back.Add(10 * time.Second); (readyAfter == 0 || servingAfter == 0) && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if servingAfter == 0 && fs.post(loadQuery).ok() {
			servingAfter = time.Since(back)
		}
		if readyAfter == 0 && fs.ready().status == http.StatusOK {
			readyAfter = time.Since(back)
		}
	}
	if readyAfter == 0 || servingAfter == 0 {
		t.Fatalf("cycle %d: 10 s after the database returned: ready after %v, serving after %v (0: never)", cycle, readyAfter, servingAfter)
	}
	t.Logf("cycle %d: queries succeed %v and /readyz is green %v after the database returned", cycle, servingAfter.Round(time.Millisecond), readyAfter.Round(time.Millisecond))
	l.setPhase("recovered")
	create("after")
	time.Sleep(700 * time.Millisecond)
	outcomes := l.finish()

	for phase, list := range outcomes {
		var ok, unavailable int
		for _, o := range list {
			switch {
			case o.took > requestBound:
				t.Errorf("cycle %d, %s: a request took %v", cycle, phase, o.took)
			case o.ok():
				ok++
			case o.unavailable():
				unavailable++
			case phase == "recovered":
			default:
				t.Errorf("cycle %d, %s: a request ended with status %d, codes %v, error %v", cycle, phase, o.status, o.codes, o.err)
			}
			if phase == "recovered" && !o.ok() {
				t.Errorf("cycle %d: after recovery a request ended with status %d, codes %v, error %v", cycle, o.status, o.codes, o.err)
			}
		}
		t.Logf("cycle %d, %s: %d requests, %d answered, %d UNAVAILABLE", cycle, phase, len(list), ok, unavailable)
		if phase == "outage" && unavailable == 0 {
			t.Errorf("cycle %d: no request was refused with UNAVAILABLE during the outage", cycle)
		}
		if (phase == "recovered" || phase == "warm") && ok == 0 {
			t.Errorf("cycle %d, %s: no request succeeded", cycle, phase)
		}
	}
	if !strings.Contains(fs.logText(), `"error_codes":["UNAVAILABLE"]`) {
		t.Errorf("cycle %d: no request log line lists the UNAVAILABLE code", cycle)
	}
	return created
}
