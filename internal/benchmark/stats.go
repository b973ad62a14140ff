// Package benchmark measures alliance-graph under a fixed mix of GraphQL operations, side by
// side with PostGraphile over the same database and with hand-written SQL (the floor): a
// closed-loop load generator, the statements each operation sends (counted by a proxy in
// front of PostgreSQL), the server process's CPU time and peak memory, and the report
// (JSON and the Markdown of BENCHMARKS.md). cmd/alliance-bench drives it.
package benchmark

import (
	"math"
	"slices"
	"time"
)

// Percentile is the p-th percentile (0 < p <= 1) of sorted by the nearest-rank method:
// the smallest value at least p of the values are less than or equal to. Nearest rank
// never invents a latency no request had, and p99 of 100 values is the 99th, not the max.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// Latency summarises the latencies of one operation (or a whole run) in milliseconds.
type Latency struct {
	Count  int     `json:"count"`
	Errors int     `json:"errors"`
	MeanMs float64 `json:"mean_ms"`
	P50Ms  float64 `json:"p50_ms"`
	P95Ms  float64 `json:"p95_ms"`
	P99Ms  float64 `json:"p99_ms"`
	MaxMs  float64 `json:"max_ms"`
}

// Summarize sorts latencies in place and summarises them; errors are counted apart, their
// latencies included (a failing request still took the time).
func Summarize(latencies []time.Duration, errors int) Latency {
	if len(latencies) == 0 {
		return Latency{Errors: errors}
	}
	slices.Sort(latencies)
	var sum time.Duration
	for _, l := range latencies {
		sum += l
	}
	return Latency{
		Count:  len(latencies),
		Errors: errors,
		MeanMs: ms(sum / time.Duration(len(latencies))),
		P50Ms:  ms(Percentile(latencies, 0.50)),
		P95Ms:  ms(Percentile(latencies, 0.95)),
		P99Ms:  ms(Percentile(latencies, 0.99)),
		MaxMs:  ms(latencies[len(latencies)-1]),
	}
}

func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())) / 1000 }
