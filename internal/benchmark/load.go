package benchmark

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Op is one kind of request of a mix: Do sends one, with arguments drawn from r.
type Op struct {
	Name string
	Do   func(ctx context.Context, r *rand.Rand) error
}

// Weighted is an operation with its share of a mix.
type Weighted struct {
	Op     Op
	Weight int
}

// Target is what a run measures: a server (its process, if the benchmark started it, and
// the counter its database connections go through) or the floor.
type Target struct {
	Name    string
	PID     int               // 0: CPU and memory are not measured
	Counter *StatementCounter // nil: statements are not counted
}

// RunConfig says how long and how hard to drive a target.
type RunConfig struct {
	Scenario    string
	Concurrency int
	Warmup      time.Duration // run, unrecorded, before measuring
	Duration    time.Duration
	Seed        uint64
	Progress    io.Writer // nil: quiet
}

// Run is the outcome of driving one target with one mix at one concurrency.
type Run struct {
	Scenario        string             `json:"scenario"`
	Scale           int                `json:"scale"`
	Target          string             `json:"target"`
	Concurrency     int                `json:"concurrency"`
	Seconds         float64            `json:"seconds"`
	Throughput      float64            `json:"throughput_per_s"`
	Latency         Latency            `json:"latency"`
	PerOp           map[string]Latency `json:"per_operation"`
	StatementsPerOp *float64           `json:"statements_per_op,omitempty"`
	// CPUPercent is the server's CPU time over the run's wall time: 100 is one core busy.
	CPUPercent   *float64 `json:"cpu_percent,omitempty"`
	CPUMsPerOp   *float64 `json:"cpu_ms_per_op,omitempty"`
	PeakRSSMiB   *float64 `json:"peak_rss_mib,omitempty"`
	FirstErrors  []string `json:"first_errors,omitempty"`
	PeakRSSSince string   `json:"peak_rss_since,omitempty"` // "run", or "process start" when it could not be reset
}

type sample struct {
	op      int
	latency time.Duration
	err     error
}

