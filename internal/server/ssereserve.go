package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
)

// Single connection mode of GraphQL over Server-Sent Events (graphql-sse's PROTOCOL.md):
// a browser on HTTP/1 may hold six connections to a host, so one event stream carries
// the results of every operation, which are sent by ordinary requests and told apart by
// the operationId their client chose.
//
//	PUT    /query                          reserves a stream: 201 and a token (text/plain)
//	GET    /query  + token                 opens the reservation's one stream
//	POST   /query  + token, {..., extensions: {operationId}}
//	                                       runs an operation onto the stream: 202
//	DELETE /query?operationId=...  + token stops an operation: 200
//
// The token goes in the X-GraphQL-Event-Stream-Token header or, for EventSource, which
// cannot set headers, in the token query parameter. A reservation belongs to the viewer
// (and client) that made it: holding its token is not enough to read its stream. It takes
// one of its client's live connections (LiveLimits.MaxConnections) from the PUT on, and
// holds at most LiveLimits.MaxOperations operations at once, as a WebSocket does.
//
// Operations go through the same handler as every other request, through a transport of
// their own (reservedTransport) that writes their results onto the stream instead of
// the response: authentication, persisted and trusted documents, the limits, the
// multiplexed subscriptions, the request log and the metrics are those of any request.

// reservationHeader carries a reservation's token, as graphql-sse's client sends it.
const reservationHeader = "X-GraphQL-Event-Stream-Token"

// DefaultReservationTimeout is how long a reservation waits for its stream: long enough
// for a client to open it right after the PUT, short enough that abandoned ones do not
// hold their client's connections for long.
const DefaultReservationTimeout = 30 * time.Second

// reservationToken is the token of a single-connection-mode request, "" for any other.
func reservationToken(r *http.Request) string {
	if t := r.Header.Get(reservationHeader); t != "" {
		return t
	}
	return r.URL.Query().Get("token")
}

// isReservedStream tells the request that opens a reservation's stream, which stays
// open like any event stream.
func isReservedStream(r *http.Request) bool {
	return r.Method == http.MethodGet && reservationToken(r) != ""
}

// reservations holds one server's reservations.
type reservations struct {
	live      *streams
	ttl       time.Duration
	keepAlive time.Duration

	mu      sync.Mutex
	byToken map[string]*reservation
}

func newReservations(live *streams, keepAlive time.Duration) *reservations {
	ttl := live.limits.ReservationTimeout
	if ttl <= 0 {
		ttl = DefaultReservationTimeout
	}
	return &reservations{live: live, ttl: ttl, keepAlive: keepAlive, byToken: map[string]*reservation{}}
}

// owner is who may use a reservation: its client (the credential's subject, else the
// address) acting in the same role for the same organization.
type owner struct {
	client string
	role   auth.Role
	org    int64
}

func ownerOf(ctx context.Context) owner {
	v := auth.ViewerFrom(ctx)
	return owner{client: clientOf(ctx), role: v.Role, org: v.OrganizationID}
}

type reservation struct {
	token   string
	owner   owner
	release sync.Once
	free    func() // gives the client's connection back
	expiry  *time.Timer

	mu      sync.Mutex
	open    bool           // its stream has been opened
	ending  bool           // its stream is ending: no operation may start
	closed  bool           // its stream ended, or it expired: nothing more is written
	running sync.WaitGroup // its operations
	w       http.ResponseWriter
	ctx     context.Context // the stream's; operations end with it
	ops     map[string]*reservedOp
}

// reservedOp is one operation running on a reservation's stream.
type reservedOp struct {
	res    *reservation
	id     string
	ctx    context.Context // ends with the stream, or when the client stops it
	cancel context.CancelFunc
}

type reservedOpKey struct{}

