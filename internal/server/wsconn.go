package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"

	"github.com/alliance-graph/alliance-graph/internal/errcode"
)

// deadlineWebsocket accepts WebSockets with coder/websocket as gqlgen's
// CoderWebsocketImplementation does, but gives every write writeTimeout to reach the
// client. gqlgen's adapter writes without a deadline: a client that never reads blocks
// the write, and with it every writer of its socket, the socket's lock and each of its
// subscriptions' goroutines, for as long as the TCP connection lives. coder/websocket
// closes a connection whose write outlives its context, which ends the read loop and so
// every operation of the socket.
type deadlineWebsocket struct {
	accept       websocket.AcceptOptions
	writeTimeout time.Duration
	frames       *sync.Pool // buffers of the server's sockets for writeFrame
}

// newFramePool holds the buffers sockets assemble messages in, one per write in flight
// rather than one per socket.
func newFramePool() *sync.Pool {
	return &sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}
}

var _ transport.WebsocketImplementation = deadlineWebsocket{}

func (d deadlineWebsocket) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	for k, vs := range o.ResponseHeader {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	opts := d.accept
	opts.Subprotocols = slices.Clone(opts.Subprotocols)
	for _, p := range o.Subprotocols {
		if !slices.Contains(opts.Subprotocols, p) {
			opts.Subprotocols = append(opts.Subprotocols, p)
		}
	}
	c, err := websocket.Accept(w, r, &opts)
	if err != nil {
		return nil, err
	}
	return &deadlineConn{c: c, timeout: d.writeTimeout, frames: d.frames}, nil
}

type deadlineConn struct {
	c       *websocket.Conn
	timeout time.Duration
	frames  *sync.Pool // of *[]byte, where writeFrame assembles a message

	// One write at a time, under one timer: coder/websocket writes one message at a
	// time anyway, and a timer reset for each write costs less than the context, timer
	// and AfterFunc that a context with a timeout makes it set up.
	writeMu sync.Mutex
	stall   *time.Timer // closes the connection when a write outlives timeout

	mu      sync.Mutex
	closing bool // a close handshake has started; it owns closing the connection
}

func (d *deadlineConn) NextReader() (int, io.Reader, error) {
	typ, data, err := d.readMessage()
	if err != nil {
		return typ, nil, err
	}
	return typ, bytes.NewReader(data), nil
}

// readMessage reads the next message whole, as coder/websocket reads it.
func (d *deadlineConn) readMessage() (int, []byte, error) {
	typ, data, err := d.c.Read(context.Background())
	if err != nil {
		switch websocket.CloseStatus(err) {
		case websocket.StatusNormalClosure, websocket.StatusNoStatusRcvd:
			return int(typ), nil, transport.ErrWebsocketClosed
		}
		return int(typ), nil, err
	}
	return int(typ), data, nil
}

func (d *deadlineConn) WriteJSON(v any) error {
	data, ok := v.(encoded)
	if !ok {
		var err error
		if data, err = json.Marshal(v); err != nil {
			return err
		}
	}
	return d.write(data)
}

// writeFrame writes the message head+payload+tail (an envelope around a payload
// encoded once for every subscriber) without encoding anything.
func (d *deadlineConn) writeFrame(head string, payload, tail []byte) error {
	buf := d.frames.Get().(*[]byte)
	b := append(append(append((*buf)[:0], head...), payload...), tail...)
	err := d.write(b)
	*buf = b
	d.frames.Put(buf)
	return err
}

// write gives data timeout to reach the client; past it the connection is closed,
// which ends its read loop and so every operation of the socket.
func (d *deadlineConn) write(data []byte) error {
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	if d.stall == nil {
		d.stall = time.AfterFunc(d.timeout, func() { d.c.CloseNow() })
	} else {
		d.stall.Reset(d.timeout)
	}
	err := d.c.Write(context.Background(), websocket.MessageText, data)
	d.stall.Stop()
	return err
}

// WriteClose starts the close handshake in the background: coder/websocket waits up to
// 5 s for the client to write its close frame, and the transport must not stall on it.
func (d *deadlineConn) WriteClose(code int, reason string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closing {
		return nil
	}
	d.closing = true
	go d.c.Close(websocket.StatusCode(code), reason)
	return nil
}

func (d *deadlineConn) Close() error {
	d.mu.Lock()
	closing := d.closing
	d.mu.Unlock()
	if closing {
		return nil
	}
	return d.c.CloseNow()
}

func (d *deadlineConn) Subprotocol() string { return d.c.Subprotocol() }

func (d *deadlineConn) SetReadLimit(limit int64) { d.c.SetReadLimit(limit) }

// withWebSocketHandshake refuses a malformed WebSocket handshake before gqlgen's
// transport sees it. gqlgen hands any request with an Upgrade header to the WebSocket
// library, which answers a bad handshake in plain text; gqlgen then logs a line of its
// own outside the JSON log and writes a second status and a second body. Checked here
// with the library's rules, such a request gets one JSON refusal with its status. The
// Origin is checked before, with the browser origins' policy (withCORS).
func withWebSocketHandshake(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "" {
			next.ServeHTTP(w, r)
			return
		}
		if status, reason := badHandshake(r); status != 0 {
			if status == http.StatusUpgradeRequired {
				w.Header().Set("Connection", "Upgrade")
				w.Header().Set("Upgrade", "websocket")
			}
			if status == http.StatusBadRequest {
				w.Header().Set("Sec-WebSocket-Version", "13")
			}
			writeGraphQLError(w, r, status, errcode.BadRequest, "WebSocket handshake refused: "+reason, nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// badHandshake applies RFC 6455 §4.2.1 as coder/websocket does, naming what is wrong.
func badHandshake(r *http.Request) (status int, reason string) {
	switch {
	case !r.ProtoAtLeast(1, 1):
		return http.StatusUpgradeRequired, "the handshake must be HTTP/1.1 or later"
	case !headerHasToken(r.Header, "Connection", "upgrade"):
		return http.StatusUpgradeRequired, `the Connection header must list "Upgrade"`
	case !headerHasToken(r.Header, "Upgrade", "websocket"):
		return http.StatusUpgradeRequired, `the Upgrade header must list "websocket"`
	case r.Method != http.MethodGet:
		return http.StatusMethodNotAllowed, "the handshake must be a GET"
	case r.Header.Get("Sec-WebSocket-Version") != "13":
		return http.StatusBadRequest, "Sec-WebSocket-Version must be 13"
	}
	keys := r.Header.Values("Sec-WebSocket-Key")
	if len(keys) != 1 {
		return http.StatusBadRequest, "the handshake must carry one Sec-WebSocket-Key"
	}
	if key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(keys[0])); err != nil || len(key) != 16 {
		return http.StatusBadRequest, "Sec-WebSocket-Key must be 16 bytes in base64"
	}
	return 0, ""
}

// headerHasToken reports whether a comma-separated header lists token, case aside.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
