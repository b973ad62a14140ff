package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
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
			writeError(w, r, http.StatusUnauthorized, reason, "UNAUTHENTICATED")
			return
		}
		if err != nil {
			log.ErrorContext(r.Context(), "cannot check credential", "error", err, "path", r.URL.Path)
			writeError(w, r, http.StatusInternalServerError, "internal server error while checking the credential", "INTERNAL_SERVER_ERROR")
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
func writeError(w http.ResponseWriter, r *http.Request, status int, message, code string) {
	if observe, ok := r.Context().Value(refusalObserverKey{}).(func(string)); ok {
		observe(code)
	}
	type extensions struct {
		Code string `json:"code"`
	}
	type gqlError struct {
		Message    string     `json:"message"`
		Extensions extensions `json:"extensions"`
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	enc.Encode(struct {
		Errors []gqlError `json:"errors"`
	}{[]gqlError{{message, extensions{code}}}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body.Bytes())
}
