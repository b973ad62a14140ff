package benchmark

import (
	"strings"
	"testing"
)

// TestPerfRowsAreTidied: perf pads every symbol to the longest and adds empty columns; the
// report keeps the figures and the name, with generic shapes cut short.
func TestPerfRowsAreTidied(t *testing.T) {
	cases := []struct{ row, want string }{
		{"    15.42%  [k] pvm_irq_enable                                    -      -", "15.42% [k] pvm_irq_enable"},
		{"    34.33%     0.00%  [.] github.com/99designs/gqlgen/graphql.ResolveField[go.shape.struct { a int }]   -   -", "34.33%   0.00% [.] github.com/99designs/gqlgen/graphql.ResolveField[...]"},
		{"  26.22%  0.29%  [.] loader.(*Batcher[go.shape.int64,go.shape.[]store.Row[go.shape.int]]).Load   -  -", "26.22%   0.29% [.] loader.(*Batcher[...]).Load"},
	}
	for _, c := range cases {
		if got := strings.TrimSpace(tidy(c.row)); got != c.want {
			t.Errorf("tidy(%q) = %q, want %q", c.row, got, c.want)
		}
	}
}
