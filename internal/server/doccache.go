package server

import (
	"container/list"
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Defaults of the caches of documents: the parsed-document cache and the automatic
// persisted queries (APQ). A count of entries alone bounds neither: a document may be
// as large as the body limit (1 MiB), so 1,000 of them could hold a gigabyte.
const (
	DefaultDocumentCacheEntries = 1000
	DefaultDocumentCacheBytes   = 64 << 20
	DefaultAPQCacheBytes        = 16 << 20
)

// parsedBytesPerByte is how many bytes of heap a parsed document takes per byte of its
// text, as an upper estimate: measured with gqlparser, 17 for 600 aliased fields
// (41 kB), 25 for the nested frontend query (300 bytes); a long string literal costs
// less than its own text, as the tree points into the source. The text itself, kept as
// the key and the source, is one more.
const parsedBytesPerByte = 25 + 1

// documentSize estimates the memory a parsed document of query takes in the cache.
func documentSize(query string, _ *ast.QueryDocument) int64 {
	return parsedBytesPerByte * int64(len(query))
}

// querySize is the memory an APQ entry takes: the query text and its hash.
func querySize(query string, _ string) int64 { return int64(len(query)) + 64 }

// sizedLRU is a least-recently-used cache bounded both by entries and by the bytes its
// entries take as size estimates them: adding an entry drops the least recently used
// ones until both bounds hold, and an entry larger than the whole budget is not kept.
// It implements gqlgen's graphql.Cache.
type sizedLRU[T any] struct {
	maxEntries int
	maxBytes   int64
	size       func(key string, value T) int64

	mu    sync.Mutex
	order *list.List // of *sizedEntry[T], most recently used first
	byKey map[string]*list.Element
	bytes int64
}

type sizedEntry[T any] struct {
	key   string
	value T
	bytes int64
}

var _ graphql.Cache[*ast.QueryDocument] = (*sizedLRU[*ast.QueryDocument])(nil)

func newSizedLRU[T any](maxEntries int, maxBytes int64, size func(string, T) int64) *sizedLRU[T] {
	return &sizedLRU[T]{maxEntries: maxEntries, maxBytes: maxBytes, size: size, order: list.New(), byKey: map[string]*list.Element{}}
}

func (c *sizedLRU[T]) Get(_ context.Context, key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*sizedEntry[T]).value, true
	}
	var zero T
	return zero, false
}

func (c *sizedLRU[T]) Add(_ context.Context, key string, value T) {
	n := c.size(key, value)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		c.remove(e)
	}
	if n > c.maxBytes || c.maxEntries < 1 {
		return
	}
	for c.order.Len() >= c.maxEntries || c.bytes+n > c.maxBytes {
		c.remove(c.order.Back())
	}
	c.byKey[key] = c.order.PushFront(&sizedEntry[T]{key: key, value: value, bytes: n})
	c.bytes += n
}

func (c *sizedLRU[T]) remove(e *list.Element) {
	entry := c.order.Remove(e).(*sizedEntry[T])
	delete(c.byKey, entry.key)
	c.bytes -= entry.bytes
}

// usage reports the entries held and the bytes they take.
func (c *sizedLRU[T]) usage() (entries int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len(), c.bytes
}
