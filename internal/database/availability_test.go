package database_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/database"
)

func TestUnavailableTellsConnectionLossFromRefusedStatements(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused, wrapped", fmt.Errorf("list organizations: %w", refused), true},
		{"bad connection", fmt.Errorf("load: %w", driver.ErrBadConn), true},
		{"connection closed mid-read", io.ErrUnexpectedEOF, true},
		{"terminated by an administrator", &pq.Error{Code: "57P01"}, true},
		{"database starting up", &pq.Error{Code: "57P03"}, true},
		{"connection failure class", &pq.Error{Code: "08006"}, true},
		{"too many connections", &pq.Error{Code: "53300"}, true},
		{"unique violation", &pq.Error{Code: "23505"}, false},
		{"statement cancelled at the deadline", &pq.Error{Code: "57014"}, false},
		{"request deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), false},
		{"request cancelled", context.Canceled, false},
		{"a bug", errors.New("nil map"), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := database.Unavailable(tt.err); got != tt.want {
				t.Errorf("Unavailable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