// serve answers the requests of single connection mode and passes on the others. It
// runs after authentication and the request limits, inside the client's key.
func (s *reservations) serve(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := reservationToken(r)
		switch {
		case r.Method == http.MethodPut && r.ContentLength == 0:
			// A reservation has no body; a PUT with one is a GraphQL request sent with the
			// wrong method, which the HTTP transport refuses with 405.
			s.reserve(w, r)
		case token == "":
			next.ServeHTTP(w, r)
		case r.Method == http.MethodGet:
			s.stream(w, r, token)
		case r.Method == http.MethodPost:
			s.operation(w, r, token, next)
		case r.Method == http.MethodDelete:
			s.stop(w, r, token)
		default:
			w.Header().Set("Allow", "GET, POST, DELETE")
			writeGraphQLError(w, r, http.StatusMethodNotAllowed, errcode.MethodNotAllowed,
				fmt.Sprintf("a reserved event stream is opened with GET, runs operations with POST and stops them with DELETE, not %s", r.Method), nil)
		}
	})
}

// reserve makes a reservation for the viewer and answers its token.
func (s *reservations) reserve(w http.ResponseWriter, r *http.Request) {
	o := ownerOf(r.Context())
	free := func() {}
	if s.live.conns != nil {
		var ok bool
		if free, ok = s.live.conns.reserve(o.client, 1); !ok {
			tooManyConnections(w, r, s.live.limits.MaxConnections)
			return
		}
	}
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	res := &reservation{token: base64.RawURLEncoding.EncodeToString(b[:]), owner: o, free: free, ops: map[string]*reservedOp{}}
	res.mu.Lock()
	s.mu.Lock()
	s.byToken[res.token] = res
	s.mu.Unlock()
	res.expiry = time.AfterFunc(s.ttl, func() {
		res.mu.Lock()
		opened := res.open
		res.closed = res.closed || !opened
		res.mu.Unlock()
		if !opened {
			s.forget(res)
		}
	})
	res.mu.Unlock()
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Authorization")
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, res.token)
}

// forget drops a reservation and gives its connection back, once.
func (s *reservations) forget(res *reservation) {
	s.mu.Lock()
	if s.byToken[res.token] == res {
		delete(s.byToken, res.token)
	}
	s.mu.Unlock()
	res.release.Do(res.free)
}

// lookup finds the caller's reservation of token, or answers why not.
func (s *reservations) lookup(w http.ResponseWriter, r *http.Request, token string) *reservation {
	s.mu.Lock()
	res := s.byToken[token]
	s.mu.Unlock()
	if res == nil {
		writeGraphQLError(w, r, http.StatusNotFound, errcode.NotFound,
			"no reservation has this token: it expired, its stream closed, or it never existed; reserve a stream again with PUT", nil)
		return nil
	}
	if res.owner != ownerOf(r.Context()) {
		writeGraphQLError(w, r, http.StatusForbidden, errcode.Forbidden,
			"this reservation was made by another viewer: send the credential it was made with", nil)
		return nil
	}
	return res
}

// stream opens the reservation's one event stream and holds it until the client leaves,
// the server shuts down, a write stalls or the viewer's credential ends; then every
// operation on it ends and the reservation is gone.
func (s *reservations) stream(w http.ResponseWriter, r *http.Request, token string) {
	res := s.lookup(w, r, token)
	if res == nil {
		return
	}
	res.mu.Lock()
	switch {
	case res.closed:
		res.mu.Unlock()
		writeGraphQLError(w, r, http.StatusNotFound, errcode.NotFound, "this reservation expired or its stream closed; reserve a stream again with PUT", nil)
		return
	case res.open:
		res.mu.Unlock()
		writeGraphQLError(w, r, http.StatusConflict, errcode.Conflict, "the event stream of this reservation is already open; a reservation has one stream", nil)
		return
	}
	res.open = true
	res.expiry.Stop()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	lc := &liveConn{}
	lc.setEnd(func(string) { cancel() })
	defer s.live.watcher.Watch(auth.ViewerFrom(ctx), lc.credentialEnded)()
	res.w = &deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), timeout: s.live.limits.WriteTimeout, stalled: cancel}
	res.ctx = context.WithValue(ctx, liveConnKey{}, lc)
	h := w.Header()
	h.Set("Content-Type", mediaEventStream)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx would hold events back otherwise
	res.w.WriteHeader(http.StatusOK)
	res.mu.Unlock()
	res.write([]byte(":\n\n"))
	var tick <-chan time.Time
	if s.keepAlive > 0 {
		t := time.NewTicker(s.keepAlive)
		defer t.Stop()
		tick = t.C
	}
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-tick:
			res.write([]byte(": ping\n\n"))
		}
	}
	// Each operation ends with the stream's context; let them send what they have to
	// say (a subscription ended by the credential says why) before the stream closes.
	res.mu.Lock()
	res.ending = true
	res.mu.Unlock()
	ended := make(chan struct{})
	go func() { res.running.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(s.live.limits.WriteTimeout):
	}
	res.mu.Lock()
	res.closed = true
	res.mu.Unlock()
	s.forget(res)
}

