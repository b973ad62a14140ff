package store

import (
	"context"
	"fmt"
	"strings"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/jmoiron/sqlx"
)

// maxPrepared bounds the prepared statements kept per pool: one per distinct document
// (query shape), each prepared on the connections that run it.
const maxPrepared = 256

// prepared keeps the documents' statements prepared, by their text, on each pool. A
// document's statement is large (a subquery per list of the query) and PostgreSQL spends
// as long planning it as running it: 3 to 5 ms for the deep member -> partnership ->
// participant -> resources read. Prepared, it is planned once per session on a pool with
// generic plans (WithDocumentPool); elsewhere PostgreSQL switches to a generic plan after
// five runs when that plan looks no costlier, which for many documents it never does. Dashboards and frontends send the same few query shapes
// over and over, so the same few statements serve them.
//
// With PgBouncer in transaction mode this needs PgBouncer 1.21 or later with
// max_prepared_statements set; session mode needs nothing.
type prepared struct {
	size  int // statements kept per pool
	mu    sync.Mutex
	pools map[*sqlx.DB]*lru.Cache[string, *sqlx.Stmt]
}

// statement returns query's statement on db, preparing it if need be. The lock is not
// held while PostgreSQL prepares: a prepare waits for the locks of the tables the
// statement reads, and one document waiting there (or a slow prepare of a new shape)
// must not hold up every other document. Two requests preparing the same text at once
// both prepare it; the second to finish closes its own and keeps the first.
func (p *prepared) statement(ctx context.Context, db *sqlx.DB, query string) (*sqlx.Stmt, error) {
	cache, err := p.cache(db)
	if err != nil {
		return nil, err
	}
	if st, ok := cache.Get(query); ok {
		return st, nil
	}
	st, err := db.PreparexContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if kept, ok := cache.Get(query); ok {
		_ = st.Close()
		return kept, nil
	}
	cache.Add(query, st)
	return st, nil
}

// cache is db's cache of statements (the LRU cache locks itself).
func (p *prepared) cache(db *sqlx.DB) (*lru.Cache[string, *sqlx.Stmt], error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cache, ok := p.pools[db]
	if !ok {
		var err error
		cache, err = lru.NewWithEvict(p.size, func(_ string, st *sqlx.Stmt) { _ = st.Close() })
		if err != nil {
			return nil, fmt.Errorf("prepared statements cache: %w", err)
		}
		if p.pools == nil {
			p.pools = map[*sqlx.DB]*lru.Cache[string, *sqlx.Stmt]{}
		}
		p.pools[db] = cache
	}
	return cache, nil
}

// getPrepared is getRow through a prepared statement.
func (s *Store) getPrepared(ctx context.Context, dest any, query string, args ...any) error {
	s.observe(ctx, query, args)
	db := s.documentReader(ctx)
	st, err := s.prepared.statement(ctx, db, query)
	if err != nil {
		return err
	}
	err = st.GetContext(ctx, dest, args...)
	// A statement evicted (and closed) between being taken from the cache and run: run
	// the text instead.
	if err != nil && strings.Contains(err.Error(), "statement is closed") {
		err = db.GetContext(ctx, dest, query, args...)
	}
	return err
}

// selectPrepared is selectRows through a prepared statement, for lists whose statements
// cost more to plan than to run.
func (s *Store) selectPrepared(ctx context.Context, dest any, query string, args ...any) error {
	s.observe(ctx, query, args)
	db := s.documentReader(ctx)
	st, err := s.prepared.statement(ctx, db, query)
	if err != nil {
		return err
	}
	err = st.SelectContext(ctx, dest, args...)
	// A statement evicted (and closed) between being taken from the cache and run: run
	// the text instead.
	if err != nil && strings.Contains(err.Error(), "statement is closed") {
		err = db.SelectContext(ctx, dest, query, args...)
	}
	return err
}
