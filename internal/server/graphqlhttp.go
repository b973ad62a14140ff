package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/alliance-graph/alliance-graph/internal/errcode"
)

// The media types of GraphQL responses over HTTP. application/graphql-response+json lets
// the status code tell request errors (4xx, nothing ran) from executed operations (200);
// application/json is the legacy type, for which GraphQL errors keep a 200.
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// httpTransport serves GraphQL over plain GET and POST as the GraphQL over HTTP
// specification prescribes (https://graphql.github.io/graphql-over-http/draft/):
// content negotiation with 406, 415 for bodies that are not JSON, 400 for malformed
// requests, status codes that depend on the negotiated media type, and only queries over
// GET. gqlgen's GET and POST transports answer mutations over GET with 406, accept any
// Accept header, send 422 for request errors under application/json and run a document
// that is missing its query, hence this one. It must come after the SSE and WebSocket
// transports, which claim their requests first.
type httpTransport struct{}

var _ graphql.Transport = httpTransport{}

func (httpTransport) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && r.Method != http.MethodOptions
}

func (httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	w.Header().Add("Vary", "Accept")
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		writeRequestError(w, r, mediaJSON, http.StatusMethodNotAllowed, errcode.MethodNotAllowed,
			"GraphQL is served over GET (queries) and POST (everything), not %s", r.Method)
		return
	}
	media, ok := negotiate(r.Header.Values("Accept"))
	if !ok {
		writeRequestError(w, r, mediaJSON, http.StatusNotAcceptable, errcode.NotAcceptable,
			"the Accept header allows neither %s nor %s", mediaGraphQLResponse, mediaJSON)
		return
	}
	var params *graphql.RawParams
	var perr *paramError
	start := graphql.Now()
	if r.Method == http.MethodGet {
		params, perr = getParams(r)
	} else {
		params, perr = postParams(r)
	}
	if perr != nil {
		writeRequestError(w, r, media, perr.status, perr.code, "%s", perr.message)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	ctx := r.Context()
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		if hasCode(resp.Errors, errcode.BadRequest) {
			status = http.StatusBadRequest // a malformed request under either media type
		}
		if hasCode(resp.Errors, errcode.PersistedQueryNotFound) {
			// The same GET URL will succeed once the query is registered: no cache may
			// keep this answer.
			w.Header().Set("Cache-Control", "private, no-cache, must-revalidate")
		}
		writeResponse(w, media, status, requestErrorBody{Errors: resp.Errors, Extensions: resp.Extensions})
		return
	}
	switch op := opCtx.Operation.Operation; {
	case r.Method == http.MethodGet && op != ast.Query:
		// GET must be safe: caches, prefetchers and crawlers repeat it at will.
		w.Header().Set("Allow", "POST")
		writeRequestError(w, r, media, http.StatusMethodNotAllowed, errcode.MethodNotAllowed,
			"a %s cannot be sent over GET; use POST", op)
		return
	case op == ast.Subscription:
		writeRequestError(w, r, media, http.StatusBadRequest, errcode.BadRequest,
			"subscriptions run over a WebSocket (graphql-transport-ws) or Server-Sent Events (POST with Accept: text/event-stream)")
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	if resp == nil {
		// The request ended (deadline, client gone) before the operation started.
		writeRequestError(w, r, media, http.StatusServiceUnavailable, errcode.Timeout, "the request ended before the operation could run")
		return
	}
	status := http.StatusOK
	if resp.Data == nil && (hasCode(resp.Errors, errcode.TooManyInFlight) || hasCode(resp.Errors, errcode.RateLimited)) {
		retry := 1
		if secs, ok := resp.Errors[0].Extensions["retryAfter"].(int); ok {
			retry = secs
		}
		w.Header().Set("Retry-After", strconv.Itoa(retry))
		writeResponse(w, media, http.StatusTooManyRequests, requestErrorBody{Errors: resp.Errors, Extensions: resp.Extensions})
		return
	}
	if resp.Data == nil && len(resp.Errors) > 0 && media == mediaGraphQLResponse {
		// Refused by an operation interceptor before execution: a request error.
		writeResponse(w, media, http.StatusBadRequest, requestErrorBody{Errors: resp.Errors, Extensions: resp.Extensions})
		return
	}
	writeResponse(w, media, status, resp)
}

// requestErrorBody is a response for a request that did not execute: the specification
// wants no data entry at all, where graphql.Response would write "data": null.
type requestErrorBody struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

type paramError struct {
	status  int
	code    errcode.Code
	message string
}

func badParams(format string, args ...any) *paramError {
	return &paramError{http.StatusBadRequest, errcode.BadRequest, fmt.Sprintf(format, args...)}
}

// getParams reads query, operationName, variables and extensions (the last two JSON
// encoded) from the URL, and documentId for trusted documents.
func getParams(r *http.Request) (*graphql.RawParams, *paramError) {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badParams("the URL's query string cannot be decoded: %v", err)
	}
	p := &graphql.RawParams{Query: values.Get("query"), OperationName: values.Get("operationName")}
	for _, o := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &p.Variables}, {"extensions", &p.Extensions}} {
		if v := values.Get(o.name); v != "" {
			if perr := decodeObject(o.name, json.RawMessage(v), o.dst); perr != nil {
				return nil, perr
			}
		}
	}
	if perr := withDocumentID(p, values.Get("documentId")); perr != nil {
		return nil, perr
	}
	return p, checkQuery(p)
}

