package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/alliance-graph/alliance-graph/internal/errcode"
)

// gqlgen's WebSocket transport speaks graphql-transport-ws but closes protocol
// violations with generic codes (1002 "unexpected message", 1000 "terminated") and lets
// duplicate subscription ids through. Clients such as graphql-ws act on the close codes
// of its PROTOCOL.md, so strictProtocol checks each message before gqlgen reads it and
// closes with the prescribed code:
//
//	4400 Invalid message received      (malformed JSON, unknown type, missing id)
//	4401 Unauthorized                  (subscribe before connection_ack)
//	4408 Connection initialisation timeout
//	4409 Subscriber for <id> already exists
//	4429 Too many initialisation requests
//
// The legacy graphql-ws subprotocol passes through unchecked.
type strictProtocol struct {
	transport.WebsocketImplementation
	initTimeout time.Duration
}

const graphqlTransportWS = "graphql-transport-ws"

var errViolation = errors.New("graphql-transport-ws protocol violation")

func (s strictProtocol) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	conn, err := s.WebsocketImplementation.Accept(w, r, o)
	if err != nil {
		return conn, err
	}
	h, _ := r.Context().Value(connSlot{}).(*connHolder)
	dc, _ := conn.(*deadlineConn)
	if conn.Subprotocol() != graphqlTransportWS {
		if dc == nil {
			return conn, nil
		}
		l := &legacyConn{deadlineConn: dc}
		if h != nil {
			h.setFrames(l)
		}
		return l, nil
	}
	g := &guardedConn{WebsocketConn: conn, frames: dc, active: map[string]bool{}, stopped: map[string]bool{}}
	if h != nil {
		h.set(g)
		if dc != nil {
			h.setFrames(g)
		}
	}
	g.initTimer = time.AfterFunc(s.initTimeout, func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if !g.initialised {
			g.violate(4408, "Connection initialisation timeout")
		}
	})
	return g, nil
}

type guardedConn struct {
	transport.WebsocketConn
	frames    *deadlineConn // the connection under it, for writeNext; nil: none
	initTimer *time.Timer
	operationIDs

	mu          sync.Mutex
	initialised bool
	closed      bool
	active      map[string]bool // subscription ids in flight
	stopped     map[string]bool // ids the client completed: no message of theirs follows
}

// violate closes the socket with code; the caller holds mu.
func (g *guardedConn) violate(code int, reason string) {
	if g.closed {
		return
	}
	g.closed = true
	g.WebsocketConn.WriteClose(code, reason)
}

type wsEnvelope struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

func (g *guardedConn) NextReader() (int, io.Reader, error) {
	for {
		kind, data, err := nextMessage(g.WebsocketConn)
		if err != nil {
			return kind, nil, err
		}
		r, retry, err := g.check(kind, data)
		if !retry {
			return kind, r, err
		}
	}
}

// check passes one message on, or closes the socket for a protocol violation, or answers
// a subscribe whose documentId cannot be honoured with an error message of its own and
// asks for the next message (retry).
func (g *guardedConn) check(kind int, data []byte) (r io.Reader, retry bool, err error) {
	var m wsEnvelope
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, false, transport.ErrWebsocketClosed
	}
	fail := func(code int, reason string) (io.Reader, bool, error) {
		g.violate(code, reason)
		return nil, false, errViolation
	}
	if json.Unmarshal(data, &m) != nil {
		return fail(4400, "Invalid message received")
	}
	switch m.Type {
	case "connection_init":
		if g.initialised {
			return fail(4429, "Too many initialisation requests")
		}
		g.initialised = true
		g.initTimer.Stop()
	case "ping", "pong":
	case "subscribe":
		switch {
		case !g.initialised:
			return fail(4401, "Unauthorized")
		case m.ID == "":
			return fail(4400, "Invalid message received")
		case g.active[m.ID]:
			return fail(4409, fmt.Sprintf("Subscriber for %s already exists", m.ID))
		}
		rewritten, derr := subscribeByDocumentID(data)
		if derr != nil {
			// Like a validation error: the operation fails, the socket stays.
			return nil, true, g.WebsocketConn.WriteJSON(operationError(m.ID, derr, false))
		}
		data = rewritten
		g.active[m.ID] = true
		g.started(m.ID)
	case "complete":
		if m.ID == "" {
			return fail(4400, "Invalid message received")
		}
		if g.active[m.ID] {
			g.stopped[m.ID] = true
		}
		delete(g.active, m.ID)
	default:
		return fail(4400, "Invalid message received")
	}
	return bytes.NewReader(data), false, nil
}

