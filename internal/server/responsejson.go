package server

import (
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
)

// encodeResponse writes resp byte for byte as json.Marshal does, but copies its data in
// one pass that drops the whitespace between tokens and escapes <, >, & and U+2028/9 as
// encoding/json does, instead of json.Marshal's compaction, which validates every byte
// of it with a state machine: on the page queries it took 12 to 19% of the server's CPU
// (BENCHMARKS.md). The data is the executor's or PostgreSQL's JSON, well formed by
// construction; PostgreSQL's has spaces after its colons and commas.
func encodeResponse(resp *graphql.Response) ([]byte, error) {
	b := make([]byte, 0, len(resp.Data)+64)
	b = append(b, '{')
	var err error
	if len(resp.Errors) > 0 {
		b = append(b, `"errors":`...)
		if b, err = appendMarshalled(b, resp.Errors); err != nil {
			return nil, err
		}
		b = append(b, ',')
	}
	b = append(b, `"data":`...)
	if resp.Data == nil {
		b = append(b, "null"...)
	} else {
		b = appendCompact(b, resp.Data)
	}
	if resp.Label != "" {
		b = append(b, `,"label":`...)
		if b, err = appendMarshalled(b, resp.Label); err != nil {
			return nil, err
		}
	}
	if len(resp.Path) > 0 {
		b = append(b, `,"path":`...)
		if b, err = appendMarshalled(b, resp.Path); err != nil {
			return nil, err
		}
	}
	if resp.HasNext != nil {
		b = append(b, `,"hasNext":`...)
		if b, err = appendMarshalled(b, *resp.HasNext); err != nil {
			return nil, err
		}
	}
	if len(resp.Extensions) > 0 {
		b = append(b, `,"extensions":`...)
		if b, err = appendMarshalled(b, resp.Extensions); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendMarshalled(b []byte, v any) ([]byte, error) {
	m, err := json.Marshal(v)
	return append(b, m...), err
}

// appendCompact appends the well-formed JSON src without whitespace between tokens, with
// <, >, & and U+2028/9 in strings escaped as \u003c, \u003e, \u0026, \u2028 and \u2029.
func appendCompact(b, src []byte) []byte {
	start := 0 // src[start:i] is still to be copied
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case ' ', '\t', '\n', '\r':
			b = append(b, src[start:i]...)
			start = i + 1
		case '"':
			// A string: runs of plain bytes are skipped in a tight loop.
			for i++; i < len(src); i++ {
				c := src[i]
				if stringPlain[c] {
					continue
				}
				if c == '"' {
					break
				}
				switch c {
				case '\\':
					i++ // the escaped byte cannot end the string
				case '<', '>', '&':
					b = append(b, src[start:i]...)
					b = append(b, `\u00`...)
					b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
					start = i + 1
				case 0xE2:
					if i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8 {
						b = append(b, src[start:i]...)
						b = append(b, `\u202`...)
						b = append(b, hexDigits[src[i+2]&0xf])
						i += 2
						start = i + 1
					}
				}
			}
		}
	}
	return append(b, src[start:]...)
}

const hexDigits = "0123456789abcdef"

// stringPlain tells the bytes a string copies as they are: all but the quote, the
// backslash, the characters encoding/json escapes for HTML and the first byte of
// U+2028/9. Read only.
var stringPlain = func() (t [256]bool) {
	for c := range t {
		switch c {
		case '"', '\\', '<', '>', '&', 0xE2:
		default:
			t[c] = true
		}
	}
	return t
}()
