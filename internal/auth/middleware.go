package auth

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/alliance-graph/alliance-graph/internal/errcode"
)

// Middleware authenticates the Authorization header of every request and puts the
// viewer in its context. A refused credential gets 401 with a GraphQL-shaped error
// (extensions.code UNAUTHENTICATED) saying why; a request without one passes as
// anonymous. Failing to check a credential (database down) gets 500.
func Middleware(a *Authenticator, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		headers := r.Header.Values("Authorization")
		var v Viewer
		var err error
		switch len(headers) {
		case 0:
		case 1:
			v, err = a.Authenticate(r.Context(), headers[0])
		default:
			err = refuse("the request has more than one Authorization header")
		}
		if reason := Reason(err); reason != "" {
			log.DebugContext(r.Context(), "credential refused", "reason", reason, "path", r.URL.Path)
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeError(w, r, http.StatusUnauthorized, reason, errcode.Unauthenticated)
			return
		}
		if err != nil {
			log.ErrorContext(r.Context(), "cannot check credential", "error", err, "path", r.URL.Path)
			writeError(w, r, http.StatusInternalServerError, "internal server error while checking the credential", errcode.Internal)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithViewer(r.Context(), v)))
	})
}

type refusalObserverKey struct{}

// WithRefusalObserver has Middleware tell observe the code of every error it answers a
// request under ctx with, so that the server's log line and error metrics include them.
func WithRefusalObserver(ctx context.Context, observe func(code string)) context.Context {
	return context.WithValue(ctx, refusalObserverKey{}, observe)
}

// writeError answers with one GraphQL error.
func writeError(w http.ResponseWriter, r *http.Request, status int, message string, code errcode.Code) {
	if observe, ok := r.Context().Value(refusalObserverKey{}).(func(string)); ok {
		observe(string(code))
	}
	errcode.WriteHTTP(w, status, code, message, nil)
}
