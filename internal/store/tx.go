package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ErrConflict reports that a row changed since the version the caller read.
var ErrConflict = errors.New("changed since read")

// Tx is one write transaction. Column names in its helpers always come from code, never
// from input; values are always bind parameters.
type Tx struct {
	tx      *sqlx.Tx
	observe Observer
}

// InTx runs fn in a transaction and commits it if fn returns nil; otherwise, or if fn
// panics, nothing fn wrote remains.
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) (err error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err := fn(&Tx{tx: tx, observe: s.observe}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	t.observe(ctx, q, args)
	return t.tx.ExecContext(ctx, q, args...)
}

func (t *Tx) get(ctx context.Context, dest any, q string, args ...any) error {
	t.observe(ctx, q, args)
	err := t.tx.GetContext(ctx, dest, q, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func (t *Tx) selectRows(ctx context.Context, dest any, q string, args ...any) error {
	t.observe(ctx, q, args)
	return t.tx.SelectContext(ctx, dest, q, args...)
}

// values are the columns a write sets.
type values map[string]any

func (v values) sorted() []string {
	cols := make([]string, 0, len(v))
	for c := range v {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	return cols
}

// insert adds a row to table and returns its id.
func (t *Tx) insert(ctx context.Context, table string, v values) (int64, error) {
	cols := v.sorted()
	args := make([]any, len(cols))
	ph := make([]string, len(cols))
	for i, c := range cols {
		args[i] = v[c]
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	var id int64
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(ph, ", ") + ") RETURNING id"
	if err := t.get(ctx, &id, q, args...); err != nil {
		return 0, fmt.Errorf("insert into %s: %w", table, err)
	}
	return id, nil
}

// update sets columns of the row id of table if it still has version, and bumps the
// version. It returns ErrNotFound when there is no such row and ErrConflict when the
// version moved on.
func (t *Tx) update(ctx context.Context, table string, id int64, version int, v values) error {
	cols := v.sorted()
	args := make([]any, 0, len(cols)+2)
	sets := make([]string, 0, len(cols)+1)
	for _, c := range cols {
		args = append(args, v[c])
		sets = append(sets, c+" = $"+strconv.Itoa(len(args)))
	}
	sets = append(sets, "version = version + 1")
	args = append(args, id, version)
	q := fmt.Sprintf("UPDATE %s SET %s WHERE id = $%d AND version = $%d", table, strings.Join(sets, ", "), len(args)-1, len(args))
	res, err := t.exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("update %s %d: %w", table, id, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var exists bool
	if err := t.get(ctx, &exists, "SELECT EXISTS (SELECT 1 FROM "+table+" WHERE id = $1)", id); err != nil {
		return fmt.Errorf("check %s %d: %w", table, id, err)
	}
	if !exists {
		return ErrNotFound
	}
	return ErrConflict
}

// lock reads the row id of table into dest and locks it until the transaction ends.
func (t *Tx) lock(ctx context.Context, dest any, table string, id int64) error {
	if err := t.get(ctx, dest, "SELECT * FROM "+table+" WHERE id = $1 FOR UPDATE", id); err != nil {
		return fmt.Errorf("lock %s %d: %w", table, id, err)
	}
	return nil
}

// read reads the row id of table into dest.
func (t *Tx) read(ctx context.Context, dest any, table string, id int64) error {
	if err := t.get(ctx, dest, "SELECT * FROM "+table+" WHERE id = $1", id); err != nil {
		return fmt.Errorf("read %s %d: %w", table, id, err)
	}
	return nil
}

// existing reports which of ids exist in table, optionally restricted by a condition on
// the row (for example "kind = 'COMPANY'").
func (t *Tx) existing(ctx context.Context, table, cond string, ids []int64) (map[int64]bool, error) {
	q := "SELECT id FROM " + table + " WHERE id = ANY($1)"
	if cond != "" {
		q += " AND " + cond
	}
	var found []int64
	if err := t.selectRows(ctx, &found, q, pq.Int64Array(ids)); err != nil {
		return nil, fmt.Errorf("check %s %v: %w", table, ids, err)
	}
	out := make(map[int64]bool, len(found))
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

// AppendEvent records a change in the log, in the transaction that makes it.
func (t *Tx) AppendEvent(ctx context.Context, e Event) (int64, error) {
	payload := e.Payload
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	return t.insert(ctx, "event", values{
		"alliance_id": e.AllianceID, "kind": string(e.Kind), "subject_id": e.SubjectID,
		"actor": e.Actor, "actor_role": string(e.ActorRole), "payload": string(payload), "resource_id": e.ResourceID, "restricted": e.Restricted,
	})
}