// postParams reads a JSON body: {query, operationName, variables, extensions,
// documentId}, each optional apart from the query (or a persisted document's id).
func postParams(r *http.Request) (*graphql.RawParams, *paramError) {
	ct := r.Header.Get("Content-Type")
	mt, mp, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != mediaJSON {
		return nil, &paramError{http.StatusUnsupportedMediaType, errcode.UnsupportedMediaType,
			fmt.Sprintf("a POST body must be %s, not %q", mediaJSON, ct)}
	}
	if cs, ok := mp["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, &paramError{http.StatusUnsupportedMediaType, errcode.UnsupportedMediaType,
			fmt.Sprintf("a POST body must be encoded in utf-8, not %s", cs)}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, &paramError{http.StatusRequestEntityTooLarge, errcode.BadRequest, "the request body is too large"}
		}
		return nil, badParams("the request body could not be read: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badParams("the request body is empty; send a JSON object such as {\"query\": \"{ __typename }\"}")
	}
	var fields map[string]json.RawMessage
	if perr := decodeObject("the request body", body, &fields); perr != nil {
		return nil, perr
	}
	p := &graphql.RawParams{}
	var documentID string
	for _, s := range []struct {
		name string
		dst  *string
	}{{"query", &p.Query}, {"operationName", &p.OperationName}, {"documentId", &documentID}} {
		if perr := decodeString(s.name, fields[s.name], s.dst); perr != nil {
			return nil, perr
		}
	}
	for _, o := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &p.Variables}, {"extensions", &p.Extensions}} {
		if perr := decodeObject(o.name, fields[o.name], o.dst); perr != nil {
			return nil, perr
		}
	}
	if perr := withDocumentID(p, documentID); perr != nil {
		return nil, perr
	}
	return p, checkQuery(p)
}

// decodeObject decodes a JSON object into dst, numbers kept exact; absent and null leave
// dst nil.
func decodeObject[T any](name string, raw json.RawMessage, dst *map[string]T) *paramError {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return badParams("%s must be a JSON object", name)
	}
	dec = json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return badParams("%s is not valid JSON: %v", name, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badParams("%s has data after its JSON object", name)
	}
	return nil
}

func decodeString(name string, raw json.RawMessage, dst *string) *paramError {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return badParams("%s must be a string", name)
	}
	return nil
}

// withDocumentID turns the documentId parameter (GraphQL over HTTP's persisted documents,
// e.g. "sha256:abc...") into the persistedQuery extension Apollo's clients send, so that
// one place resolves both.
func withDocumentID(p *graphql.RawParams, id string) *paramError {
	if id == "" {
		return nil
	}
	if pq, ok := p.Extensions["persistedQuery"].(map[string]any); ok {
		if h, _ := pq["sha256Hash"].(string); normalizeDocumentID(h) != normalizeDocumentID(id) {
			return badParams("documentId and extensions.persistedQuery.sha256Hash name different documents")
		}
		return nil
	}
	if p.Extensions == nil {
		p.Extensions = map[string]any{}
	}
	p.Extensions["persistedQuery"] = map[string]any{"version": json.Number("1"), "sha256Hash": id}
	return nil
}

func checkQuery(p *graphql.RawParams) *paramError {
	if p.Query == "" && p.Extensions["persistedQuery"] == nil {
		return badParams("the request has no query (nor a persisted document's id)")
	}
	return nil
}

// negotiate picks the response's media type from the Accept header values (RFC 9110
// §12.5.1): application/graphql-response+json when the client names it and likes it at
// least as much as application/json; application/json when the header is missing, for
// */* and application/* alone, and when the client prefers it. False: neither is
// acceptable (406).
func negotiate(accept []string) (string, bool) {
	header := strings.TrimSpace(strings.Join(accept, ","))
	if header == "" {
		return mediaJSON, true
	}
	type pref struct {
		q           float64
		specificity int // 0: no range matched, 1: */*, 2: application/*, 3: exact
	}
	var gr, js pref
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		mt, params, err := mime.ParseMediaType(part)
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil || q < 0 || q > 1 {
				continue
			}
		}
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			continue // we only ever answer in utf-8
		}
		for _, c := range []struct {
			media string
			p     *pref
		}{{mediaGraphQLResponse, &gr}, {mediaJSON, &js}} {
			s := 0
			switch mt {
			case c.media:
				s = 3
			case "application/*":
				s = 2
			case "*/*":
				s = 1
			}
			// The most specific range decides; among equally specific ones, the best q.
			if s > c.p.specificity || (s == c.p.specificity && s > 0 && q > c.p.q) {
				*c.p = pref{q, s}
			}
		}
	}
	switch {
	case gr.specificity == 3 && gr.q > 0 && gr.q >= js.q:
		return mediaGraphQLResponse, true
	case js.q > 0:
		return mediaJSON, true
	case gr.q > 0:
		return mediaGraphQLResponse, true
	}
	return "", false
}

// writeRequestError refuses a request the transport cannot run, and records the refusal
// for the log and the metrics.
func writeRequestError(w http.ResponseWriter, r *http.Request, media string, status int, code errcode.Code, format string, args ...any) {
	infoFrom(r.Context()).refuse(string(code))
	writeResponse(w, media, status, requestErrorBody{Errors: gqlerror.List{{
		Message:    fmt.Sprintf(format, args...),
		Extensions: map[string]any{"code": string(code)},
	}}})
}

func writeResponse(w http.ResponseWriter, media string, status int, body any) {
	var b []byte
	var err error
	if resp, ok := body.(*graphql.Response); ok {
		b, err = encodeResponse(resp)
	} else {
		b, err = json.Marshal(body)
	}
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"errors":[{"message":"the response could not be encoded","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`)
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

func hasCode(errs gqlerror.List, code errcode.Code) bool {
	for _, e := range errs {
		if c, _ := e.Extensions["code"].(string); c == string(code) {
			return true
		}
	}
	return false
}
