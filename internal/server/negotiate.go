package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/alliance-graph/alliance-graph/internal/errcode"
)

const mediaEventStream = "text/event-stream"

// streamsOnlyForSubscriptions makes a POST whose Accept lists Server-Sent Events beside a
// JSON type (urql sends "application/graphql-response+json, application/json,
// text/event-stream" with every operation) a stream only when its operation is a
// subscription: a query or a mutation is answered as JSON, with its status codes, its
// validation errors as errors and its trusted documents honoured. The decision is made
// once, before the connection limits, the request timeout and the transports look at the
// request, by taking the event stream out of its Accept header; a request that accepts
// only an event stream (graphql-sse) keeps it, whatever its operation. A stream's
// documentId is honoured as over plain HTTP. document finds the text of a persisted or
// trusted document by its id ("" when unknown).
func streamsOnlyForSubscriptions(document func(context.Context, *graphql.RawParams) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stream, others := acceptsStream(r.Header.Values("Accept"))
		if r.Method != http.MethodPost || !stream {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		// The transport reads the same bytes, then the same error (a body over the
		// limit is its 413 to report).
		var rest io.Reader = bytes.NewReader(body)
		if err != nil {
			rest = io.MultiReader(rest, errReader{err})
		}
		r.Body = io.NopCloser(rest)
		if err == nil && (!others || subscription(r, body, document)) {
			// gqlgen's event-stream transport reads only query, operationName,
			// variables and extensions: a GraphQL over HTTP documentId goes where it
			// looks for a persisted document's id.
			b, changed, err := documentIDAsExtension(body)
			if err != nil {
				errcode.WriteHTTP(w, http.StatusBadRequest, errcode.BadRequest, err.Error(), nil)
				return
			}
			if changed {
				r.Body = io.NopCloser(bytes.NewReader(b))
				r.ContentLength = int64(len(b))
			}
			next.ServeHTTP(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		r2.Body = r.Body
		r2.Header.Del("Accept")
		for _, v := range r.Header.Values("Accept") {
			if kept := withoutEventStream(v); kept != "" {
				r2.Header.Add("Accept", kept)
			}
		}
		next.ServeHTTP(w, r2)
	})
}

// subscription reports whether the operation a POST body asks for is a subscription.
func subscription(r *http.Request, body []byte, document func(context.Context, *graphql.RawParams) string) bool {
	probe := r.Clone(r.Context())
	probe.Body = io.NopCloser(bytes.NewReader(body))
	params, perr := postParams(probe)
	if perr != nil {
		return false
	}
	q := params.Query
	if q == "" {
		q = document(r.Context(), params)
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		return false
	}
	var op *ast.OperationDefinition
	switch {
	case params.OperationName != "":
		op = doc.Operations.ForName(params.OperationName)
	case len(doc.Operations) == 1:
		op = doc.Operations[0]
	}
	return op != nil && op.Operation == ast.Subscription
}

// acceptsStream reports whether Accept lists an event stream, and whether it lists some
// other type too.
func acceptsStream(accept []string) (stream, other bool) {
	for _, v := range accept {
		for _, r := range strings.Split(v, ",") {
			mt, _, err := mime.ParseMediaType(strings.TrimSpace(r))
			switch {
			case err != nil:
			case mt == mediaEventStream:
				stream = true
			default:
				other = true
			}
		}
	}
	return stream, other
}

// documentIDAsExtension rewrites a body (or a WebSocket subscribe message's payload) that
// names its document by documentId to name it by extensions.persistedQuery, which the
// persisted documents read on every transport. changed is false when there is no
// documentId; an error says why the two ids cannot be reconciled.
func documentIDAsExtension(body []byte) (out []byte, changed bool, err error) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil || fields["documentId"] == nil {
		return nil, false, nil
	}
	var id string
	if json.Unmarshal(fields["documentId"], &id) != nil {
		return nil, false, errors.New("documentId must be a string")
	}
	if id == "" {
		return nil, false, nil
	}
	var ext map[string]any
	if raw, ok := fields["extensions"]; ok && json.Unmarshal(raw, &ext) != nil {
		return nil, false, errors.New("extensions must be an object")
	}
	if ext == nil {
		ext = map[string]any{}
	}
	if pq, ok := ext["persistedQuery"].(map[string]any); ok {
		if h, _ := pq["sha256Hash"].(string); normalizeDocumentID(h) != normalizeDocumentID(id) {
			return nil, false, errors.New("documentId and extensions.persistedQuery.sha256Hash name different documents")
		}
	}
	ext["persistedQuery"] = map[string]any{"version": 1, "sha256Hash": id}
	delete(fields, "documentId")
	b, err := json.Marshal(ext)
	if err != nil {
		return nil, false, fmt.Errorf("encode extensions: %w", err)
	}
	fields["extensions"] = b
	out, err = json.Marshal(fields)
	if err != nil {
		return nil, false, fmt.Errorf("encode request: %w", err)
	}
	return out, true, nil
}

// withoutEventStream drops text/event-stream from one Accept header line.
func withoutEventStream(v string) string {
	var kept []string
	for _, r := range strings.Split(v, ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(r)); err == nil && mt == mediaEventStream {
			continue
		}
		if s := strings.TrimSpace(r); s != "" {
			kept = append(kept, s)
		}
	}
	return strings.Join(kept, ", ")
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
