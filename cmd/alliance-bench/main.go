// Command alliance-bench measures alliance-graph under a fixed mix of GraphQL operations,
// side by side with PostGraphile v4 over the same database and with hand-written SQL, at
// several concurrency levels and data scales, and writes the report as JSON and as
// BENCHMARKS.md. `make bench` runs it in full, `make bench-quick` briefly; see
// BENCHMARKS.md for the method.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/benchmark"
)

type options struct {
	databaseURL     string // the PostgreSQL server; the path is replaced by each scale's database
	databasePrefix  string
	allianceBin     string
	postgraphileDir string
	url             string // an already running alliance-graph to measure instead of starting one
	scales          []int
	mixScale        int
	concurrency     []int
	warmup          time.Duration
	duration        time.Duration
	opWarmup        time.Duration
	opDuration      time.Duration
	perOp           bool
	opProfile       time.Duration
	curveDuration   time.Duration
	portBase        int
	jsonOut         string
	markdownOut     string
	command         string
	quiet           bool
	mixes           []string // names of the mixes to run; all by default
	curve           bool
	profile, notes  string
	from            string // a JSON report to render again instead of measuring
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "alliance-bench:", err)
		}
		os.Exit(1)
	}
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	var scales, concurrency, mixes string
	fs := flag.NewFlagSet("alliance-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.databaseURL, "database-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server to seed (sslmode=disable: the statement counter reads the protocol); each scale gets database <prefix>x<scale>")
	fs.StringVar(&o.databasePrefix, "database-prefix", "bench_", "prefix of the benchmark's databases, which are emptied and seeded")
	fs.StringVar(&o.allianceBin, "alliance", "bin/alliance", "the alliance binary, to seed, issue a token and serve")
	fs.StringVar(&o.postgraphileDir, "postgraphile", "bench/postgraphile", "directory of the installed PostGraphile peer (bench/postgraphile/install.sh); empty: no peer")
	fs.StringVar(&o.url, "url", "", "measure the alliance-graph already serving this /query URL over --database-url's database (not seeded; no CPU, memory or statement figures, no peer, one scale; writes use a token signed with the key kept in that database, so the server must not set JWT_SECRET)")
	fs.StringVar(&scales, "scales", "1,10,100", "data scales (times the demo alliance) of the scale curve")
	fs.IntVar(&o.mixScale, "mix-scale", 10, "the scale at which the mixes, and each operation of the shared mix alone, run at every concurrency")
	fs.StringVar(&concurrency, "concurrency", "1,8,16", "concurrent clients of each mix run and each operation run")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "unrecorded load before each mix run")
	fs.DurationVar(&o.duration, "duration", 15*time.Second, "measured length of each mix run")
	fs.BoolVar(&o.perOp, "per-op", true, "run each operation of the shared mix alone against every target, for the per-operation targets")
	fs.DurationVar(&o.opWarmup, "op-warmup", time.Second, "unrecorded load before each run of one operation alone")
	fs.DurationVar(&o.opDuration, "op-duration", 5*time.Second, "measured length of each run of one operation alone")
	fs.DurationVar(&o.opProfile, "op-profile", 3*time.Second, "after the runs of one operation alone, record alliance-graph's CPU with perf for this long under each operation that missed a target (at the highest concurrency); 0: none")
	fs.DurationVar(&o.curveDuration, "curve-duration", 5*time.Second, "measured length of each scale-curve run")
	fs.IntVar(&o.portBase, "port", 18200, "alliance-graph listens on this port, PostGraphile on the next")
	fs.StringVar(&o.jsonOut, "json", "bench/report.json", "where to write the JSON report")
	fs.StringVar(&o.markdownOut, "markdown", "BENCHMARKS.md", "where to write the Markdown report; empty: none")
	fs.StringVar(&o.command, "command", "go run ./cmd/alliance-bench", "how this run was started, for the report")
	fs.BoolVar(&o.quiet, "quiet", false, "draw no progress")
	fs.StringVar(&mixes, "mixes", "", "comma-separated mixes to run (shared, full); empty: all")
	fs.BoolVar(&o.curve, "curve", true, "measure the scale curve")
	fs.StringVar(&o.profile, "profile", "", "summary of profiles (make bench-profile) to include in the Markdown report")
	fs.StringVar(&o.from, "from", "", "measure nothing: render this JSON report (e.g. bench/report.json) to --markdown again, with the current --notes and --profile")
	fs.StringVar(&o.notes, "notes", "bench/notes.md", "hand-written analysis to include in the Markdown report, if the file exists")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var err error
	if o.scales, err = ints(scales); err != nil {
		return o, fmt.Errorf("--scales: %w", err)
	}
	if o.concurrency, err = ints(concurrency); err != nil {
		return o, fmt.Errorf("--concurrency: %w", err)
	}
	for _, m := range strings.Split(mixes, ",") {
		if m = strings.TrimSpace(m); m == "" {
			continue
		}
		if !slices.ContainsFunc(benchmark.Mixes, func(x benchmark.Mix) bool { return x.Name == m }) {
			return o, fmt.Errorf("--mixes: no mix %q", m)
		}
		o.mixes = append(o.mixes, m)
	}
	if o.url != "" {
		o.scales, o.postgraphileDir = []int{o.mixScale}, ""
	}
	if !slices.Contains(o.scales, o.mixScale) {
		o.scales = append(o.scales, o.mixScale)
		slices.Sort(o.scales)
	}
	u, err := url.Parse(o.databaseURL)
	if err != nil {
		return o, fmt.Errorf("--database-url: %w", err)
	}
	if u.Query().Get("sslmode") != "disable" {
		return o, errors.New("--database-url must say sslmode=disable: the statement counter reads the protocol")
	}
	return o, nil
}

