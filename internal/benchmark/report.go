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
	Generated string `json:"generated"`
	Command   string `json:"command"`
	// Minutes is how long the measuring took (make bench must stay under about 25).
	Minutes  float64    `json:"minutes,omitempty"`
	Machine  Machine    `json:"machine"`
	Settings Settings   `json:"settings"`
	Mixes    []Mix      `json:"mixes"`
	Runs     []Run      `json:"runs"`
	Curve    []CurveRun `json:"scale_curve"`
	// Equivalence compares the targets' answers to sample requests of the shared mix,
	// checked at the mix scale before measuring.
	Equivalence []Equivalence `json:"equivalence,omitempty"`
	// OpProfiles say where alliance-graph's CPU went under each operation that missed a
	// per-operation target.
	OpProfiles []OpProfile `json:"operation_profiles,omitempty"`
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
	OpWarmupS     float64 `json:"operation_warmup_s,omitempty"`
	OpDurationS   float64 `json:"operation_duration_s,omitempty"`
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

// Verdict is one of the targets, checked against the figures; Op names the
// operation of a per-operation target.
type Verdict struct {
	Target string
	Figure string
	Met    bool
	Op     string
}

// The targets (issue 15, point 4).
const (
	// TargetThroughput is the least throughput against PostGraphile's, at no more than
	// its p99, on the shared mix and on every operation alone.
	TargetThroughput = 2.0
	// TargetFloor is the most p50 against the hand-written SQL's, on every operation.
	TargetFloor = 1.3
	// TargetRSSMiB is the most peak RSS of the server at the highest concurrency.
	TargetRSSMiB = 150.0
	// TargetCurve is the most p50 of a paged query at the largest scale against the
	// smallest's.
	TargetCurve = 1.5
)

// Verdicts checks the targets: at least 2× PostGraphile's throughput at no more than its
// p99 on the shared mix and on each of its operations run alone, at every concurrency;
// each operation's p50 at most 1.3× the hand-written SQL's; the server's peak RSS under
// 150 MiB at the highest concurrency; and paged queries whose p50 at the largest scale
// stays within 1.5× of the smallest's.
func (r *Report) Verdicts() []Verdict {
	var out []Verdict
	for _, c := range r.Settings.Concurrency {
		ours, peer := r.find("shared", Ours, c), r.find("shared", PostGraphile, c)
		if ours == nil || peer == nil {
			continue
		}
		tp := Ratio(ours.Throughput, peer.Throughput)
		out = append(out, Verdict{
			Target: fmt.Sprintf("shared mix, %d clients: ≥ 2× PostGraphile's throughput at ≤ its p99", c),
			Figure: fmt.Sprintf("%s throughput; p99 %.1f ms against %.1f ms", fmtRatio(tp), ours.Latency.P99Ms, peer.Latency.P99Ms),
			Met:    tp != nil && *tp >= TargetThroughput && ours.Latency.P99Ms <= peer.Latency.P99Ms,
		})
	}
	for _, op := range SharedOps() {
		scenario := OpScenario(op)
		for _, c := range r.Settings.Concurrency {
			ours, peer, floor := r.find(scenario, Ours, c), r.find(scenario, PostGraphile, c), r.find(scenario, Floor, c)
			if ours == nil {
				continue
			}
			if peer != nil {
				tp := Ratio(ours.Throughput, peer.Throughput)
				out = append(out, Verdict{Op: op,
					Target: fmt.Sprintf("%s alone, %d clients: ≥ 2× PostGraphile's throughput at ≤ its p99", op, c),
					Figure: fmt.Sprintf("%s throughput (%.1f against %.1f op/s); p99 %.1f ms against %.1f ms", fmtRatio(tp), ours.Throughput, peer.Throughput,
						ours.Latency.P99Ms, peer.Latency.P99Ms),
					Met: tp != nil && *tp >= TargetThroughput && ours.Latency.P99Ms <= peer.Latency.P99Ms && ours.Latency.Errors == 0,
				})
			}
			if floor != nil {
				ratio := Ratio(ours.Latency.P50Ms, floor.Latency.P50Ms)
				out = append(out, Verdict{Op: op,
					Target: fmt.Sprintf("%s alone, %d clients: p50 ≤ 1.3× the hand-written SQL's", op, c),
					Figure: fmt.Sprintf("%s (%.2f ms against %.2f ms)", fmtRatio(ratio), ours.Latency.P50Ms, floor.Latency.P50Ms),
					Met:    ratio != nil && *ratio <= TargetFloor,
				})
			}
		}
	}
	if len(r.Settings.Concurrency) > 0 {
		c := slices.Max(r.Settings.Concurrency)
		var peak float64
		var where string
		for _, run := range r.Runs {
			if run.Target == Ours && run.Concurrency == c && run.PeakRSSMiB != nil && *run.PeakRSSMiB > peak {
				peak, where = *run.PeakRSSMiB, run.Scenario
			}
		}
		if where != "" {
			out = append(out, Verdict{
				Target: fmt.Sprintf("server peak RSS at %d clients < 150 MiB", c),
				Figure: fmt.Sprintf("%.0f MiB (the largest of its runs at %d clients: %s)", peak, c, where),
				Met:    peak < TargetRSSMiB,
			})
		}
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
				Met:    ratio != nil && *ratio <= TargetCurve,
			})
		}
	}
	return out
}

