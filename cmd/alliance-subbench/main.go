// Command alliance-subbench measures live subscriptions with the clients in a process of
// their own: for each number of subscribers it starts `alliance serve` afresh on a seeded
// database, opens that many WebSockets over loopback, each subscribing to the same
// document, commits events one at a time (a transaction of the store appending to the
// event log, as every write does), and measures, at every subscriber, the time from the
// start of that transaction to the event's delivery. It
// reads the server's memory (RSS from /proc, Go heap from its metrics) before and after
// the subscribers joined, its CPU time per event, and how many times each event was
// resolved, and writes a Markdown table.
//
//	make bench-subs    # bin/alliance and this command, ulimit raised, 1,000 and 10,000
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/store"
)

// document is what every subscriber sends: the event, and its subject read from the
// database, which is what makes resolving an event cost a statement.
const document = `subscription Feed { events(kinds: [SKILL_UPDATED]) { cursor node { kind subjectId occurredAt payload subject { ... on Skill { code version description name { en zh } } } } } }`

type options struct {
	binary, databaseURL, addr, metricsAddr, out string
	levels                                      []level
	events                                      int
	pause                                       time.Duration
	dialers                                     int
}

func main() {
	var o options
	var levels string
	flag.StringVar(&o.binary, "server", "bin/alliance", "the alliance binary to serve with")
	flag.StringVar(&o.databaseURL, "database-url", "postgres://postgres@127.0.0.1:5432/alliance_subbench?sslmode=disable", "database to serve (created and seeded with the demo on first start)")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:18090", "address the server listens on")
	flag.StringVar(&o.metricsAddr, "metrics-addr", "127.0.0.1:18091", "address of the server's metrics")
	flag.StringVar(&levels, "subscribers", "1000,10000", "comma-separated numbers of subscribers, one run each; N/k puts k subscriptions on each of N/k sockets; a trailing ! gives each subscriber a document of its own (nothing shared)")
	flag.IntVar(&o.events, "events", 30, "events committed per run")
	flag.DurationVar(&o.pause, "pause", 200*time.Millisecond, "pause between one event's last delivery and the next write")
	flag.IntVar(&o.dialers, "dialers", 64, "sockets opened at once")
	flag.StringVar(&o.out, "out", "bench/out/subs.md", "Markdown table written here")
	flag.Parse()
	for _, f := range strings.Split(levels, ",") {
		l, err := parseLevel(strings.TrimSpace(f))
		if err != nil {
			fmt.Fprintf(os.Stderr, "alliance-subbench: bad --subscribers %q: %v\n", levels, err)
			os.Exit(2)
		}
		o.levels = append(o.levels, l)
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintf(os.Stderr, "alliance-subbench: %v\n", err)
		os.Exit(1)
	}
}

// level is one run: subscribers on subscribers/perSocket sockets; distinct gives each
// subscriber a document of its own (its operation named after it), which nobody
// shares: what every subscriber costs when each is resolved apart.
type level struct {
	subscribers, perSocket int
	distinct               bool
}

func parseLevel(f string) (level, error) {
	f, distinct := strings.CutSuffix(f, "!")
	total, per, found := strings.Cut(f, "/")
	l := level{perSocket: 1, distinct: distinct}
	var err error
	if l.subscribers, err = strconv.Atoi(total); err != nil || l.subscribers <= 0 {
		return l, errors.New("a positive number of subscribers")
	}
	if found {
		if l.perSocket, err = strconv.Atoi(per); err != nil || l.perSocket <= 0 || l.subscribers%l.perSocket != 0 {
			return l, errors.New("subscriptions per socket dividing the subscribers")
		}
	}
	return l, nil
}

// result is one run's figures.
type result struct {
	subscribers, perSocket, events  int
	distinct                        bool
	p50, p99, max                   time.Duration
	writeP50                        time.Duration
	rssPerSub, heapPerSub, stackPer float64 // bytes
	rssBefore, rssAfter             int64
	resolutionsPerEvent, cpuMsEvent float64
	clientCPUMsEvent                float64 // this process's, which shares the machine
}