// Drive runs mix against target for cfg.Warmup, then measures it for cfg.Duration with
// cfg.Concurrency closed-loop clients: each sends its next request when the previous one
// is answered, picking the operation by weight.
func Drive(ctx context.Context, target Target, mix []Weighted, cfg RunConfig) (Run, error) {
	if len(mix) == 0 || cfg.Concurrency < 1 {
		return Run{}, fmt.Errorf("drive %s: empty mix or concurrency %d", target.Name, cfg.Concurrency)
	}
	total := 0
	for _, w := range mix {
		total += w.Weight
	}
	pick := func(r *rand.Rand) int {
		n := r.IntN(total)
		for i, w := range mix {
			if n < w.Weight {
				return i
			}
			n -= w.Weight
		}
		return len(mix) - 1
	}

	var recording, stopping atomic.Bool
	var done atomic.Int64
	samples := make([][]sample, cfg.Concurrency)
	var workers sync.WaitGroup
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := range cfg.Concurrency {
		workers.Go(func() {
			r := rand.New(rand.NewPCG(cfg.Seed, uint64(w)))
			for !stopping.Load() && runCtx.Err() == nil {
				i := pick(r)
				rec := recording.Load()
				start := time.Now()
				err := mix[i].Op.Do(runCtx, r)
				if rec {
					samples[w] = append(samples[w], sample{op: i, latency: time.Since(start), err: err})
					done.Add(1)
				}
			}
		})
	}

	stopProgress := drawProgress(cfg, target.Name, &recording, &done)
	defer stopProgress()
	select {
	case <-time.After(cfg.Warmup):
	case <-ctx.Done():
	}
	var before ProcessUsage
	var statementsBefore int64
	peakSince := "run"
	if target.PID != 0 {
		if ResetPeakRSS(target.PID) != nil {
			peakSince = "process start"
		}
		before, _ = ReadProcess(target.PID)
	}
	if target.Counter != nil {
		statementsBefore = target.Counter.Statements()
	}
	start := time.Now()
	recording.Store(true)
	select {
	case <-time.After(cfg.Duration):
	case <-ctx.Done():
	}
	stopping.Store(true)
	workers.Wait()
	elapsed := time.Since(start)
	stopProgress()
	if err := ctx.Err(); err != nil {
		return Run{}, err
	}

	run := Run{Scenario: cfg.Scenario, Target: target.Name, Concurrency: cfg.Concurrency, Seconds: round(elapsed.Seconds(), 2), PerOp: map[string]Latency{}}
	var all []time.Duration
	allErrors := 0
	perOp := make([][]time.Duration, len(mix))
	perOpErrors := make([]int, len(mix))
	seen := map[string]bool{}
	for _, ws := range samples {
		for _, s := range ws {
			all = append(all, s.latency)
			perOp[s.op] = append(perOp[s.op], s.latency)
			if s.err != nil {
				allErrors++
				perOpErrors[s.op]++
				msg := mix[s.op].Op.Name + ": " + s.err.Error()
				if len(msg) > 300 {
					msg = msg[:300] + "..."
				}
				if !seen[msg] && len(run.FirstErrors) < 5 {
					seen[msg] = true
					run.FirstErrors = append(run.FirstErrors, msg)
				}
			}
		}
	}
	ops := len(all)
	run.Latency = Summarize(all, allErrors)
	for i, w := range mix {
		run.PerOp[w.Op.Name] = Summarize(perOp[i], perOpErrors[i])
	}
	run.Throughput = round(float64(ops)/elapsed.Seconds(), 1)
	if target.Counter != nil && ops > 0 {
		v := round(float64(target.Counter.Statements()-statementsBefore)/float64(ops), 2)
		run.StatementsPerOp = &v
	}
	if target.PID != 0 {
		after, err := ReadProcess(target.PID)
		if err != nil {
			return Run{}, fmt.Errorf("measure %s: %w", target.Name, err)
		}
		cpu := after.CPUSeconds - before.CPUSeconds
		pct := round(100*cpu/elapsed.Seconds(), 1)
		rss := round(float64(after.PeakRSSBytes)/(1<<20), 1)
		run.CPUPercent, run.PeakRSSMiB, run.PeakRSSSince = &pct, &rss, peakSince
		if ops > 0 {
			perOp := round(1000*cpu/float64(ops), 3)
			run.CPUMsPerOp = &perOp
		}
	}
	return run, nil
}

// drawProgress redraws one status line on cfg.Progress four times a second until stopped.
func drawProgress(cfg RunConfig, target string, recording *atomic.Bool, done *atomic.Int64) (stop func()) {
	if cfg.Progress == nil {
		return func() {}
	}
	quit := make(chan struct{})
	var once sync.Once
	var finished sync.WaitGroup
	began := time.Now()
	finished.Go(func() {
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		var measureStart time.Time
		for {
			select {
			case <-quit:
				fmt.Fprintln(cfg.Progress)
				return
			case <-tick.C:
			}
			phase := fmt.Sprintf("warming up %4.1fs", time.Since(began).Seconds())
			if recording.Load() {
				if measureStart.IsZero() {
					measureStart = time.Now()
				}
				secs := time.Since(measureStart).Seconds()
				n := done.Load()
				width := 24
				filled := min(width, int(float64(width)*secs/cfg.Duration.Seconds()))
				phase = fmt.Sprintf("[%s%s] %4.1f/%.0fs %7d ops %7.1f/s", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
					secs, cfg.Duration.Seconds(), n, float64(n)/max(secs, 0.001))
			}
			fmt.Fprintf(cfg.Progress, "\r%-10s %-16s c=%-3d %s   ", cfg.Scenario, target, cfg.Concurrency, phase)
		}
	})
	return func() { once.Do(func() { close(quit); finished.Wait() }) }
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// sortedNames lists a map's keys in order, for stable reports.
func sortedNames[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
