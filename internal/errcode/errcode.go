// Package errcode defines the errors a client may see: each has a machine-readable code
// for `extensions.code` and, for bad input, the argument it is about. Any other error is
// internal and never shown to clients.
package errcode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// Code is the value of a GraphQL error's `extensions.code`.
type Code string

// The codes clients can rely on.
const (
	BadUserInput Code = "BAD_USER_INPUT"
	NotFound     Code = "NOT_FOUND"
	Internal     Code = "INTERNAL_SERVER_ERROR"
	Timeout      Code = "TIMEOUT"
	// Unauthenticated: the request carries no valid credential and the field needs one.
	Unauthenticated Code = "UNAUTHENTICATED"
	// Forbidden: the caller is known but may not do or see this.
	Forbidden Code = "FORBIDDEN"
	// Unavailable: the database cannot be reached right now; the request may be retried
	// as it is, after a short wait.
	Unavailable Code = "UNAVAILABLE"
	// QueryTooComplex: the operation's estimated cost exceeds the server's limit.
	QueryTooComplex Code = "QUERY_TOO_COMPLEX"
	// QueryTooDeep: the operation nests fields deeper than the server's limit.
	QueryTooDeep Code = "QUERY_TOO_DEEP"
	// QueryTooWide: a selection set selects one field more often than the limit.
	QueryTooWide Code = "QUERY_TOO_WIDE"
	// IntrospectionDisabled: the server was started with introspection off.
	IntrospectionDisabled Code = "INTROSPECTION_DISABLED"
	// RequestTooLarge: the request body exceeds the server's limit (HTTP 413).
	RequestTooLarge Code = "REQUEST_TOO_LARGE"
	// RateLimited: the client sent more requests than its rate allows (HTTP 429).
	RateLimited Code = "RATE_LIMITED"
	// TooManyInFlight: the client already has as many requests running as it may
	// (HTTP 429); it may send again when one of them is answered.
	TooManyInFlight Code = "TOO_MANY_IN_FLIGHT"
	// TooManyOperations: a WebSocket already runs as many operations (subscriptions
	// included) as the server allows one connection; complete one first.
	TooManyOperations Code = "TOO_MANY_OPERATIONS"
	// TooManyConnections: the client already holds as many WebSockets and event
	// streams open as the server allows one client (HTTP 429).
	TooManyConnections Code = "TOO_MANY_CONNECTIONS"
	// Cancelled: the operation ended before its answer was complete, because the client
	// left or its connection was closed.
	Cancelled Code = "CANCELLED"
)

// Codes of requests refused before anything runs (GraphQL over HTTP and persisted
// documents). Apollo Client's persisted-query link reacts to PERSISTED_QUERY_NOT_FOUND
// (it resends the query) and PERSISTED_QUERY_NOT_SUPPORTED (it stops sending hashes).
const (
	// BadRequest: the HTTP request itself is malformed (not JSON, a parameter of the
	// wrong type, no query).
	BadRequest Code = "BAD_REQUEST"
	// NotAcceptable: the Accept header allows no media type the server can answer with.
	NotAcceptable Code = "NOT_ACCEPTABLE"
	// UnsupportedMediaType: a POST body that is not application/json.
	UnsupportedMediaType Code = "UNSUPPORTED_MEDIA_TYPE"
	// MethodNotAllowed: a mutation or subscription over GET, or a method other than GET
	// and POST.
	MethodNotAllowed Code = "METHOD_NOT_ALLOWED"
	// PersistedQueryNotFound: the hash is unknown; send it again with the query.
	PersistedQueryNotFound Code = "PERSISTED_QUERY_NOT_FOUND"
	// PersistedQueryNotSupported: automatic persisted queries are switched off.
	PersistedQueryNotSupported Code = "PERSISTED_QUERY_NOT_SUPPORTED"
	// PersistedQueryHashMismatch: the query sent is not the one the hash names.
	PersistedQueryHashMismatch Code = "PERSISTED_QUERY_HASH_MISMATCH"
	// OriginNotAllowed: a browser's cross-origin call or WebSocket from an origin the
	// server was not started to accept (--cors-origins, --dev); HTTP 403.
	OriginNotAllowed Code = "ORIGIN_NOT_ALLOWED"
	// PersistedQueryRequired: trusted-documents mode refuses a free-form query.
	PersistedQueryRequired Code = "PERSISTED_QUERY_REQUIRED"
	// PersistedQueryNotInList: trusted-documents mode knows no document with this id.
	PersistedQueryNotInList Code = "PERSISTED_QUERY_NOT_IN_LIST"
	// Conflict: the request contradicts the state it addresses (HTTP 409): a reserved
	// event stream opened a second time, an operationId already running on it.
	Conflict Code = "CONFLICT"
)

// Error is an error meant for the client.
type Error struct {
	Code    Code
	Field   string // the argument or input field at fault, for BAD_USER_INPUT
	Message string
}

func (e *Error) Error() string { return e.Message }

// BadInput reports a wrong argument, naming it and saying why.
func BadInput(field, format string, args ...any) *Error {
	return &Error{Code: BadUserInput, Field: field, Message: fmt.Sprintf("argument %q %s", field, fmt.Sprintf(format, args...))}
}

// Missing reports that what an ID or key refers to does not exist.
func Missing(format string, args ...any) *Error {
	return &Error{Code: NotFound, Message: fmt.Sprintf(format, args...)}
}

// WriteHTTP answers an HTTP request refused before GraphQL runs (a bad credential, a body
// too large, a rate limit) with a GraphQL-shaped body holding one error, so that clients
// read every refusal the same way. A refusal depends on who asks and from where, so it
// must not be cached nor served to another credential or origin.
func WriteHTTP(w http.ResponseWriter, status int, code Code, message string, ext map[string]any) {
	e := map[string]any{"code": string(code)}
	for k, v := range ext {
		if k != "code" {
			e[k] = v
		}
	}
	type gqlError struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	enc.Encode(struct {
		Errors []gqlError `json:"errors"`
	}{[]gqlError{{message, e}}})
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Authorization")
	h.Add("Vary", "Origin")
	w.WriteHeader(status)
	w.Write(body.Bytes())
}