func ints(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	var progress io.Writer = stderr
	if o.quiet {
		progress = nil
	}
	report := &benchmark.Report{
		Generated: time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		Command:   o.command,
		Machine:   machine(ctx, o),
		Settings: benchmark.Settings{Scales: o.scales, MixScale: o.mixScale, Concurrency: o.concurrency,
			WarmupS: o.warmup.Seconds(), DurationS: o.duration.Seconds(), OpWarmupS: o.opWarmup.Seconds(), OpDurationS: o.opDuration.Seconds(),
			CurveDuration: o.curveDuration.Seconds()},
		Mixes: benchmark.Mixes,
	}
	for _, f := range []struct {
		path     string
		into     *string
		optional bool
	}{{o.profile, &report.Profile, false}, {o.notes, &report.Notes, true}} {
		if f.path == "" {
			continue
		}
		b, err := os.ReadFile(f.path)
		if errors.Is(err, os.ErrNotExist) && f.optional {
			continue
		}
		if err != nil {
			return err
		}
		*f.into = string(b)
	}
	if o.from != "" {
		b, err := os.ReadFile(o.from)
		if err != nil {
			return err
		}
		notes, profile := report.Notes, report.Profile
		*report = benchmark.Report{}
		if err := json.Unmarshal(b, report); err != nil {
			return fmt.Errorf("read %s: %w", o.from, err)
		}
		report.Notes, report.Profile = notes, profile
		return writeFile(o.markdownOut, report.WriteMarkdown)
	}
	began := time.Now()
	client := benchmark.NewHTTPClient(slices.Max(o.concurrency))
	for _, scale := range o.scales {
		if err := measureScale(ctx, o, scale, client, report, progress, stderr); err != nil {
			return fmt.Errorf("scale %d: %w", scale, err)
		}
	}
	report.Minutes = float64(int(time.Since(began).Minutes()*10+0.5)) / 10
	if err := os.MkdirAll(filepath.Dir(o.jsonOut), 0o755); err != nil {
		return err
	}
	if err := writeFile(o.jsonOut, report.WriteJSON); err != nil {
		return err
	}
	if o.markdownOut != "" {
		if err := writeFile(o.markdownOut, report.WriteMarkdown); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "wrote %s and %s after %.1f minutes\n", o.jsonOut, o.markdownOut, report.Minutes)
	for _, v := range report.Verdicts() {
		mark := "MISSED"
		if v.Met {
			mark = "met"
		}
		fmt.Fprintf(stderr, "%-6s %s: %s\n", mark, v.Target, v.Figure)
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// scaleURL is the URL of scale's database (with --url, the given server's database).
func (o options) scaleURL(scale int) string {
	if o.url != "" {
		return o.databaseURL
	}
	u, _ := url.Parse(o.databaseURL)
	u.Path = fmt.Sprintf("/%sx%d", o.databasePrefix, scale)
	return u.String()
}

// measureScale seeds the database of scale, starts the servers over it, runs every mix at
// every concurrency if scale is the mix scale, then the scale curve.
func measureScale(ctx context.Context, o options, scale int, client *http.Client, report *benchmark.Report, progress, stderr io.Writer) error {
	dbURL := o.scaleURL(scale)
	if o.url == "" {
		fmt.Fprintf(stderr, "seeding %s at scale %d\n", dbURL, scale)
		if out, err := exec.CommandContext(ctx, o.allianceBin, "seed", "--scale", fmt.Sprint(scale), "--reset", "--database-url", dbURL).CombinedOutput(); err != nil {
			return fmt.Errorf("seed: %w\n%s", err, out)
		}
	}
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	// The vacuum a real database would have had: the seed's freshly written tables have
	// no visibility map, which would make the first runs pay for it.
	if o.url == "" {
		if _, err := db.ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
			return fmt.Errorf("vacuum: %w", err)
		}
	}
	fixtures, err := benchmark.LoadFixtures(ctx, db)
	if err != nil {
		return err
	}

	type target struct {
		t   benchmark.Target
		ops map[string]benchmark.Op
	}
	var targets []target

	oursURL := o.url
	var oursTarget benchmark.Target
	if o.url == "" {
		counter, err := benchmark.NewStatementCounter(dbURL)
		if err != nil {
			return err
		}
		defer counter.Close()
		addr := fmt.Sprintf("127.0.0.1:%d", o.portBase)
		srv, err := startProcess(ctx, o.allianceBin, []string{"serve", "--addr", addr, "--no-demo", "--rate-limit", "0", "--max-in-flight", "0", "--cost-rate", "0", "--max-work-in-flight", "0",
			"--playground=false", "--database-url", counter.URL(dbURL)}, nil, "")
		if err != nil {
			return err
		}
		defer srv.stop()
		oursURL = "http://" + addr + "/query"
		oursTarget = benchmark.Target{Name: benchmark.Ours, PID: srv.cmd.Process.Pid, Counter: counter}
	} else {
		oursTarget = benchmark.Target{Name: benchmark.Ours}
	}
	var peerGraphQL *benchmark.GraphQL
	reader := benchmark.GraphQL{Client: client, URL: oursURL}
	if err := waitReady(ctx, reader, `{ __typename }`); err != nil {
		return fmt.Errorf("alliance-graph at %s: %w", oursURL, err)
	}
	token, err := exec.CommandContext(ctx, o.allianceBin, "token", "create", "--role", "ADMIN", "--subject", "alliance-bench", "--database-url", dbURL).Output()
	if err != nil {
		return fmt.Errorf("issue an ADMIN token: %w", err)
	}
	writer := reader
	writer.Header = http.Header{"Authorization": {"Bearer " + strings.TrimSpace(string(token))}}
	oursOps, err := benchmark.OursOps(ctx, reader, writer, fixtures)
	if err != nil {
		return err
	}
	targets = append(targets, target{oursTarget, oursOps})

	if o.postgraphileDir != "" {
		counter, err := benchmark.NewStatementCounter(dbURL)
		if err != nil {
			return err
		}
		defer counter.Close()
		port := o.portBase + 1
		env := []string{"DATABASE_URL=" + counter.URL(dbURL), fmt.Sprintf("PORT=%d", port)}
		pg, err := startProcess(ctx, "./start.sh", nil, env, o.postgraphileDir)
		if err != nil {
			return err
		}
		defer pg.stop()
		g := benchmark.GraphQL{Client: client, URL: fmt.Sprintf("http://127.0.0.1:%d/graphql", port)}
		if err := waitReady(ctx, g, `{ __typename }`); err != nil {
			return fmt.Errorf("PostGraphile: %w (log: %s)", err, pg.logTail())
		}
		peerGraphQL = &g
		ops, err := benchmark.PostGraphileOps(ctx, g, fixtures)
		if err != nil {
			return err
		}
		targets = append(targets, target{benchmark.Target{Name: benchmark.PostGraphile, PID: pg.cmd.Process.Pid, Counter: counter}, ops})
	}

	// The floor connects through a counter too, so that every target pays the same hop.
	floorCounter, err := benchmark.NewStatementCounter(dbURL)
	if err != nil {
		return err
	}
	defer floorCounter.Close()
	floorDB, err := sql.Open("postgres", floorCounter.URL(dbURL))
	if err != nil {
		return err
	}
	defer floorDB.Close()
	floorDB.SetMaxOpenConns(20)
	floorDB.SetMaxIdleConns(20)
	floor := benchmark.NewFloorDB(floorDB)
	defer floor.Close()
	floorOps, err := benchmark.FloorOps(ctx, floor, fixtures)
	if err != nil {
		return err
	}
	targets = append(targets, target{benchmark.Target{Name: benchmark.Floor, Counter: floorCounter}, floorOps})

	seed := uint64(1)
	if scale == o.mixScale {
		// The figures compare like with like only if the targets answer alike: check
		// before measuring, and say so in the report rather than stop, so that a
		// difference is seen next to the figures it puts in doubt.
		same, err := benchmark.CompareAnswers(ctx, reader, peerGraphQL, floor, fixtures)
		if err != nil {
			return fmt.Errorf("compare the targets' answers: %w", err)
		}
		report.Equivalence = same
		for _, e := range same {
			if !e.Same {
				fmt.Fprintf(stderr, "WARNING: %s answers differently from alliance-graph on %s: %s\n", e.Against, e.Op, e.Detail)
			}
		}
		for _, mix := range benchmark.Mixes {
			if len(o.mixes) > 0 && !slices.Contains(o.mixes, mix.Name) {
				continue
			}
			for _, c := range o.concurrency {
				for _, t := range targets {
					weighted, ok := mix.Resolve(t.ops)
					if !ok {
						continue
					}
					r, err := benchmark.Drive(ctx, t.t, weighted, benchmark.RunConfig{Scenario: mix.Name, Concurrency: c,
						Warmup: o.warmup, Duration: o.duration, Seed: seed, Progress: progress})
					if err != nil {
						return err
					}
					r.Scale = scale
					report.Runs = append(report.Runs, r)
				}
			}
		}
		// Each operation alone, every target in turn at one concurrency before the next,
		// so that the figures compared were taken close together.
		for _, op := range benchmark.SharedOps() {
			if !o.perOp {
				break
			}
			for _, c := range o.concurrency {
				for _, t := range targets {
					x, ok := t.ops[op]
					if !ok {
						continue
					}
					r, err := benchmark.Drive(ctx, t.t, []benchmark.Weighted{{Op: x, Weight: 1}}, benchmark.RunConfig{Scenario: benchmark.OpScenario(op),
						Concurrency: c, Warmup: o.opWarmup, Duration: o.opDuration, Seed: seed, Progress: progress})
					if err != nil {
						return err
					}
					r.Scale = scale
					report.Runs = append(report.Runs, r)
				}
			}
		}
		if o.opProfile > 0 && oursTarget.PID != 0 {
			if err := profileMissedOps(ctx, o, oursTarget.PID, oursOps, report, progress, stderr); err != nil {
				return err
			}
		}
	}
	for _, name := range benchmark.PagedOps {
		if !o.curve {
			break
		}
		for _, t := range targets {
			op, ok := t.ops[name]
			if !ok || t.t.Name == benchmark.Floor {
				continue
			}
			r, err := benchmark.Drive(ctx, t.t, []benchmark.Weighted{{Op: op, Weight: 1}}, benchmark.RunConfig{
				Scenario: fmt.Sprintf("curve %d×", scale), Concurrency: 1, Warmup: min(o.warmup, time.Second), Duration: o.curveDuration, Seed: seed, Progress: progress})
			if err != nil {
				return err
			}
			report.Curve = append(report.Curve, benchmark.CurveRun{Scale: scale, Target: t.t.Name, Op: name,
				P50Ms: r.Latency.P50Ms, P99Ms: r.Latency.P99Ms, Count: r.Latency.Count, Errors: r.Latency.Errors})
		}
	}
	return nil
}

// profileMissedOps records alliance-graph's CPU with perf while each operation that
// missed a per-operation target runs alone at the highest concurrency, so that the report
// can say where its time goes. Without perf (or the right to attach it), the report says
// why instead.
func profileMissedOps(ctx context.Context, o options, pid int, ops map[string]benchmark.Op, report *benchmark.Report, progress, stderr io.Writer) error {
	missed := report.MissedOps()
	c := slices.Max(o.concurrency)
	for _, name := range benchmark.SharedOps() {
		reasons, ok := missed[name]
		if !ok {
			continue
		}
		op := ops[name]
		p := benchmark.OpProfile{Op: name, Clients: c, Seconds: o.opProfile.Seconds(), Missed: reasons}
		text, err := benchmark.PerfProfile(ctx, pid, func() error {
			_, err := benchmark.Drive(ctx, benchmark.Target{Name: benchmark.Ours}, []benchmark.Weighted{{Op: op, Weight: 1}}, benchmark.RunConfig{
				Scenario: "profile " + name, Concurrency: c, Warmup: 0, Duration: o.opProfile, Seed: 2, Progress: progress})
			return err
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fmt.Fprintf(stderr, "no profile of %s: %v\n", name, err)
			p.Error = err.Error()
		}
		p.Text = text
		report.OpProfiles = append(report.OpProfiles, p)
	}
	return nil
}

// waitReady polls until the server answers query, for up to a minute.
func waitReady(ctx context.Context, g benchmark.GraphQL, query string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		var out map[string]any
		err := g.Fetch(ctx, query, nil, &out)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after a minute: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// process is a server the benchmark started; its output is kept in a file for errors.
type process struct {
	cmd *exec.Cmd
	log *os.File
}

func startProcess(ctx context.Context, name string, args, env []string, dir string) (*process, error) {
	log, err := os.CreateTemp("", "alliance-bench-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	if err := cmd.Start(); err != nil {
		log.Close()
		os.Remove(log.Name())
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	return &process{cmd: cmd, log: log}, nil
}

// stop ends the process with SIGTERM, as an orchestrator would, and waits for it.
func (p *process) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
	p.log.Close()
	os.Remove(p.log.Name())
}

func (p *process) logTail() string {
	b, _ := os.ReadFile(p.log.Name())
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// machine describes the machine and the software versions.
func machine(ctx context.Context, o options) benchmark.Machine {
	m := benchmark.Machine{Cores: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				m.CPU = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb float64
		fmt.Sscanf(strings.TrimPrefix(strings.SplitN(string(b), "\n", 2)[0], "MemTotal:"), "%f", &kb)
		m.MemoryGiB = benchmarkRound(kb / (1 << 20))
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.LoadAverage = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	if db, err := sql.Open("postgres", o.databaseURL); err == nil {
		db.QueryRowContext(ctx, "SHOW server_version").Scan(&m.PostgreSQL)
		db.Close()
	}
	if o.postgraphileDir != "" {
		if out, err := exec.CommandContext(ctx, "node", "--version").Output(); err == nil {
			m.Node = strings.TrimSpace(string(out))
		}
		version := exec.CommandContext(ctx, "node", "-p", "require('./node_modules/postgraphile/package.json').version")
		version.Dir = o.postgraphileDir
		if out, err := version.Output(); err == nil {
			m.PostGraphile = strings.TrimSpace(string(out))
		}
	}
	return m
}

func benchmarkRound(v float64) float64 { return float64(int(v*10+0.5)) / 10 }