func run(ctx context.Context, o options) error {
	var results []result
	for _, l := range o.levels {
		n := l.subscribers
		r, err := runLevel(ctx, o, l)
		if err != nil {
			return fmt.Errorf("%d subscribers: %w", n, err)
		}
		fmt.Printf("%d subscribers: p50 %v p99 %v max %v; server %.1f KiB RSS and %.1f KiB heap a subscriber; %.2f resolutions and %.1f ms CPU an event (clients %.1f ms)\n",
			n, r.p50.Round(100*time.Microsecond), r.p99.Round(100*time.Microsecond), r.max.Round(100*time.Microsecond), r.rssPerSub/1024, r.heapPerSub/1024, r.resolutionsPerEvent, r.cpuMsEvent, r.clientCPUMsEvent)
		results = append(results, r)
	}
	return writeTable(o.out, results)
}

func runLevel(ctx context.Context, o options, l level) (result, error) {
	n := l.subscribers
	srv, err := startServer(ctx, o, n)
	if err != nil {
		return result{}, err
	}
	defer srv.stop()
	api := &client{url: "http://" + o.addr + "/query"}
	skill, err := api.firstSkill(ctx)
	if err != nil {
		return result{}, err
	}
	db, err := sqlx.Open("postgres", o.databaseURL)
	if err != nil {
		return result{}, err
	}
	defer db.Close()
	events := store.New(db, nil)
	commit := func(i int) error {
		return events.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.AppendEvent(ctx, store.Event{Kind: "SKILL_UPDATED", SubjectID: skill, Actor: "subbench", ActorRole: "SYSTEM",
				Payload: json.RawMessage(fmt.Sprintf(`{"subbench": %d}`, i))})
			return err
		})
	}
	// One event before measuring, which nobody receives: the pool's first connection.
	if err := commit(-1); err != nil {
		return result{}, fmt.Errorf("commit an event: %w", err)
	}
	time.Sleep(time.Second)
	rssBefore, err := rss(srv.cmd.Process.Pid)
	if err != nil {
		return result{}, err
	}
	heapBefore, err := metric(ctx, o.metricsAddr, "go_memstats_heap_inuse_bytes")
	if err != nil {
		return result{}, err
	}
	stackBefore, err := metric(ctx, o.metricsAddr, "go_memstats_stack_inuse_bytes")
	if err != nil {
		return result{}, err
	}

	received := make([][]atomic.Int64, o.events) // [event][subscriber] unix nanos
	for i := range received {
		received[i] = make([]atomic.Int64, n)
	}
	subs, err := subscribe(ctx, o, l, received)
	if err != nil {
		return result{}, err
	}
	defer subs.close()
	if err := waitMetric(ctx, o.metricsAddr, "alliance_graphql_active_subscriptions", float64(n), 2*time.Minute); err != nil {
		return result{}, err
	}
	time.Sleep(2 * time.Second) // handshakes' garbage collected, stacks settled
	rssAfter, err := rss(srv.cmd.Process.Pid)
	if err != nil {
		return result{}, err
	}
	heapAfter, err := metric(ctx, o.metricsAddr, "go_memstats_heap_inuse_bytes")
	if err != nil {
		return result{}, err
	}
	stackAfter, err := metric(ctx, o.metricsAddr, "go_memstats_stack_inuse_bytes")
	if err != nil {
		return result{}, err
	}
	resolutionsBefore, err := metric(ctx, o.metricsAddr, "alliance_graphql_subscription_resolutions_total")
	if err != nil {
		return result{}, err
	}
	cpuBefore, err := cpuTime(srv.cmd.Process.Pid)
	if err != nil {
		return result{}, err
	}
	clientBefore, err := cpuTime(os.Getpid())
	if err != nil {
		return result{}, err
	}

	var latencies, writes []time.Duration
	for i := range o.events {
		start := time.Now()
		if err := commit(i); err != nil {
			return result{}, fmt.Errorf("commit an event: %w", err)
		}
		writes = append(writes, time.Since(start))
		deadline := time.Now().Add(time.Minute)
		for {
			got := 0
			for s := range received[i] {
				if received[i][s].Load() != 0 {
					got++
				}
			}
			if got == n {
				break
			}
			if time.Now().After(deadline) {
				return result{}, fmt.Errorf("event %d reached %d of %d subscribers in a minute", i, got, n)
			}
			time.Sleep(time.Millisecond)
		}
		for s := range received[i] {
			latencies = append(latencies, time.Duration(received[i][s].Load()-start.UnixNano()))
		}
		time.Sleep(o.pause)
	}
	cpuAfter, err := cpuTime(srv.cmd.Process.Pid)
	if err != nil {
		return result{}, err
	}
	clientAfter, err := cpuTime(os.Getpid())
	if err != nil {
		return result{}, err
	}
	resolutionsAfter, err := metric(ctx, o.metricsAddr, "alliance_graphql_subscription_resolutions_total")
	if err != nil {
		return result{}, err
	}
	if failed := subs.failed.Load(); failed > 0 {
		return result{}, fmt.Errorf("%d subscribers' sockets failed during the run", failed)
	}
	slices.Sort(latencies)
	slices.Sort(writes)
	return result{
		subscribers: n, perSocket: l.perSocket, distinct: l.distinct, events: o.events,
		p50: percentile(latencies, 0.50), p99: percentile(latencies, 0.99), max: latencies[len(latencies)-1],
		writeP50:  percentile(writes, 0.50),
		rssBefore: rssBefore, rssAfter: rssAfter,
		rssPerSub:           float64(rssAfter-rssBefore) / float64(n),
		heapPerSub:          (heapAfter - heapBefore) / float64(n),
		stackPer:            (stackAfter - stackBefore) / float64(n),
		resolutionsPerEvent: (resolutionsAfter - resolutionsBefore) / float64(o.events),
		cpuMsEvent:          float64(cpuAfter-cpuBefore) / float64(time.Millisecond) / float64(o.events),
		clientCPUMsEvent:    float64(clientAfter-clientBefore) / float64(time.Millisecond) / float64(o.events),
	}, nil
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// server is `alliance serve` in a process of its own.
type server struct {
	cmd  *exec.Cmd
	done chan error
}