// write sends bytes on the stream, unless it has closed, and reports whether it did.
func (res *reservation) write(b []byte) bool {
	res.mu.Lock()
	defer res.mu.Unlock()
	if res.closed || res.w == nil {
		return false
	}
	if _, err := res.w.Write(b); err != nil {
		return false
	}
	res.w.(http.Flusher).Flush()
	return true
}

// next sends one result of operation id.
func (res *reservation) next(id string, payload []byte) bool {
	quoted, _ := json.Marshal(id)
	var b bytes.Buffer
	b.Grow(len(payload) + len(quoted) + 48)
	b.WriteString("event: next\ndata: {\"id\":")
	b.Write(quoted)
	b.WriteString(",\"payload\":")
	b.Write(payload)
	b.WriteString("}\n\n")
	return res.write(b.Bytes())
}

// complete says that operation id sent its last result.
func (res *reservation) complete(id string) bool {
	quoted, _ := json.Marshal(id)
	return res.write([]byte("event: complete\ndata: {\"id\":" + string(quoted) + "}\n\n"))
}

// operation admits an operation onto an open stream and hands it to GraphQL, whose
// reservedTransport runs it.
func (s *reservations) operation(w http.ResponseWriter, r *http.Request, token string, next http.Handler) {
	res := s.lookup(w, r, token)
	if res == nil {
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeGraphQLError(w, r, http.StatusBadRequest, errcode.BadUserInput, "the request body could not be read", nil)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var ids struct {
		Extensions struct {
			OperationID string `json:"operationId"`
		} `json:"extensions"`
	}
	if json.Unmarshal(body, &ids) != nil || ids.Extensions.OperationID == "" {
		writeGraphQLError(w, r, http.StatusBadRequest, errcode.BadRequest,
			"an operation sent to a reserved event stream needs a JSON body whose extensions.operationId (a string) names its results on the stream", nil)
		return
	}
	id := ids.Extensions.OperationID
	res.mu.Lock()
	switch max := s.live.limits.MaxOperations; {
	case !res.open || res.ending || res.closed:
		res.mu.Unlock()
		writeGraphQLError(w, r, http.StatusNotFound, errcode.NotFound,
			"the event stream of this reservation is not open: open it with GET before sending operations", nil)
		return
	case res.ops[id] != nil:
		res.mu.Unlock()
		writeGraphQLError(w, r, http.StatusConflict, errcode.Conflict,
			fmt.Sprintf("operation %q is already running on this stream: give each operation its own operationId", id), map[string]any{"operationId": id})
		return
	case max > 0 && len(res.ops) >= max:
		res.mu.Unlock()
		writeGraphQLError(w, r, http.StatusTooManyRequests, errcode.TooManyOperations,
			fmt.Sprintf("too many operations on this stream: at most %d may run at once; complete one first", max),
			map[string]any{"limit": max})
		return
	}
	op := &reservedOp{res: res, id: id}
	op.ctx, op.cancel = context.WithCancel(res.ctx)
	res.ops[id] = op
	res.running.Add(1)
	lc := liveConnFrom(res.ctx)
	res.mu.Unlock()
	// The stream's connection, so that each operation is checked against the viewer's
	// credential as it is now and a query gets the request timeout (streams.operations).
	ctx := context.WithValue(context.WithValue(r.Context(), reservedOpKey{}, op), liveConnKey{}, lc)
	next.ServeHTTP(w, r.WithContext(ctx))
}

// end removes the operation from its stream.
func (op *reservedOp) end() {
	op.cancel()
	op.res.mu.Lock()
	if op.res.ops[op.id] == op {
		delete(op.res.ops, op.id)
		op.res.running.Done()
	}
	op.res.mu.Unlock()
}

// stop ends the operation the client names; stopping one that already ended succeeds,
// as the client cannot know whether its last result is on its way.
func (s *reservations) stop(w http.ResponseWriter, r *http.Request, token string) {
	res := s.lookup(w, r, token)
	if res == nil {
		return
	}
	id := r.URL.Query().Get("operationId")
	if id == "" {
		writeGraphQLError(w, r, http.StatusBadRequest, errcode.BadRequest, "DELETE needs the operationId of the operation to stop in the query string", nil)
		return
	}
	res.mu.Lock()
	op := res.ops[id]
	res.mu.Unlock()
	if op != nil {
		op.cancel()
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// reservedTransport runs an operation admitted by reservations.operation: its request
// errors (undecodable body, invalid document, unknown persisted document, refused by
// trusted documents or the limits) answer the POST as over plain HTTP; its results go
// onto the stream, and the POST gets 202 Accepted. A query or mutation has run when the
// 202 comes; a subscription runs on, until it ends, the client stops it, or the stream
// closes.
type reservedTransport struct{}

var _ graphql.Transport = reservedTransport{}

func (reservedTransport) Supports(r *http.Request) bool {
	_, ok := r.Context().Value(reservedOpKey{}).(*reservedOp)
	return ok
}

func (reservedTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	op := r.Context().Value(reservedOpKey{}).(*reservedOp)
	running := false
	defer func() {
		if !running {
			op.end()
		}
	}()
	start := graphql.Now()
	params, perr := postParams(r)
	if perr != nil {
		writeRequestError(w, r, mediaJSON, perr.status, perr.code, "%s", perr.message)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	// The operation keeps the request's values (viewer, request id, log and metrics
	// info) but not its end: a subscription outlives the POST that started it.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	stop := context.AfterFunc(op.ctx, cancel)
	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		stop()
		cancel()
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		writeResponse(w, mediaJSON, http.StatusBadRequest, requestErrorBody{Errors: resp.Errors, Extensions: resp.Extensions})
		return
	}
	if oc.Operation.Operation != ast.Subscription {
		// It runs now, within the request, which may leave or time out.
		defer context.AfterFunc(r.Context(), cancel)()
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	if oc.Operation.Operation == ast.Subscription {
		running = true
		w.WriteHeader(http.StatusAccepted)
		go func() {
			defer op.end()
			defer cancel()
			defer stop()
			op.pump(ctx, responses)
		}()
		return
	}
	defer stop()
	defer cancel()
	first := responses(ctx)
	if first == nil {
		writeRequestError(w, r, mediaJSON, http.StatusServiceUnavailable, errcode.Timeout, "the request ended before the operation could run")
		return
	}
	if first.Data == nil && (hasCode(first.Errors, errcode.TooManyInFlight) || hasCode(first.Errors, errcode.RateLimited)) {
		retry := 1
		if secs, ok := first.Errors[0].Extensions["retryAfter"].(int); ok {
			retry = secs
		}
		w.Header().Set("Retry-After", strconv.Itoa(retry))
		writeResponse(w, mediaJSON, http.StatusTooManyRequests, requestErrorBody{Errors: first.Errors, Extensions: first.Extensions})
		return
	}
	if !op.send(first) || !op.pump(ctx, responses) {
		writeRequestError(w, r, mediaJSON, http.StatusNotFound, errcode.NotFound, "the event stream of this reservation closed before the result could be sent")
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// pump sends the operation's results until it ends, then its completion, and reports
// whether the stream took them all.
func (op *reservedOp) pump(ctx context.Context, responses graphql.ResponseHandler) bool {
	for {
		resp := responses(ctx)
		if resp == nil {
			return op.res.complete(op.id)
		}
		if !op.send(resp) {
			return false
		}
	}
}

func (op *reservedOp) send(resp *graphql.Response) bool {
	payload, err := encodeResponse(resp)
	if err != nil {
		payload = []byte(`{"errors":[{"message":"the response could not be encoded","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`)
	}
	return op.res.next(op.id, payload)
}