// MissedOps lists, by operation, the per-operation targets it missed.
func (r *Report) MissedOps() map[string][]string {
	out := map[string][]string{}
	for _, v := range r.Verdicts() {
		if v.Op != "" && !v.Met {
			out[v.Op] = append(out[v.Op], v.Target+": "+v.Figure)
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
	top := 0
	if len(r.Settings.Concurrency) > 0 {
		top = slices.Max(r.Settings.Concurrency)
	}
	p("# Benchmarks")
	p("")
	p("Generated by `%s` on %s; do not edit by hand. The figures come from one run on the machine below,", r.Command, r.Generated)
	p("**shared with other work while it ran** (load average %s at the start): read the ratios, which compare", m.LoadAverage)
	p("targets measured seconds apart on the same machine, rather than the absolute figures. The raw figures are in")
	p("[bench/report.json](bench/report.json).")
	if r.Minutes > 0 {
		p("The measuring took %.0f minutes.", r.Minutes)
	}
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
	p("arguments drawn from the same keys (read from the database) for both servers. At scale %d (%d× the demo):", r.Settings.MixScale, r.Settings.MixScale)
	p("")
	p("1. the targets' answers to sample requests of every operation of the shared mix are compared (below);")
	p("2. every mix runs at each concurrency (%s clients): %.0f s of warm-up, unrecorded, then %.0f s measured;", joinInts(r.Settings.Concurrency), r.Settings.WarmupS, r.Settings.DurationS)
	p("3. every operation of the shared mix runs **alone**, as its own mix, against alliance-graph, PostGraphile and the")
	p("   hand-written SQL floor in turn at each concurrency: %.1f s of warm-up, then %.1f s measured. An operation's", r.Settings.OpWarmupS, r.Settings.OpDurationS)
	p("   throughput is only meaningful alone: inside a mix, each client waits on the slowest operations, so the")
	p("   per-operation rates there are the mix's shares, not what the server can do. The per-operation targets use")
	p("   these runs; the mix's own target uses the mix runs;")
	p("4. for each operation that missed a per-operation target, the server's CPU is sampled with `perf` while the")
	p("   operation runs alone at %d clients (\"Where the time goes\").", top)
	p("")
	p("Then the scale curve: each paged query alone, one client, at every scale (%s).", joinInts(r.Settings.Scales))
	p("")
	p("- **Throughput**: answered requests a second; **p50/p95/p99**: latency percentiles (nearest rank), client side.")
	p("- **Statements/op**: statements the server sent to PostgreSQL per request, counted by a TCP proxy between the")
	p("  server and PostgreSQL that reads the protocol's query and execute messages (so BEGIN, COMMIT and")
	p("  PostGraphile's `set_config` count too). The proxy adds one loopback hop to every statement of both servers")
	p("  and the floor.")
	p("- **CPU %%**: the server process's user + system time (`/proc/<pid>/stat`) over the run's wall time; 100 is")
	p("  one core. **CPU ms/op**: the same time per request. **Peak RSS**: `VmHWM` of `/proc/<pid>/status`,")
	p("  reset before each run (`clear_refs`). For PostGraphile, the node process (one thread of JavaScript).")
	p("- **The floor** (`sql`): each operation's answer built as one JSON document by one hand-written SQL statement")
	p("  (`internal/benchmark/floor.go`: keyset pages with their count, `pageInfo` and cursor, nested lists as")
	p("  subqueries) sent from Go through lib/pq with a 20-connection pool: what PostgreSQL itself costs for the answer.")
	p("- Both servers get a 20-connection pool. Ours runs with `--rate-limit 0 --max-in-flight 0 --cost-rate 0 --max-work-in-flight 0` and its default request log.")
	p("- Equivalence: the PostGraphile queries (`internal/benchmark/ops.go`, `pages.go`) fetch the same rows and fields,")
	p("  with the connection-filter plugin for `IN` filters and pg-order-by-related to order by a related table's")
	p("  column; only the order of a partnership's participants differs (compared as sets).")
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
	p("Every paged operation draws one of its first %d pages, reached by cursor (each target walks its own).", maxCursorPages)
	p("")
	p("- **jobs**: the job board: %d open job openings, newest first, with `totalCount`, `pageInfo`, each opening's", JobsPage)
	p("  salary, company (name) and required skills (level, code).")
	p("- **companies**: the company directory: %d companies by name with `totalCount`, `pageInfo`, memberships, and", CompaniesPage)
	p("  the first 5 partnerships of each with their total; **companies-industry**: the same, of three industries (%s).", strings.Join(CompanyIndustries, ", "))
	p("- **directory**: 20 schools of two levels by name, with their total, levels, majors and first 5 partnerships")
	p("  (each with its total).")
	p("- **partnerships**: %d partnerships of three kinds and three statuses, newest signing first, paged backwards", PartnershipsPage)
	p("  (`last`/`before`), with `totalCount` and `pageInfo`.")
	p("- **resources**: %d job openings and training courses, newest first, with `totalCount`, `pageInfo` and the fields", ResourcesPage)
	p("  of each category (`... on JobOpening`, `... on TrainingCourse`).")
	p("- **nested**: %d members -> organization -> 10 partnerships -> participants -> organization -> 5 resources.", NestedPage)
	p("- **node**: one organization by global ID; **node-opening**: one job opening by global ID, with its company")
	p("  (PostGraphile: by primary key).")
	p("- **page** (scale curve only): 20 organizations by name, no counts.")
	p("- **search**: ranked search across every kind, 10 results with highlights, one of: %s.", strings.Join(SearchTerms, ", "))
	p("- **path**: shortest partnership chain (at most 4 steps) between two organizations that have partners.")
	p("- **skill-gap**: 10 skills' demand against supply, one of the first pages.")
	p("- **post-opening**: `postJobOpening` as ADMIN (a write with its event, in one transaction).")
	p("")
	verdicts := r.Verdicts()
	met := 0
	for _, v := range verdicts {
		if v.Met {
			met++
		}
	}
	p("## Targets")
	p("")
	p("%d of %d met.", met, len(verdicts))
	p("")
	p("| target | measured | met |")
	p("|---|---|---|")
	for _, v := range verdicts {
		mark := "no"
		if v.Met {
			mark = "yes"
		}
		p("| %s | %s | %s |", v.Target, v.Figure, mark)
	}
	p("")
	p("## Each operation alone: alliance-graph, PostGraphile and hand-written SQL (scale %d)", r.Settings.MixScale)
	p("")
	for _, c := range r.Settings.Concurrency {
		p("### %d clients", c)
		p("")
		p("| operation | ours op/s | PostGraphile op/s | throughput ratio | ours p50 / p99 ms | PostGraphile p50 / p99 ms | SQL p50 / p99 ms | ours / SQL (p50) | statements/op ours / PG / SQL | CPU ms/op ours / PG | peak RSS MiB ours / PG | errors ours / PG / SQL |")
		p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
		for _, op := range SharedOps() {
			scenario := OpScenario(op)
			ours, peer, floor := r.find(scenario, Ours, c), r.find(scenario, PostGraphile, c), r.find(scenario, Floor, c)
			if ours == nil {
				continue
			}
			peerTP, peerLat, peerStmts, peerCPU, peerRSS, peerErr, tpRatio := "–", "–", "–", "–", "–", "–", "–"
			if peer != nil {
				peerTP, peerLat = fmt.Sprintf("%.1f", peer.Throughput), fmt.Sprintf("%.2f / %.2f", peer.Latency.P50Ms, peer.Latency.P99Ms)
				peerStmts, peerCPU, peerRSS = fmtOpt(peer.StatementsPerOp, "%.1f"), fmtOpt(peer.CPUMsPerOp, "%.2f"), fmtOpt(peer.PeakRSSMiB, "%.0f")
				peerErr, tpRatio = fmt.Sprint(peer.Latency.Errors), fmtRatio(Ratio(ours.Throughput, peer.Throughput))
			}
			floorLat, floorRatio, floorStmts, floorErr := "–", "–", "–", "–"
			if floor != nil {
				floorLat = fmt.Sprintf("%.2f / %.2f", floor.Latency.P50Ms, floor.Latency.P99Ms)
				floorRatio, floorStmts, floorErr = fmtRatio(Ratio(ours.Latency.P50Ms, floor.Latency.P50Ms)), fmtOpt(floor.StatementsPerOp, "%.1f"), fmt.Sprint(floor.Latency.Errors)
			}
			p("| %s | %.1f | %s | %s | %.2f / %.2f | %s | %s | %s | %s / %s / %s | %s / %s | %s / %s | %d / %s / %s |", op, ours.Throughput, peerTP, tpRatio,
				ours.Latency.P50Ms, ours.Latency.P99Ms, peerLat, floorLat, floorRatio,
				fmtOpt(ours.StatementsPerOp, "%.1f"), peerStmts, floorStmts, fmtOpt(ours.CPUMsPerOp, "%.2f"), peerCPU,
				fmtOpt(ours.PeakRSSMiB, "%.0f"), peerRSS, ours.Latency.Errors, peerErr, floorErr)
		}
		p("")
	}
	p("## Shared mix: alliance-graph against PostGraphile (scale %d)", r.Settings.MixScale)
	p("")
	p("| clients | ours op/s | PostGraphile op/s | throughput ratio | ours p50 / p95 / p99 ms | PostGraphile p50 / p95 / p99 ms | p99 ratio | statements/op ours / PG | CPU ms/op ours / PG | CPU %% ours / PG | peak RSS MiB ours / PG | errors ours / PG |")
	p("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, c := range r.Settings.Concurrency {
		ours, peer := r.find("shared", Ours, c), r.find("shared", PostGraphile, c)
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
	if ours, peer := r.find("shared", Ours, top), r.find("shared", PostGraphile, top); ours != nil && peer != nil {
		p("Per operation inside the mix at %d clients (p50 / p99 ms, ours against PostGraphile):", top)
		p("")
		p("| operation | ours p50 / p99 | PostGraphile p50 / p99 | p50 ratio |")
		p("|---|---:|---:|---:|")
		for _, op := range SharedOps() {
			o, q := ours.PerOp[op], peer.PerOp[op]
			p("| %s | %.2f / %.2f | %.2f / %.2f | %s |", op, o.P50Ms, o.P99Ms, q.P50Ms, q.P99Ms, fmtRatio(Ratio(o.P50Ms, q.P50Ms)))
		}
		p("")
	}
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
	if run := r.find("full", Ours, top); run != nil {
		p("Per operation at %d clients:", top)
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
	if len(r.Equivalence) > 0 {
		p("## Equivalence: the same rows from every target (scale %d)", r.Settings.MixScale)
		p("")
		p("Before measuring, every operation of the shared mix is asked of every target with the same samples (each")
		p("list's first pages, node lookups over keys spread across the table); the ids, names, fields and counts of")
		p("the rows, in order, must agree with alliance-graph's (`internal/benchmark/shapes.go`).")
		p("")
		p("| operation | against | samples | rows compared | same | difference |")
		p("|---|---|---:|---:|---|---|")
		for _, e := range r.Equivalence {
			same := "yes"
			if !e.Same {
				same = "**no**"
			}
			p("| %s | %s | %d | %d | %s | %s |", e.Op, e.Against, e.Samples, e.Rows, same, strings.ReplaceAll(e.Detail, "|", "\\|"))
		}
		p("")
	}
	if r.Notes != "" || r.Profile != "" || len(r.OpProfiles) > 0 {
		p("## Where the time goes")
		p("")
		if r.Notes != "" {
			p("%s", strings.TrimSpace(r.Notes))
			p("")
		}
		if len(r.OpProfiles) > 0 {
			p("### CPU profiles of alliance-graph under each operation that missed a target")
			p("")
			p("Recorded by `perf record -g -p <server>` (%s Hz) while the operation ran alone, after its measured runs;", perfFrequency)
			p("the server is the binary measured above. Own time says which functions burn the CPU; time including")
			p("callees says which parts of the request (parsing, execution, loaders, SQL, JSON) it goes to.")
			p("")
			for _, op := range r.OpProfiles {
				p("#### %s (%d clients, %.0f s)", op.Op, op.Clients, op.Seconds)
				p("")
				p("Missed:")
				p("")
				for _, m := range op.Missed {
					p("- %s", m)
				}
				p("")
				if op.Error != "" {
					p("No profile: %s", op.Error)
					p("")
					continue
				}
				p("```")
				p("%s", strings.TrimSpace(op.Text))
				p("```")
				p("")
			}
		}
		if r.Profile != "" {
			p("### The nested query in `go test`")
			p("")
			p("From `make bench-profile` (the nested query for 50 members through the HTTP server, in `go test`; the")
			p("same machine, so the same caveat):")
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