func startServer(ctx context.Context, o options, n int) (*server, error) {
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return nil, err
	}
	logFile, err := os.Create(strings.TrimSuffix(o.out, ".md") + fmt.Sprintf("-server-%d.log", n))
	if err != nil {
		return nil, err
	}
	// One client (this process, one address) holds every socket: the per-client limits
	// on connections and requests, which a public server keeps, are off here.
	cmd := exec.CommandContext(ctx, o.binary, "serve",
		"--addr", o.addr, "--metrics-addr", o.metricsAddr, "--database-url", o.databaseURL,
		"--max-connections", "0", "--rate-limit", "0", "--max-in-flight", "0", "--log-level", "warn",
		"--playground=false", "--dashboard=false")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", o.binary, err)
	}
	s := &server{cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait(); logFile.Close() }()
	deadline := time.Now().Add(5 * time.Minute) // the first start loads the demo
	for {
		res, err := http.Get("http://" + o.addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("the server exited before it was ready (%v); see %s", err, logFile.Name())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, errors.New("the server was not ready in 5 minutes")
		}
	}
}

func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// client sends queries to the server.
type client struct {
	url string
}

func (c *client) do(ctx context.Context, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(raw, &r); err != nil || len(r.Errors) > 0 {
		return fmt.Errorf("%s: %d %s", strings.Fields(query)[0], res.StatusCode, raw)
	}
	return json.Unmarshal(r.Data, out)
}