// WriteJSON forgets a subscription id once the server completes or fails it, so that
// the client may reuse it, and drops messages about operations the client completed.
func (g *guardedConn) WriteJSON(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if m, ok := envelopeOf(v, data); ok && m.ID != "" {
		g.mu.Lock()
		stopped := g.stopped[m.ID] && !g.active[m.ID]
		if m.Type == "complete" || m.Type == "error" {
			delete(g.active, m.ID)
			delete(g.stopped, m.ID)
		}
		g.mu.Unlock()
		if m.Type == "complete" || m.Type == "error" {
			g.ended(m.ID)
		}
		if stopped {
			// The client completed this operation: PROTOCOL.md wants nothing more
			// about it, not even the server's own complete.
			return nil
		}
	}
	return g.WebsocketConn.WriteJSON(encoded(data))
}

// writeNext writes one of subscription id's responses, encoded once for all its
// subscribers, as a "next" message, unless the client completed the subscription.
func (g *guardedConn) writeNext(id string, tail, payload []byte) error {
	g.mu.Lock()
	stopped := g.stopped[id] && !g.active[id]
	g.mu.Unlock()
	if stopped {
		return nil
	}
	return g.frames.writeFrame(payloadHead, payload, tail)
}

func (g *guardedConn) nextType() string { return "next" }

// legacyConn is a socket speaking the legacy graphql-ws protocol, which passes through
// unchecked; only the id of each operation it starts is noted, for writeNext.
type legacyConn struct {
	*deadlineConn
	operationIDs
}

func (l *legacyConn) NextReader() (int, io.Reader, error) {
	kind, data, err := nextMessage(l.deadlineConn)
	if err != nil {
		return kind, nil, err
	}
	var m wsEnvelope
	if json.Unmarshal(data, &m) == nil && m.Type == "start" {
		rewritten, derr := subscribeByDocumentID(data)
		if derr != nil {
			if err := l.deadlineConn.WriteJSON(operationError(m.ID, derr, true)); err != nil {
				return kind, nil, err
			}
			return l.NextReader()
		}
		data = rewritten
		l.started(m.ID)
	}
	return kind, bytes.NewReader(data), nil
}

// subscribeByDocumentID names the document of a subscribe (or legacy start) message by
// extensions.persistedQuery when its payload names it by documentId, as GraphQL over
// HTTP does, so that trusted documents resolve it on sockets as on every other transport.
func subscribeByDocumentID(data []byte) ([]byte, error) {
	if !bytes.Contains(data, []byte(`"documentId"`)) {
		return data, nil
	}
	var msg map[string]json.RawMessage
	if err := json.Unmarshal(data, &msg); err != nil {
		return data, nil // the protocol check has read it already
	}
	payload, changed, err := documentIDAsExtension(msg["payload"])
	if err != nil || !changed {
		return data, err
	}
	msg["payload"] = payload
	out, err := json.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("encode subscribe message: %w", err)
	}
	return out, nil
}

// operationError is the message failing one operation of a socket before it runs; both
// protocols call it "error", graphql-transport-ws with a list of errors as its payload,
// the legacy protocol with one error.
func operationError(id string, err error, legacy bool) any {
	e := map[string]any{"message": err.Error(), "extensions": map[string]any{"code": string(errcode.BadRequest)}}
	if legacy {
		return map[string]any{"id": id, "type": "error", "payload": e}
	}
	return map[string]any{"id": id, "type": "error", "payload": []any{e}}
}

func (l *legacyConn) WriteJSON(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if m, ok := envelopeOf(v, data); ok && m.ID != "" && (m.Type == "complete" || m.Type == "error") {
		l.ended(m.ID)
	}
	return l.deadlineConn.WriteJSON(encoded(data))
}

func (l *legacyConn) writeNext(id string, tail, payload []byte) error {
	return l.writeFrame(payloadHead, payload, tail)
}

func (l *legacyConn) nextType() string { return "data" }

// nextMessage reads c's next message whole: both sockets read its envelope before
// handing it on. A deadlineConn already holds it whole, so it is not copied again.
func nextMessage(c transport.WebsocketConn) (int, []byte, error) {
	if d, ok := c.(*deadlineConn); ok {
		return d.readMessage()
	}
	kind, r, err := c.NextReader()
	if err != nil {
		return kind, nil, err
	}
	data, err := io.ReadAll(r)
	return kind, data, err
}

// payloadHead opens a data message as gqlgen's transport encodes one: payload first,
// then id and type (see frameTail).
const payloadHead = `{"payload":`

// frameTail closes subscription id's data messages of type typ.
func frameTail(id, typ string) []byte {
	quoted, _ := json.Marshal(id)
	return fmt.Appendf(nil, `,"id":%s,"type":%q}`, quoted, typ)
}

// socketFrames is a WebSocket whose subscriptions' responses may be written as they
// were encoded for their hub, without passing through gqlgen's transport (which
// encodes every response for every subscriber).
type socketFrames interface {
	claim(oc *graphql.OperationContext)
	take(oc *graphql.OperationContext) (id string, ok bool)
	writeNext(id string, tail, payload []byte) error
	nextType() string
}

