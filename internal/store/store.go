// Package store holds every SQL statement of the server: it reads the alliance graph from
// PostgreSQL in keyset-paginated, set-based queries that the loaders batch per request.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// ErrNotFound reports that no row has the requested key.
var ErrNotFound = errors.New("not found")

// Observer is told of every statement the store sends, with its arguments, before it
// runs. The server uses it to count statements per request; tests use it to prove
// queries are batched, benchmarks to explain the plans of what they measured.
type Observer func(ctx context.Context, query string, args []any)

// Store reads the alliance graph.
type Store struct {
	db *sqlx.DB
	// replica serves the reads that may lag behind the primary (db unless WithReplica
	// set one).
	replica *sqlx.DB
	// documents runs the documents' statements when set (WithDocumentPool); the reads'
	// pool otherwise.
	documents *sqlx.DB
	observe   Observer
	// prepared keeps the documents' statements prepared; shared by WithReplica's copies.
	prepared *prepared
}

// New returns a store over db; observe may be nil.
func New(db *sqlx.DB, observe Observer) *Store {
	if observe == nil {
		observe = func(context.Context, string, []any) {}
	}
	return &Store{db: db, replica: db, observe: observe, prepared: &prepared{size: maxPrepared}}
}

// WithReplica returns a copy of the store that sends reads to replica, a streaming
// replica of the primary, except under a context from ReadPrimary. Writes, and the reads
// that must not lag (API keys and secrets, the event log's catch-up), stay on the primary.
func (s *Store) WithReplica(replica *sqlx.DB) *Store {
	c := *s
	c.replica = replica
	return &c
}

// WithDocumentPool returns a copy of the store that runs the documents' statements
// (Document) on documents: a pool of the same database as the reads (the replica when
// there is one) whose sessions plan each prepared statement once
// (database.WithGenericPlans). A document's plan does not depend on its arguments: they
// are keys, cursor values and lists of enum values filtering keyset pages, whose plans
// keep the same shape whatever their values. Under ReadPrimary documents run on the
// primary's pool as every other read.
func (s *Store) WithDocumentPool(documents *sqlx.DB) *Store {
	c := *s
	c.documents = documents
	return &c
}

// DB returns the primary's pool, for health checks and migrations.
func (s *Store) DB() *sqlx.DB { return s.db }

// Replica returns the read replica's pool, nil when reads go to the primary.
func (s *Store) Replica() *sqlx.DB {
	if s.replica == s.db {
		return nil
	}
	return s.replica
}

type primaryKey struct{}

// ReadPrimary marks ctx so that every read under it goes to the primary: a mutation
// must read back what it wrote, and a subscription the change it was told of, before
// the replica has replayed it.
func ReadPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

// DocumentPool returns the documents' own pool, nil when they run on the reads' pool.
func (s *Store) DocumentPool() *sqlx.DB { return s.documents }

// documentReader is the pool the documents of ctx run on.
func (s *Store) documentReader(ctx context.Context) *sqlx.DB {
	if s.documents != nil && ctx.Value(primaryKey{}) == nil {
		return s.documents
	}
	return s.reader(ctx)
}

// reader is the pool the reads of ctx go to.
func (s *Store) reader(ctx context.Context) *sqlx.DB {
	if ctx.Value(primaryKey{}) != nil {
		return s.db
	}
	return s.replica
}

func (s *Store) selectRows(ctx context.Context, dest any, query string, args ...any) error {
	s.observe(ctx, query, args)
	return s.reader(ctx).SelectContext(ctx, dest, query, args...)
}

func (s *Store) getRow(ctx context.Context, dest any, query string, args ...any) error {
	s.observe(ctx, query, args)
	err := s.reader(ctx).GetContext(ctx, dest, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// byID loads the rows of table whose ids are in ids, keyed by id; missing ids are absent.
func byID[T any](ctx context.Context, s *Store, what, query string, ids []int64, id func(*T) int64, more ...any) (map[int64]*T, error) {
	var rows []T
	if err := s.selectRows(ctx, &rows, query, append([]any{int64Array(ids)}, more...)...); err != nil {
		return nil, fmt.Errorf("load %s %v: %w", what, ids, err)
	}
	out := make(map[int64]*T, len(rows))
	for i := range rows {
		out[id(&rows[i])] = &rows[i]
	}
	return out, nil
}

// groupBy loads rows of a child table for many owners at once and groups them by owner,
// keeping the query's order within each group.
// groupList loads the declared list m (elements aliased a, cols of them) of every owner
// at once, within scope when the list is scoped.
func groupList[T any](ctx context.Context, s *Store, what string, m *ManyDecl, a, cols string, scope Scope, owners []int64, owner func(*T) int64) (map[int64][]T, error) {
	q, args := m.batch(a, cols, scope)
	return groupBy(ctx, s, what, q, owners, owner, args...)
}

func groupBy[T any](ctx context.Context, s *Store, what, query string, owners []int64, owner func(*T) int64, more ...any) (map[int64][]T, error) {
	var rows []T
	if err := s.selectRows(ctx, &rows, query, append([]any{int64Array(owners)}, more...)...); err != nil {
		return nil, fmt.Errorf("load %s of %v: %w", what, owners, err)
	}
	out := make(map[int64][]T, len(owners))
	for _, o := range owners {
		out[o] = nil // an owner with no rows has an empty list, not a missing one
	}
	for _, r := range rows {
		k := owner(&r)
		out[k] = append(out[k], r)
	}
	return out, nil
}