func (c *client) firstSkill(ctx context.Context) (string, error) {
	var out struct {
		Skills struct {
			Edges []struct {
				Node struct {
					ID, Code string
					Version  int
				}
			}
		}
	}
	if err := c.do(ctx, `{ skills(first: 1) { edges { node { id code version } } } }`, nil, &out); err != nil {
		return "", err
	}
	if len(out.Skills.Edges) == 0 {
		return "", errors.New("the database has no skill")
	}
	return out.Skills.Edges[0].Node.ID, nil
}

// subscribers are the open sockets, one subscription each.
type subscribers struct {
	conns  []*websocket.Conn
	cancel context.CancelFunc
	failed atomic.Int64
	wg     sync.WaitGroup
}

func subscribe(ctx context.Context, o options, l level, received [][]atomic.Int64) (*subscribers, error) {
	ctx, cancel := context.WithCancel(ctx)
	n := l.subscribers / l.perSocket
	s := &subscribers{conns: make([]*websocket.Conn, n), cancel: cancel}
	url := "ws://" + o.addr + "/query"
	transport := &http.Transport{DialContext: (&net.Dialer{}).DialContext, MaxIdleConnsPerHost: -1}
	httpClient := &http.Client{Transport: transport}
	messages := func(socket int) [][]byte {
		var out [][]byte
		for j := range l.perSocket {
			doc := document
			if l.distinct {
				doc = strings.Replace(doc, "subscription Feed", fmt.Sprint("subscription Feed", socket*l.perSocket+j), 1)
			}
			m, _ := json.Marshal(map[string]any{"id": fmt.Sprint("feed", j), "type": "subscribe", "payload": map[string]any{"query": doc}})
			out = append(out, m)
		}
		return out
	}
	var next atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var dialers sync.WaitGroup
	for range o.dialers {
		dialers.Add(1)
		go func() {
			defer dialers.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				conn, err := open(ctx, httpClient, url, messages(i))
				if err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("socket %d: %w", i, err) })
					return
				}
				s.conns[i] = conn
				s.wg.Add(1)
				go s.read(ctx, conn, i*l.perSocket, received)
			}
		}()
	}
	dialers.Wait()
	if firstErr != nil {
		s.close()
		return nil, firstErr
	}
	return s, nil
}

func open(ctx context.Context, hc *http.Client, url string, subscribeMsgs [][]byte) (*websocket.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPClient: hc})
	if err != nil {
		return nil, err
	}
	if err := conn.Write(dctx, websocket.MessageText, []byte(`{"type":"connection_init"}`)); err != nil {
		conn.CloseNow()
		return nil, err
	}
	if _, ack, err := conn.Read(dctx); err != nil || !bytes.Contains(ack, []byte("connection_ack")) {
		conn.CloseNow()
		return nil, fmt.Errorf("connection_init: %s %v", ack, err)
	}
	for _, m := range subscribeMsgs {
		if err := conn.Write(dctx, websocket.MessageText, m); err != nil {
			conn.CloseNow()
			return nil, err
		}
	}
	return conn, nil
}

var marker, idMarker = []byte("subbench"), []byte(`"id":"feed`)

// read records when each event reaches each subscriber of a socket (first, first+1...,
// by their ids feed0, feed1...), finding the event's number in its payload without
// decoding the whole message.
func (s *subscribers) read(ctx context.Context, conn *websocket.Conn, first int, received [][]atomic.Int64) {
	defer s.wg.Done()
	for {
		// Not ctx: a read with a context that can end registers with it, and ten
		// thousand readers would queue on its one lock for every message. close ends the
		// reads by closing the sockets, after cancelling ctx.
		_, data, err := conn.Read(context.Background())
		if err != nil {
			if ctx.Err() == nil {
				s.failed.Add(1)
			}
			return
		}
		now := time.Now().UnixNano()
		if bytes.Contains(data, []byte(`"type":"ping"`)) {
			conn.Write(ctx, websocket.MessageText, []byte(`{"type":"pong"}`))
			continue
		}
		at := bytes.Index(data, marker)
		if at < 0 {
			continue
		}
		// {"subbench": 12}, its quotes escaped or not
		digits := bytes.TrimLeft(data[at+len(marker):], `\": `)
		end := bytes.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' })
		if end <= 0 {
			continue
		}
		sub := 0
		if at := bytes.LastIndex(data, idMarker); at >= 0 {
			id := data[at+len(idMarker):]
			if q := bytes.IndexByte(id, '"'); q > 0 {
				sub, _ = strconv.Atoi(string(id[:q]))
			}
		}
		if e, err := strconv.Atoi(string(digits[:end])); err == nil && e >= 0 && e < len(received) && first+sub < len(received[e]) {
			received[e][first+sub].CompareAndSwap(0, now)
		}
	}
}

