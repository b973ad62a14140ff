package benchmark

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Report is everything one benchmark run measured, written as JSON and rendered as the
// Markdown of BENCHMARKS.md.
type Report struct {
	Generated string     `json:"generated"`
	Command   string     `json:"command"`
	Machine   Machine    `json:"machine"`
	Settings  Settings   `json:"settings"`
	Mixes     []Mix      `json:"mixes"`
	Runs      []Run      `json:"runs"`
	Curve     []CurveRun `json:"scale_curve"`
	// Notes is hand-written analysis (bench/notes.md), and Profile the summary of the
	// profiles make bench-profile took: both go into the Markdown as they are.
	Notes   string `json:"-"`
	Profile string `json:"-"`
}

// Machine describes where the figures were measured.
type Machine struct {
	CPU          string  `json:"cpu"`
	Cores        int     `json:"cores"`
	MemoryGiB    float64 `json:"memory_gib"`
	Kernel       string  `json:"kernel"`
	Go           string  `json:"go"`
	PostgreSQL   string  `json:"postgresql"`
	Node         string  `json:"node,omitempty"`
	PostGraphile string  `json:"postgraphile,omitempty"`
	LoadAverage  string  `json:"load_average_at_start"`
}

// Settings are the knobs of the run.
type Settings struct {
	Scales        []int   `json:"scales"`
	MixScale      int     `json:"mix_scale"`
	Concurrency   []int   `json:"concurrency"`
	WarmupS       float64 `json:"warmup_s"`
	DurationS     float64 `json:"duration_s"`
	CurveDuration float64 `json:"curve_duration_s"`
}

// CurveRun is one paged operation measured alone, one client at a time, at one scale.
type CurveRun struct {
	Scale  int     `json:"scale"`
	Target string  `json:"target"`
	Op     string  `json:"operation"`
	P50Ms  float64 `json:"p50_ms"`
	P99Ms  float64 `json:"p99_ms"`
	Count  int     `json:"count"`
	Errors int     `json:"errors"`
}

// Target names in reports.
const (
	Ours         = "alliance-graph"
	PostGraphile = "postgraphile"
	Floor        = "sql"
)

// WriteJSON writes r indented.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func (r *Report) find(scenario, target string, concurrency int) *Run {
	for i := range r.Runs {
		run := &r.Runs[i]
		if run.Scenario == scenario && run.Target == target && run.Concurrency == concurrency {
			return run
		}
	}
	return nil
}

// Ratio is a/b, or nil when either is missing or b is zero.
func Ratio(a, b float64) *float64 {
	if a == 0 || b == 0 {
		return nil
	}
	v := round(a/b, 2)
	return &v
}

func fmtRatio(v *float64) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%.2f×", *v)
}

func fmtOpt(v *float64, format string) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf(format, *v)
}

// Verdict is one of the targets, checked against the figures.
type Verdict struct {
	Target string
	Figure string
	Met    bool
}

// Verdicts checks the targets: at least 2× PostGraphile's throughput on the shared and
// nested mixes at equal or lower p99, a nested query at most 2× the raw SQL's p50, and
// paged queries whose p50 at the largest scale stays within 1.5× of the smallest's.
func (r *Report) Verdicts() []Verdict {
	var out []Verdict
	for _, scenario := range []string{"shared", "nested"} {
		for _, c := range r.Settings.Concurrency {
			ours, peer := r.find(scenario, Ours, c), r.find(scenario, PostGraphile, c)
			if ours == nil || peer == nil {
				continue
			}
			tp := Ratio(ours.Throughput, peer.Throughput)
			met := tp != nil && *tp >= 2 && ours.Latency.P99Ms <= peer.Latency.P99Ms
			out = append(out, Verdict{
				Target: fmt.Sprintf("%s mix, %d clients: ≥ 2× PostGraphile's throughput at ≤ its p99", scenario, c),
				Figure: fmt.Sprintf("%s throughput; p99 %.1f ms against %.1f ms", fmtRatio(tp), ours.Latency.P99Ms, peer.Latency.P99Ms),
				Met:    met,
			})
		}
	}
	for _, c := range r.Settings.Concurrency {
		ours, floor := r.find("nested", Ours, c), r.find("nested", Floor, c)
		if ours == nil || floor == nil {
			continue
		}
		ratio := Ratio(ours.Latency.P50Ms, floor.Latency.P50Ms)
		out = append(out, Verdict{
			Target: fmt.Sprintf("nested query, %d clients: p50 ≤ 2× the hand-written SQL's", c),
			Figure: fmt.Sprintf("%s (%.2f ms against %.2f ms)", fmtRatio(ratio), ours.Latency.P50Ms, floor.Latency.P50Ms),
			Met:    ratio != nil && *ratio <= 2,
		})
	}
	if len(r.Settings.Scales) > 1 {
		lo, hi := slices.Min(r.Settings.Scales), slices.Max(r.Settings.Scales)
		for _, op := range PagedOps {
			a, b := r.curvePoint(lo, Ours, op), r.curvePoint(hi, Ours, op)
			if a == nil || b == nil {
				continue
			}
			ratio := Ratio(b.P50Ms, a.P50Ms)
			out = append(out, Verdict{
				Target: fmt.Sprintf("%s at %d× the demo: p50 ≤ 1.5× its p50 at %d×", op, hi, lo),
				Figure: fmt.Sprintf("%s (%.2f ms against %.2f ms)", fmtRatio(ratio), b.P50Ms, a.P50Ms),
				Met:    ratio != nil && *ratio <= 1.5,
			})
		}
	}
	return out
}

