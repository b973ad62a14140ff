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
	db      *sqlx.DB
	observe Observer
}

// New returns a store over db; observe may be nil.
func New(db *sqlx.DB, observe Observer) *Store {
	if observe == nil {
		observe = func(context.Context, string, []any) {}
	}
	return &Store{db: db, observe: observe}
}

// DB returns the underlying pool, for health checks and migrations.
func (s *Store) DB() *sqlx.DB { return s.db }

func (s *Store) selectRows(ctx context.Context, dest any, query string, args ...any) error {
	s.observe(ctx, query, args)
	return s.db.SelectContext(ctx, dest, query, args...)
}

func (s *Store) getRow(ctx context.Context, dest any, query string, args ...any) error {
	s.observe(ctx, query, args)
	err := s.db.GetContext(ctx, dest, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// byID loads the rows of table whose ids are in ids, keyed by id; missing ids are absent.
func byID[T any](ctx context.Context, s *Store, what, query string, ids []int64, id func(*T) int64) (map[int64]*T, error) {
	var rows []T
	if err := s.selectRows(ctx, &rows, query, int64Array(ids)); err != nil {
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
func groupBy[T any](ctx context.Context, s *Store, what, query string, owners []int64, owner func(*T) int64) (map[int64][]T, error) {
	var rows []T
	if err := s.selectRows(ctx, &rows, query, int64Array(owners)); err != nil {
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
