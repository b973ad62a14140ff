package benchmark

import (
	"encoding/binary"
	"sync/atomic"
	"testing"
)

// message encodes a typed frontend message.
func message(kind byte, body string) []byte {
	b := []byte{kind, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(4+len(body)))
	return append(b, body...)
}

// untyped encodes a startup-phase message with its code.
func untyped(code uint32, body string) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint32(b, uint32(8+len(body)))
	binary.BigEndian.PutUint32(b[4:], code)
	return append(b, body...)
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestTheScannerCountsQueriesAndExecutionsHoweverTheStreamIsCut(t *testing.T) {
	const protocol3 = 196608
	startup := untyped(protocol3, "user\x00postgres\x00database\x00x\x00\x00")
	extended := concat(message('P', "\x00SELECT $1\x00\x00\x00"), message('B', "\x00\x00\x00\x00\x00\x01\x00\x00\x00\x011\x00\x00"),
		message('D', "P\x00"), message('E', "\x00\x00\x00\x00\x00"), message('S', ""))
	cases := []struct {
		name   string
		stream []byte
		want   int64
	}{
		{"startup alone", startup, 0},
		{"simple queries", concat(startup, message('p', "secret\x00"), message('Q', "BEGIN\x00"), message('Q', "SELECT 1\x00")), 2},
		{"extended protocol counts its execute", concat(startup, extended, extended), 2},
		{"SSL refused, then startup", concat(untyped(sslRequest, ""), startup, message('Q', "SELECT 1\x00")), 1},
		{"a query whose text holds Q and E bytes", concat(startup, message('Q', "SELECT 'QE'\x00")), 1},
		{"termination is no statement", concat(startup, message('Q', "COMMIT\x00"), message('X', "")), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, chunk := range []int{1, 2, 3, 5, 7, len(c.stream)} {
				var n atomic.Int64
				s := &messageScanner{untyped: true, statements: &n}
				for b := c.stream; len(b) > 0; {
					k := min(chunk, len(b))
					s.feed(b[:k])
					b = b[k:]
				}
				if n.Load() != c.want {
					t.Errorf("in chunks of %d: counted %d, want %d", chunk, n.Load(), c.want)
				}
			}
		})
	}
}
