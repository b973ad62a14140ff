package benchmark

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
)

// StatementCounter is a TCP proxy in front of PostgreSQL that counts the statements its
// clients send: simple-protocol queries ('Q') and extended-protocol executions ('E'), as
// they cross the wire. It serves every server under test alike (Go's lib/pq, node's pg),
// needs nothing loaded into PostgreSQL, and parses only the client's side of the stream,
// forwarding each chunk as read. BEGIN and COMMIT count as statements: they are round
// trips too. Only plain connections can be read, so the URL must say sslmode=disable.
type StatementCounter struct {
	target string
	ln     net.Listener
	count  atomic.Int64
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// NewStatementCounter listens on a free loopback port and forwards to the server of
// databaseURL.
func NewStatementCounter(databaseURL string) (*StatementCounter, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the statement counter: %w", err)
	}
	c := &StatementCounter{target: net.JoinHostPort(u.Hostname(), port), ln: ln, conns: map[net.Conn]struct{}{}}
	c.wg.Go(c.accept)
	return c, nil
}

// URL is databaseURL going through the counter.
func (c *StatementCounter) URL(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return databaseURL
	}
	u.Host = c.ln.Addr().String()
	return u.String()
}

// Statements is how many statements went through so far.
func (c *StatementCounter) Statements() int64 { return c.count.Load() }

// Close stops accepting, cuts every connection and waits for the proxy's goroutines.
func (c *StatementCounter) Close() {
	c.ln.Close()
	c.mu.Lock()
	for conn := range c.conns {
		conn.Close()
	}
	c.mu.Unlock()
	c.wg.Wait()
}

func (c *StatementCounter) accept() {
	for {
		client, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.wg.Go(func() { c.pipe(client) })
	}
}

func (c *StatementCounter) pipe(client net.Conn) {
	server, err := net.Dial("tcp", c.target)
	if err != nil {
		client.Close()
		return
	}
	c.mu.Lock()
	c.conns[client], c.conns[server] = struct{}{}, struct{}{}
	c.mu.Unlock()
	var both sync.WaitGroup
	both.Go(func() {
		s := &messageScanner{untyped: true, statements: &c.count}
		buf := make([]byte, 64<<10)
		for {
			n, err := client.Read(buf)
			if n > 0 {
				s.feed(buf[:n])
				if _, werr := server.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		server.Close()
	})
	both.Go(func() { io.Copy(client, server); client.Close() })
	both.Wait()
	c.mu.Lock()
	delete(c.conns, client)
	delete(c.conns, server)
	c.mu.Unlock()
}

// Codes of the untyped messages that precede the startup message (protocol 3.0).
const (
	sslRequest    = 80877103
	gssEncRequest = 80877104
)

// messageScanner follows the frontend's messages across reads. The startup phase sends
// untyped messages (int32 length, int32 code), then every message is a type byte and an
// int32 length that counts itself but not the type.
type messageScanner struct {
	untyped    bool
	header     [8]byte
	have       int // header bytes collected
	skip       int // body bytes of the current message still to pass
	statements *atomic.Int64
}

func (s *messageScanner) feed(b []byte) {
	for len(b) > 0 {
		if s.skip > 0 {
			k := min(s.skip, len(b))
			s.skip -= k
			b = b[k:]
			continue
		}
		want := 5
		if s.untyped {
			want = 8
		}
		k := copy(s.header[s.have:want], b)
		s.have += k
		b = b[k:]
		if s.have < want {
			return
		}
		s.have = 0
		if s.untyped {
			length := int(binary.BigEndian.Uint32(s.header[0:4]))
			code := binary.BigEndian.Uint32(s.header[4:8])
			s.skip = max(length-8, 0)
			// After SSL or GSS negotiation (refused, as the URL disables SSL) the client
			// sends its startup message, still untyped; after that, typed messages.
			s.untyped = code == sslRequest || code == gssEncRequest
			continue
		}
		if t := s.header[0]; t == 'Q' || t == 'E' {
			s.statements.Add(1)
		}
		s.skip = max(int(binary.BigEndian.Uint32(s.header[1:5]))-4, 0)
	}
}
