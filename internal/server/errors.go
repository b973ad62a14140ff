package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/lib/pq"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/alliance-graph/alliance-graph/internal/database"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
)

// presentError is the one place where errors become GraphQL errors. Errors meant for
// clients keep their message and get their code; anything else (SQL, driver, bugs) is
// logged with the request id and replaced by a generic message quoting that id.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var ce *errcode.Error
		switch {
		case errors.As(err, &ce):
			gqlErr.Message = ce.Message
			gqlErr.Extensions = map[string]any{"code": string(ce.Code)}
			if ce.Field != "" {
				gqlErr.Extensions["argument"] = ce.Field
			} else if arg := argumentAt(ctx, gqlErr.Path); arg != "" && ce.Code == errcode.BadUserInput {
				gqlErr.Extensions["argument"] = arg
			}
			gqlErr.Err = nil
			return gqlErr
		case gqlErr.Err == nil:
			// Built by gqlgen itself: parse and validation errors, variable coercion.
			// They describe the request, never the server, so they pass unchanged.
			if _, ok := gqlErr.Extensions["code"]; !ok {
				if gqlErr.Extensions == nil {
					gqlErr.Extensions = map[string]any{}
				}
				gqlErr.Extensions["code"] = string(errcode.BadUserInput)
			}
			return gqlErr
		case errors.Is(ctx.Err(), context.Canceled) && (errors.Is(err, context.Canceled) || statementTimedOut(err)):
			// The client left (or its connection was closed) while the operation ran:
			// every field still resolving, and every event still being resolved, fails
			// alike. That is no fault of the server, and one line per connection says it.
			if infoFrom(ctx).clientLeft() {
				log.InfoContext(ctx, "client left before the answer was complete", "request_id", RequestID(ctx), "path", gqlErr.Path.String())
			}
			return &gqlerror.Error{Message: "the operation was cancelled before its answer was complete", Path: gqlErr.Path, Locations: gqlErr.Locations,
				Extensions: map[string]any{"code": string(errcode.Cancelled)}}
		case errors.Is(err, context.DeadlineExceeded) || statementTimedOut(err):
			log.WarnContext(ctx, "request timed out", "request_id", RequestID(ctx), "path", gqlErr.Path.String(), "error", err)
			return &gqlerror.Error{Message: "the request took too long and was cancelled", Path: gqlErr.Path, Locations: gqlErr.Locations,
				Extensions: map[string]any{"code": string(errcode.Timeout)}}
		case database.Unavailable(err):
			// Not a bug: the database is down or dropped the connection. Clients and load
			// balancers should retry, so say so rather than report an internal error.
			log.WarnContext(ctx, "database unavailable", "request_id", RequestID(ctx), "path", gqlErr.Path.String(), "error", err)
			return &gqlerror.Error{Message: "the database is unavailable; retry shortly", Path: gqlErr.Path, Locations: gqlErr.Locations,
				Extensions: map[string]any{"code": string(errcode.Unavailable)}}
		}
		id := RequestID(ctx)
		log.ErrorContext(ctx, "internal error", "request_id", id, "path", gqlErr.Path.String(), "error", err)
		return &gqlerror.Error{
			Message:    fmt.Sprintf("internal server error; quote request id %s when reporting it", id),
			Path:       gqlErr.Path,
			Locations:  gqlErr.Locations,
			Extensions: map[string]any{"code": string(errcode.Internal), "requestId": id},
		}
	}
}

// recoverPanic keeps a panicking resolver from taking the server down: the panic and
// its stack go to the log, the client gets an internal error.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "request_id", RequestID(ctx), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errors.New("panic in resolver")
	}
}

// statementTimedOut reports whether PostgreSQL cancelled a statement (SQLSTATE 57014),
// as its statement_timeout does: the server's sessions carry the request timeout as
// their statement timeout, so this is the request timing out on the database's side.
func statementTimedOut(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "57014"
}

// argumentAt names the argument an input error is at, when gqlgen reports a scalar that
// did not parse (a Date, a DateTime) at the field's path followed by the path inside its
// arguments: "filter.occurred.from", or "ids[2]".
func argumentAt(ctx context.Context, path ast.Path) string {
	if !graphql.HasOperationContext(ctx) {
		return ""
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return ""
	}
	field := fc.Path()
	if len(path) <= len(field) || path[:len(field)].String() != field.String() {
		return ""
	}
	var b strings.Builder
	for _, e := range path[len(field):] {
		switch e := e.(type) {
		case ast.PathName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(e))
		case ast.PathIndex:
			fmt.Fprintf(&b, "[%d]", int(e))
		}
	}
	return b.String()
}