func (r *Report) curvePoint(scale int, target, op string) *CurveRun {
	for i := range r.Curve {
		c := &r.Curve[i]
		if c.Scale == scale && c.Target == target && c.Op == op {
			return c
		}
	}
	return nil
}

// WriteMarkdown renders BENCHMARKS.md.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	m := r.Machine
	p("# Benchmarks")
	p("")
	p("Generated by `%s` on %s; do not edit by hand. The figures come from one run on the machine below,", r.Command, r.Generated)
	p("**shared with other work while it ran** (load average %s at the start): read the ratios, which compare", m.LoadAverage)
	p("targets measured minutes apart on the same machine, rather than the absolute figures. The raw figures are in")
	p("[bench/report.json](bench/report.json).")
	p("")
	p("Machine: %s, %d cores, %.0f GiB; Linux %s; %s; PostgreSQL %s; Node %s; PostGraphile %s.",
		m.CPU, m.Cores, m.MemoryGiB, m.Kernel, m.Go, m.PostgreSQL, orDash(m.Node), orDash(m.PostGraphile))
	p("")
	p("## Method")
	p("")
	p("`cmd/alliance-bench` (code in `internal/benchmark`) seeds the database at each scale (`alliance seed --scale N --reset`;")
	p("scale 1 is the demo alliance: 142 organizations, 100 partnerships, 710 resources, 2,000 talents), starts")
	p("`alliance serve` and PostGraphile v4 (`bench/postgraphile`, versions pinned by its lockfile) over it, each")
	p("through its own statement-counting proxy, and drives them with the same closed-loop load generator: each")
	p("client sends its next request when the previous one is answered, choosing the operation by weight, with")
	p("arguments drawn from the same keys (read from the database) for both servers. Every run warms up for %.0f s", r.Settings.WarmupS)
	p("unrecorded, then measures for %.0f s. At scale %d every mix runs at each concurrency (%s clients).", r.Settings.DurationS, r.Settings.MixScale, joinInts(r.Settings.Concurrency))
	p("")
	p("- **Throughput**: answered requests a second; **p50/p95/p99**: latency percentiles (nearest rank), client side.")
	p("- **Statements/op**: statements the server sent to PostgreSQL per request, counted by a TCP proxy between the")
	p("  server and PostgreSQL that reads the protocol's query and execute messages (so BEGIN, COMMIT and")
	p("  PostGraphile's `set_config` count too). `pg_stat_statements` is not loaded on this server; the proxy")
	p("  counts both servers alike. It adds one loopback hop to every statement of both servers and the floor.")
	p("- **CPU %%**: the server process's user + system time (`/proc/<pid>/stat`) over the run's wall time; 100 is")
	p("  one core. **CPU ms/op**: the same time per request. **Peak RSS**: `VmHWM` of `/proc/<pid>/status`,")
	p("  reset before each run (`clear_refs`). For PostGraphile, the node process (one thread of JavaScript).")
	p("- **The floor** (`sql`): the nested query's document built by one hand-written SQL statement")
	p("  (`internal/benchmark/floor.go`) sent from Go through lib/pq: what PostgreSQL itself costs for the answer.")
	p("- Both servers get a 20-connection pool. Ours runs with `--rate-limit 0 --max-in-flight 0 --cost-rate 0 --max-work-in-flight 0` and its default request log.")
	p("- Equivalence: the PostGraphile queries (`internal/benchmark/ops.go`) fetch the same rows and fields, with")
	p("  the connection-filter plugin for the directory's `IN` filter and pg-order-by-related to order an")
	p("  organization's partnerships by signing date; only the order of a partnership's participants differs.")
	p("")
	p("### Mixes")
	p("")
	p("| mix | operations (weight) | what |")
	p("|---|---|---|")
	for _, mix := range r.Mixes {
		var ops []string
		for _, w := range mix.Weights {
			ops = append(ops, fmt.Sprintf("%s (%d)", w.Op, w.Weight))
		}
		p("| %s | %s | %s |", mix.Name, strings.Join(ops, ", "), mix.Description)
	}
	p("")
	p("- **page** (scale curve only): 20 organizations by name, one of the first %d pages by cursor, no counts.", maxCursorPages)
	p("- **directory**: 20 schools of two levels by name, with their total, levels, majors and first 5 partnerships")
	p("  (each with its total); one of the first %d pages by cursor.", maxCursorPages)
	p("- **nested**: %d members -> organization -> 10 partnerships -> participants -> organization -> 5 resources.", NestedPage)
	p("- **node**: one organization by global ID (PostGraphile: by primary key).")
	p("- **search**: ranked search across every kind, 10 results with highlights, one of: %s.", strings.Join(SearchTerms, ", "))
	p("- **path**: shortest partnership chain (at most 4 steps) between two organizations that have partners.")
	p("- **skill-gap**: 10 skills' demand against supply, one of the first pages.")
	p("- **post-opening**: `postJobOpening` as ADMIN (a write with its event, in one transaction).")
	p("")
	p("## Targets")
	p("")
	p("| target | measured | met |")
	p("|---|---|---|")
	for _, v := range r.Verdicts() {
		met := "no"
		if v.Met {
			met = "yes"
		}
		p("| %s | %s | %s |", v.Target, v.Figure, met)
	}
	p("")
	for _, scenario := range []string{"shared", "nested"} {
		p("## %s mix: alliance-graph against PostGraphile (scale %d)", scenario, r.Settings.MixScale)
		p("")
		p("| clients | ours op/s | PostGraphile op/s | throughput ratio | ours p50 / p95 / p99 ms | PostGraphile p50 / p95 / p99 ms | p99 ratio | statements/op ours / PG | CPU ms/op ours / PG | CPU %% ours / PG | peak RSS MiB ours / PG | errors ours / PG |")
		p("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
		for _, c := range r.Settings.Concurrency {
			ours, peer := r.find(scenario, Ours, c), r.find(scenario, PostGraphile, c)
			if ours == nil || peer == nil {
				continue
			}
			p("| %d | %.1f | %.1f | %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s / %s | %d / %d |", c, ours.Throughput, peer.Throughput,
				fmtRatio(Ratio(ours.Throughput, peer.Throughput)), pcts(ours.Latency), pcts(peer.Latency),
				fmtRatio(Ratio(ours.Latency.P99Ms, peer.Latency.P99Ms)),
				fmtOpt(ours.StatementsPerOp, "%.1f"), fmtOpt(peer.StatementsPerOp, "%.1f"),
				fmtOpt(ours.CPUMsPerOp, "%.2f"), fmtOpt(peer.CPUMsPerOp, "%.2f"),
				fmtOpt(ours.CPUPercent, "%.0f"), fmtOpt(peer.CPUPercent, "%.0f"),
				fmtOpt(ours.PeakRSSMiB, "%.0f"), fmtOpt(peer.PeakRSSMiB, "%.0f"),
				ours.Latency.Errors, peer.Latency.Errors)
		}
		p("")
		if scenario == "shared" {
			p("Per operation, at the highest concurrency (p50 / p99 ms, ours against PostGraphile):")
			p("")
			p("| operation | ours p50 / p99 | PostGraphile p50 / p99 | p50 ratio |")
			p("|---|---:|---:|---:|")
			c := slices.Max(r.Settings.Concurrency)
			if ours, peer := r.find(scenario, Ours, c), r.find(scenario, PostGraphile, c); ours != nil && peer != nil {
				for _, op := range sortedNames(ours.PerOp) {
					o, q := ours.PerOp[op], peer.PerOp[op]
					p("| %s | %.2f / %.2f | %.2f / %.2f | %s |", op, o.P50Ms, o.P99Ms, q.P50Ms, q.P99Ms, fmtRatio(Ratio(o.P50Ms, q.P50Ms)))
				}
			}
			p("")
		}
	}
	p("## GraphQL overhead: the nested query against hand-written SQL (scale %d)", r.Settings.MixScale)
	p("")
	p("| clients | ours p50 / p99 ms | PostGraphile p50 / p99 ms | SQL p50 / p99 ms | ours / SQL (p50) | PostGraphile / SQL (p50) | ours op/s | SQL op/s |")
	p("|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, c := range r.Settings.Concurrency {
		ours, peer, floor := r.find("nested", Ours, c), r.find("nested", PostGraphile, c), r.find("nested", Floor, c)
		if ours == nil || floor == nil {
			continue
		}
		peerCell, peerRatio := "–", "–"
		if peer != nil {
			peerCell = fmt.Sprintf("%.2f / %.2f", peer.Latency.P50Ms, peer.Latency.P99Ms)
			peerRatio = fmtRatio(Ratio(peer.Latency.P50Ms, floor.Latency.P50Ms))
		}
		p("| %d | %.2f / %.2f | %s | %.2f / %.2f | %s | %s | %.1f | %.1f |", c, ours.Latency.P50Ms, ours.Latency.P99Ms, peerCell,
			floor.Latency.P50Ms, floor.Latency.P99Ms, fmtRatio(Ratio(ours.Latency.P50Ms, floor.Latency.P50Ms)), peerRatio, ours.Throughput, floor.Throughput)
	}
	p("")
	p("## Full mix: alliance-graph alone (scale %d)", r.Settings.MixScale)
	p("")
	p("| clients | op/s | p50 / p95 / p99 ms | statements/op | CPU ms/op | CPU %% | peak RSS MiB | errors |")
	p("|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, c := range r.Settings.Concurrency {
		if run := r.find("full", Ours, c); run != nil {
			p("| %d | %.1f | %s | %s | %s | %s | %s | %d |", c, run.Throughput, pcts(run.Latency), fmtOpt(run.StatementsPerOp, "%.1f"),
				fmtOpt(run.CPUMsPerOp, "%.2f"), fmtOpt(run.CPUPercent, "%.0f"), fmtOpt(run.PeakRSSMiB, "%.0f"), run.Latency.Errors)
		}
	}
	p("")
	if c := slices.Max(r.Settings.Concurrency); r.find("full", Ours, c) != nil {
		run := r.find("full", Ours, c)
		p("Per operation at %d clients:", c)
		p("")
		p("| operation | requests | p50 / p95 / p99 ms | errors |")
		p("|---|---:|---:|---:|")
		for _, op := range sortedNames(run.PerOp) {
			l := run.PerOp[op]
			p("| %s | %d | %s | %d |", op, l.Count, pcts(l), l.Errors)
		}
		p("")
	}
	if len(r.Curve) > 0 {
		p("## Scale curve: paged queries, one client, %.0f s each", r.Settings.CurveDuration)
		p("")
		header := "| operation | target |"
		rule := "|---|---|"
		for _, s := range r.Settings.Scales {
			header += fmt.Sprintf(" %d× p50 / p99 ms |", s)
			rule += "---:|"
		}
		p("%s", header)
		p("%s", rule)
		for _, op := range PagedOps {
			for _, target := range []string{Ours, PostGraphile} {
				row := fmt.Sprintf("| %s | %s |", op, target)
				any := false
				for _, s := range r.Settings.Scales {
					if c := r.curvePoint(s, target, op); c != nil {
						row += fmt.Sprintf(" %.2f / %.2f |", c.P50Ms, c.P99Ms)
						any = true
					} else {
						row += " – |"
					}
				}
				if any {
					p("%s", row)
				}
			}
		}
		p("")
	}
	if r.Notes != "" || r.Profile != "" {
		p("## Where the time goes")
		p("")
		if r.Notes != "" {
			p("%s", strings.TrimSpace(r.Notes))
			p("")
		}
		if r.Profile != "" {
			p("The profiles, from `make bench-profile` (the nested query for 50 members through the HTTP server, in")
			p("`go test`; the same machine, so the same caveat):")
			p("")
			p("```")
			p("%s", strings.TrimSpace(r.Profile))
			p("```")
			p("")
		}
	}
	var errs []string
	for _, run := range r.Runs {
		for _, e := range run.FirstErrors {
			errs = append(errs, fmt.Sprintf("- %s, %s, %d clients: `%s`", run.Scenario, run.Target, run.Concurrency, strings.ReplaceAll(e, "`", "'")))
		}
	}
	if len(errs) > 0 {
		p("## Errors seen")
		p("")
		for _, e := range errs {
			p("%s", e)
		}
		p("")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func pcts(l Latency) string { return fmt.Sprintf("%.2f / %.2f / %.2f", l.P50Ms, l.P95Ms, l.P99Ms) }

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