func (s *subscribers) close() {
	s.cancel()
	for _, c := range s.conns {
		if c != nil {
			c.CloseNow()
		}
	}
	s.wg.Wait()
}

// rss is a process's resident memory, from /proc.
func rss(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// cpuTime is a process's user and system CPU time, from /proc (in clock ticks of 10 ms).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces: fields count from after its closing parenthesis.
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// metric reads one unlabelled series from the server's Prometheus endpoint.
func metric(ctx context.Context, addr, name string) (float64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("no metric %s", name)
}

func waitMetric(ctx context.Context, addr, name string, want float64, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		v, err := metric(ctx, addr, name)
		if err == nil && v >= want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is %v after %v, want %v", name, v, within, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func writeTable(path string, results []result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Generated by `make bench-subs` on %s (%d cores, PostgreSQL on 127.0.0.1). Clients in a process of their own, over WebSockets (graphql-transport-ws) on loopback, all subscribing with the same document (or, for comparison, each with its own, named after it, which nobody shares):\n\n",
		time.Now().UTC().Format("2006-01-02"), runtime.NumCPU())
	fmt.Fprintf(&b, "```graphql\n%s\n```\n\n", document)
	b.WriteString("Each event is committed by a transaction of the store appending to the event log, as every write does (the trigger NOTIFYs the server); latency runs from the start of that transaction to the event's arrival at each subscriber, so it includes the commit, whose median (write p50) is given. Memory is the server's growth from before the subscribers joined to after, divided by their number: RSS from `/proc`, Go heap in use from its metrics. Resolutions count the responses the server resolved per event (`alliance_graphql_subscription_resolutions_total`); CPU is the server process's, per event, beside that of this process, whose clients share the machine's cores with it.\n\n")
	b.WriteString("| subscribers | sockets | documents | events | p50 | p99 | max | write p50 | server RSS / subscriber | heap / subscriber | stacks / subscriber | resolutions / event | server CPU / event | clients' CPU / event | target |\n")
	b.WriteString("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range results {
		target := ""
		switch {
		case r.subscribers <= 1000:
			target = verdict(r.p99 <= 50*time.Millisecond, "p99 ≤ 50 ms")
		default:
			target = verdict(r.p99 <= 250*time.Millisecond, "p99 ≤ 250 ms") + ", " + verdict(r.rssPerSub <= 30*1024, "≤ 30 KiB each")
		}
		docs := "the same"
		if r.distinct {
			docs = "one each"
			target = "(nothing shared: for comparison)"
		}
		fmt.Fprintf(&b, "| %d | %d | %s | %d | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f KiB | %.1f KiB | %.1f KiB | %.2f | %.1f ms | %.1f ms | %s |\n",
			r.subscribers, r.subscribers/r.perSocket, docs, r.events, ms(r.p50), ms(r.p99), ms(r.max), ms(r.writeP50), r.rssPerSub/1024, r.heapPerSub/1024, r.stackPer/1024, r.resolutionsPerEvent, r.cpuMsEvent, r.clientCPUMsEvent, target)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Print(b.String())
	return nil
}

func verdict(ok bool, what string) string {
	if ok {
		return what + ": met"
	}
	return what + ": **missed**"
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
