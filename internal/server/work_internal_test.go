package server

import "testing"

func TestPerClientLimitHoldsEachClientsShare(t *testing.T) {
	l := newPerClient(100, 0)
	type step struct {
		client string
		cost   int
		ok     bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"work within the limit runs together", []step{{"a", 40, true}, {"a", 60, true}}},
		{"work past the limit waits", []step{{"a", 60, true}, {"a", 41, false}}},
		{"one operation costlier than the limit runs alone", []step{{"a", 250, true}, {"a", 1, false}}},
		{"clients do not share", []step{{"a", 100, true}, {"b", 100, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var releases []func()
			for i, s := range tt.steps {
				release, ok := l.reserve(s.client, s.cost)
				if ok != s.ok {
					t.Fatalf("step %d (%s, %d): ok = %v, want %v", i, s.client, s.cost, ok, s.ok)
				}
				if ok {
					releases = append(releases, release)
				}
			}
			for _, r := range releases {
				r()
				r() // a second release counts nothing out
			}
			if len(l.clients) != 0 {
				t.Errorf("after every release the limit still holds %v", l.clients)
			}
		})
	}
}

func TestCostBucketChargesTheEstimatedCost(t *testing.T) {
	l := newRateLimiter(RateLimit{Rate: 1000, Burst: 5000})
	if ok, _ := l.allowN("a", 4000); !ok {
		t.Fatal("a full bucket refused 4,000")
	}
	ok, wait := l.allowN("a", 2000)
	if ok || wait < 900_000_000 || wait > 1_100_000_000 {
		t.Errorf("after 4,000 of 5,000, 2,000 more: ok %v, wait %v; want a refusal and about 1 s", ok, wait)
	}
	if ok, _ := l.allowN("b", 50_000); !ok {
		t.Error("an operation costlier than the bucket is refused even when the bucket is full")
	}
}