// operationIDs ties each subscription a socket starts to the id of the message that
// started it. gqlgen reads a socket's messages one at a time and prepares each
// operation (CreateOperationContext, whose mutators include socketOperations) before
// it reads the next, so the operation prepared is the one whose message was read last.
// An operation is taken as soon as it starts, so a socket rarely holds more than one:
// a slice, not a map, which every socket would keep.
type operationIDs struct {
	idMu sync.Mutex
	last string
	ids  []operationID
}

type operationID struct {
	oc *graphql.OperationContext
	id string
}

func (o *operationIDs) started(id string) {
	o.idMu.Lock()
	o.last = id
	o.idMu.Unlock()
}

func (o *operationIDs) claim(oc *graphql.OperationContext) {
	o.idMu.Lock()
	defer o.idMu.Unlock()
	if o.last != "" {
		o.ids = append(o.ids, operationID{oc: oc, id: o.last})
		o.last = ""
	}
}

func (o *operationIDs) take(oc *graphql.OperationContext) (string, bool) {
	o.idMu.Lock()
	defer o.idMu.Unlock()
	for i, op := range o.ids {
		if op.oc == oc {
			o.ids = slices.Delete(o.ids, i, i+1)
			return op.id, true
		}
	}
	return "", false
}

// ended forgets the operation of id, which the multiplexer never took (refused before
// it reached it, say).
func (o *operationIDs) ended(id string) {
	o.idMu.Lock()
	defer o.idMu.Unlock()
	o.ids = slices.DeleteFunc(o.ids, func(op operationID) bool { return op.id == id })
}

// socketOperations notes which message started each subscription of a WebSocket.
type socketOperations struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = socketOperations{}

func (socketOperations) ExtensionName() string                          { return "SocketOperations" }
func (socketOperations) Validate(schema graphql.ExecutableSchema) error { return nil }

func (socketOperations) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
		return nil
	}
	if h, ok := ctx.Value(connSlot{}).(*connHolder); ok {
		if f := h.socket(); f != nil {
			f.claim(oc)
		}
	}
	return nil
}

// socketOf returns the socket a subscription runs on and its id there, if its
// responses may be written to it directly.
func socketOf(ctx context.Context, oc *graphql.OperationContext) (socketFrames, string, bool) {
	h, ok := ctx.Value(connSlot{}).(*connHolder)
	if !ok {
		return nil, "", false
	}
	f := h.socket()
	if f == nil {
		return nil, "", false
	}
	id, ok := f.take(oc)
	return f, id, ok
}

// envelopeOf reads the id and type of a message gqlgen writes from its exported fields,
// which spares scanning the payload again (one event fans out to every subscriber), and
// from its JSON otherwise.
func envelopeOf(v any, data []byte) (wsEnvelope, bool) {
	if rv := reflect.Indirect(reflect.ValueOf(v)); rv.Kind() == reflect.Struct {
		id, typ := rv.FieldByName("ID"), rv.FieldByName("Type")
		if id.Kind() == reflect.String && typ.Kind() == reflect.String {
			return wsEnvelope{ID: id.String(), Type: typ.String()}, true
		}
	}
	var m wsEnvelope
	return m, json.Unmarshal(data, &m) == nil
}

// encoded is a message already encoded as JSON, which deadlineConn writes as it is.
type encoded []byte

func (g *guardedConn) WriteClose(code int, reason string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	return g.WebsocketConn.WriteClose(code, reason)
}

func (g *guardedConn) Close() error {
	g.initTimer.Stop()
	return g.WebsocketConn.Close()
}

// connSlot carries, in a WebSocket request's context, where Accept leaves the guarded
// connection, so that it can be closed with 4403 when its credential ends.
type connSlot struct{}

type connHolder struct {
	mu     sync.Mutex
	g      *guardedConn
	frames socketFrames
}

func (h *connHolder) setFrames(f socketFrames) {
	h.mu.Lock()
	h.frames = f
	h.mu.Unlock()
}

func (h *connHolder) socket() socketFrames {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.frames
}

func (h *connHolder) set(g *guardedConn) {
	h.mu.Lock()
	h.g = g
	h.mu.Unlock()
}

func (h *connHolder) get() *guardedConn {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.g
}

// withStreams ties streaming requests to streams: when it ends, WebSockets close with
// 1001 Going Away and Server-Sent Event responses end.
func withStreams(streams context.Context, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !streaming(r) {
			next.ServeHTTP(w, r)
			return
		}
		h := &connHolder{}
		ctx, cancel := context.WithCancel(context.WithValue(r.Context(), connSlot{}, h))
		defer cancel()
		stop := context.AfterFunc(streams, func() {
			if g := h.get(); g != nil {
				g.mu.Lock()
				g.violate(1001, "the server is shutting down; reconnect and resubscribe with your last cursor")
				g.mu.Unlock()
			}
			cancel()
		})
		defer stop()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
