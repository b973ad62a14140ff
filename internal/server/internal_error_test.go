package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/alliance-graph/alliance-graph/internal/server"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

func TestDatabaseFailuresReachClientsOnlyAsCodedInternalErrors(t *testing.T) {
	broken, err := sqlx.Open("postgres", testDB.URL)
	if err != nil {
		t.Fatal(err)
	}
	broken.Close() // every statement now fails inside database/sql
	logs := &lockedWriter{w: &strings.Builder{}}
	ts := &testServer{}
	ts.Server = httptest.NewServer(server.New(server.Config{
		Store:  store.New(broken, nil),
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	}))
	defer ts.Close()

	r := ts.query(t, `{ organizations(first: 2) { edges { node { id } } } }`, nil)
	if len(r.Errors) != 1 {
		t.Fatalf("errors = %+v, want one", r.Errors)
	}
	e := r.Errors[0]
	id, _ := e.Extensions["requestId"].(string)
	if e.Extensions["code"] != "INTERNAL_SERVER_ERROR" || id == "" || !strings.Contains(e.Message, id) {
		t.Errorf("error = %+v, want INTERNAL_SERVER_ERROR quoting a request id", e)
	}
	if strings.Contains(e.Message, "sql") || strings.Contains(e.Message, "closed") {
		t.Errorf("message %q leaks the driver error", e.Message)
	}
	logged := logs.w.(*strings.Builder).String()
	if !strings.Contains(logged, id) || !strings.Contains(logged, "database is closed") {
		t.Errorf("the log does not hold the request id and the real error:\n%s", logged)
	}
}

func TestRequestsPastTheirDeadlineGetATimeoutError(t *testing.T) {
	ts := &testServer{}
	ts.Server = httptest.NewServer(server.New(server.Config{
		Store:          store.New(testDB.DB, func(ctx context.Context, _ string, _ []any) { <-ctx.Done() }),
		Logger:         slog.New(slog.NewJSONHandler(io.Discard, nil)),
		RequestTimeout: 50 * time.Millisecond,
	}))
	defer ts.Close()
	r := ts.query(t, `{ skills(first: 1) { edges { node { id } } } }`, nil)
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "TIMEOUT" {
		t.Fatalf("errors = %+v, want one TIMEOUT", r.Errors)
	}
}
