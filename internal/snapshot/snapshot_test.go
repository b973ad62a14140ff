package snapshot

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestAnswersServeUntilTheVersionMovesAndStayBounded(t *testing.T) {
	version := int64(1)
	c := New(func(context.Context) (int64, error) { return version, nil }, 2)
	computed := map[string]int{}
	ask := func(key string) int {
		v, err := Get(context.Background(), c, key, func(context.Context) (int, error) {
			computed[key]++
			return computed[key], nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	steps := []struct {
		do   func()
		key  string
		want int // the computation that answers
	}{
		{func() {}, "a", 1},
		{func() {}, "a", 1},
		{func() {}, "b", 1},
		{func() { version = 2 }, "a", 2},
		{func() {}, "b", 2},
		{func() {}, "c", 1}, // evicts a, the oldest
		{func() {}, "a", 3},
		{func() {}, "c", 1},
	}
	for i, s := range steps {
		s.do()
		if got := ask(s.key); got != s.want {
			t.Errorf("step %d: %s answered by computation %d; want %d", i, s.key, got, s.want)
		}
	}
}

func TestFailuresAreNotKept(t *testing.T) {
	c := New(func(context.Context) (int64, error) { return 1, nil }, 4)
	calls := 0
	compute := func(context.Context) (string, error) {
		calls++
		if calls == 1 {
			return "", errors.New("database went away")
		}
		return fmt.Sprint("answer ", calls), nil
	}
	if _, err := Get(context.Background(), c, "k", compute); err == nil {
		t.Fatal("the failure was not reported")
	}
	if v, err := Get(context.Background(), c, "k", compute); err != nil || v != "answer 2" {
		t.Fatalf("after a failure: %q, %v; want a fresh answer", v, err)
	}
}

func TestAVersionThatCannotBeReadFailsTheAsk(t *testing.T) {
	c := New(func(context.Context) (int64, error) { return 0, errors.New("no database") }, 4)
	if _, err := Get(context.Background(), c, "k", func(context.Context) (int, error) { return 1, nil }); err == nil {
		t.Fatal("answered without knowing whether the answer is current")
	}
}

func TestRefreshIsHandedTheAnswerItReplaces(t *testing.T) {
	version := int64(1)
	c := New(func(context.Context) (int64, error) { return version, nil }, 2)
	steps := []struct {
		name    string
		version int64
		key     string
		want    string // what the computation is handed, "" when it runs without
	}{
		{"nothing kept yet", 1, "a", "none"},
		{"kept and current", 1, "a", ""},
		{"kept at an older version", 2, "a", "a@1"},
		{"another key", 2, "b", "none"},
		{"a third key, evicting the first", 2, "c", "none"},
		{"evicted", 3, "a", "none"},
	}
	for _, s := range steps {
		version = s.version
		handed := ""
		_, err := Refresh(context.Background(), c, s.key, func(_ context.Context, previous string, stale bool) (string, error) {
			handed = "none"
			if stale {
				handed = previous
			}
			return fmt.Sprintf("%s@%d", s.key, version), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if handed != s.want {
			t.Errorf("%s: computation handed %q; want %q", s.name, handed, s.want)
		}
	}
}
