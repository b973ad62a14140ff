package benchmark

import (
	"testing"
	"time"
)

func TestPercentileIsTheNearestRank(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	cases := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one value is every percentile", []time.Duration{7}, 0.99, 7},
		{"p50 of 100 is the 50th", hundred, 0.50, 50 * time.Millisecond},
		{"p95 of 100 is the 95th", hundred, 0.95, 95 * time.Millisecond},
		{"p99 of 100 is the 99th, not the largest", hundred, 0.99, 99 * time.Millisecond},
		{"p100 is the largest", hundred, 1, 100 * time.Millisecond},
		{"p50 of two is the smaller", []time.Duration{1, 2}, 0.5, 1},
		{"p99 of ten is the largest", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.99, 10},
		{"a tiny p is the smallest", []time.Duration{3, 4, 5}, 0.0001, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Percentile(c.sorted, c.p); got != c.want {
				t.Errorf("Percentile(%v, %v) = %v, want %v", c.sorted, c.p, got, c.want)
			}
		})
	}
}

func TestSummarizeSortsAndCountsErrorsApart(t *testing.T) {
	l := []time.Duration{4 * time.Millisecond, time.Millisecond, 3 * time.Millisecond, 2 * time.Millisecond}
	got := Summarize(l, 1)
	want := Latency{Count: 4, Errors: 1, MeanMs: 2.5, P50Ms: 2, P95Ms: 4, P99Ms: 4, MaxMs: 4}
	if got != want {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
	if empty := Summarize(nil, 3); empty != (Latency{Errors: 3}) {
		t.Errorf("Summarize(nil, 3) = %+v", empty)
	}
}
