package loader

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/store"
)

type recorder struct {
	mu      sync.Mutex
	batches [][]int
}

func (r *recorder) fetch(_ context.Context, keys []int) (map[int]string, error) {
	r.mu.Lock()
	r.batches = append(r.batches, append([]int(nil), keys...))
	r.mu.Unlock()
	out := map[int]string{}
	for _, k := range keys {
		if k >= 0 {
			out[k] = string(rune('a' + k%26))
		}
	}
	return out, nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.batches)
}

func TestBatcherKeepsCollectingWhileKeysTrickleIn(t *testing.T) {
	var r recorder
	b := NewBatcher(Timing{Idle: 40 * time.Millisecond, MaxWait: 5 * time.Second}, r.fetch)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := b.Load(context.Background(), i); err != nil {
				t.Error(err)
			}
		}()
		time.Sleep(5 * time.Millisecond) // far less than Idle, together far more
	}
	wg.Wait()
	if r.count() != 1 || len(r.batches[0]) != 10 {
		t.Errorf("batches = %v, want one batch of 10 keys", r.batches)
	}
}

func TestBatcherSendsAfterIdleAndAtMaxWaitAndWhenFull(t *testing.T) {
	tests := []struct {
		name   string
		timing Timing
		gap    time.Duration
		keys   int
		want   int
	}{
		{"idle gap splits", Timing{Idle: 5 * time.Millisecond, MaxWait: time.Second}, 30 * time.Millisecond, 3, 3},
		{"max wait caps", Timing{Idle: 50 * time.Millisecond, MaxWait: 20 * time.Millisecond}, 8 * time.Millisecond, 6, 3},
		{"full batch goes at once", Timing{Idle: time.Second, MaxWait: time.Second, MaxKeys: 2}, 0, 6, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			b := NewBatcher(tt.timing, r.fetch)
			var wg sync.WaitGroup
			for i := range tt.keys {
				wg.Add(1)
				go func() { defer wg.Done(); b.Load(context.Background(), i) }()
				time.Sleep(tt.gap)
			}
			wg.Wait()
			if got := r.count(); got < tt.want-1 || got > tt.want {
				t.Errorf("%d batches %v, want about %d", got, r.batches, tt.want)
			}
		})
	}
}

func TestBatcherCachesAndReportsMissingKeys(t *testing.T) {
	var calls atomic.Int32
	b := NewBatcher(Timing{Idle: time.Millisecond, MaxWait: time.Second}, func(_ context.Context, keys []int) (map[int]int, error) {
		calls.Add(1)
		out := map[int]int{}
		for _, k := range keys {
			if k != 7 {
				out[k] = k * 10
			}
		}
		return out, nil
	})
	ctx := context.Background()
	got, err := b.LoadAll(ctx, []int{1, 2, 1})
	if err != nil || got[0] != 10 || got[1] != 20 || got[2] != 10 {
		t.Fatalf("LoadAll = %v, %v", got, err)
	}
	if _, err := b.Load(ctx, 1); err != nil || calls.Load() != 1 {
		t.Errorf("a cached key was fetched again (%d fetches, err %v)", calls.Load(), err)
	}
	if _, err := b.Load(ctx, 7); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing key gave %v, want ErrNotFound", err)
	}
}

func TestBatcherGivesEveryKeyTheFetchError(t *testing.T) {
	boom := errors.New("boom")
	b := NewBatcher(Timing{Idle: time.Millisecond, MaxWait: time.Second}, func(context.Context, []int) (map[int]int, error) { return nil, boom })
	if _, err := b.LoadAll(context.Background(), []int{1, 2}); !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
}

func TestBatcherStopsWaitingWhenTheRequestEnds(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	b := NewBatcher(Timing{Idle: time.Millisecond, MaxWait: time.Second}, func(context.Context, []int) (map[int]int, error) {
		<-release
		return nil, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := b.Load(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
}
