package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/errcode"
)

// Key is a row's position in a sorted list: the text form of its sort value and its id,
// which breaks ties so that every position is unique.
type Key struct {
	Sort string
	ID   int64
}

// Page asks for one page of a keyset-paginated list. Forward pages start after After;
// backward pages (Backward) end before Before. Both bounds may be given together.
type Page struct {
	Limit    int
	Backward bool
	After    *Key
	Before   *Key
}

// Order is a sort field, named as in the GraphQL contract, and its direction.
type Order struct {
	Field string
	Desc  bool
}

// Result is one page of rows with their keys and whether more rows lie either side.
type Result[T any] struct {
	Rows    []T
	Keys    []Key
	HasNext bool
	HasPrev bool
}

// sortKey is an SQL expression rows are ordered by and the type its text form is cast
// back to when it arrives in a cursor. Expressions must never be NULL.
type sortKey struct {
	expr string
	typ  string
}

// byName is how a human-readable text column sorts: ICU's root collation with digits
// compared as numbers (migration 00022), not the bytes a C-locale database compares.
func byName(column string) string { return column + " COLLATE name_order" }

// byPinyin is how a Chinese text column sorts: by its pinyin reading.
func byPinyin(column string) string { return column + " COLLATE pinyin" }

// list describes a keyset-paginated query: what to select from where, how rows relate
// to a parent in nested lists, and the filter conditions, whose arguments live in args.
type list struct {
	cols string
	from string
	// counted, when set, is what counting the list reads instead of from: the join rows
	// alone, for a list over a join whose own conditions (none but its parent's) need
	// nothing of the joined table.
	counted string
	id      string
	parent  string
	conds   []string
	args    []any
	orders  map[string]sortKey
	order   Order
	// prepared runs the list's statements prepared, planned once per session with a
	// generic plan: for lists whose planning costs more than their run.
	prepared bool
}

// arg adds a bind argument and returns its placeholder.
func (l *list) arg(v any) string {
	l.args = append(l.args, v)
	return "$" + strconv.Itoa(len(l.args))
}

// countFrom is the FROM clause counting the list reads.
func (l *list) countFrom() string {
	if l.counted != "" {
		return l.counted
	}
	return l.from
}

// where adds a condition.
func (l *list) where(cond string) { l.conds = append(l.conds, cond) }

// in adds "expr = ANY($n)" when values is not empty.
func in[T ~string](l *list, expr string, values []T) {
	if len(values) == 0 {
		return
	}
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	l.where(expr + " = ANY(" + l.arg(pq.StringArray(s)) + ")")
}

// inIDs adds "expr = ANY($n)" for ids when ids is not nil. An empty, non-nil slice
// matches nothing, which is what a filter naming no existing object must do.
func inIDs(l *list, expr string, ids []int64) {
	if ids == nil {
		return
	}
	l.where(expr + " = ANY(" + l.arg(int64Array(ids)) + ")")
}

// dates adds an inclusive date range condition on expr.
func dates(l *list, expr string, r *DateRange) {
	if r == nil {
		return
	}
	if r.From != nil {
		l.where(expr + " >= " + l.arg(*r.From))
	}
	if r.To != nil {
		l.where(expr + " <= " + l.arg(*r.To))
	}
}

// contains adds a case-insensitive substring match of text on any of exprs.
func contains(l *list, text *string, exprs ...string) {
	if text == nil || *text == "" {
		return
	}
	p := l.arg("%" + escapeLike(*text) + "%")
	alts := make([]string, len(exprs))
	for i, e := range exprs {
		alts[i] = e + " ILIKE " + p
	}
	l.where("(" + strings.Join(alts, " OR ") + ")")
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func int64Array(ids []int64) any { return pq.Int64Array(ids) }

func stringArray(s []string) any { return pq.StringArray(s) }

func (l *list) sort() (sortKey, error) {
	k, ok := l.orders[l.order.Field]
	if !ok {
		return sortKey{}, fmt.Errorf("unknown sort field %q", l.order.Field)
	}
	return k, nil
}

// whereClause joins the conditions, with the keyset bounds of p.
func (l *list) whereClause(k sortKey, p Page) string {
	conds := slices.Clone(l.conds)
	ahead, behind := ">", "<"
	if l.order.Desc {
		ahead, behind = "<", ">"
	}
	row := "((" + k.expr + "), " + l.id + ")"
	if p.After != nil {
		conds = append(conds, row+" "+ahead+" ("+l.arg(p.After.Sort)+"::"+k.typ+", "+l.arg(p.After.ID)+"::bigint)")
	}
	if p.Before != nil {
		conds = append(conds, row+" "+behind+" ("+l.arg(p.Before.Sort)+"::"+k.typ+", "+l.arg(p.Before.ID)+"::bigint)")
	}
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

func (l *list) orderLimit(k sortKey, p Page) string {
	dir := "ASC"
	if l.order.Desc != p.Backward {
		dir = "DESC"
	}
	return fmt.Sprintf(" ORDER BY (%s) %s, %s %s LIMIT %d", k.expr, dir, l.id, dir, p.Limit+1)
}

type keyed[T any] interface {
	*T
	keyset() *Keyset
}

// finish trims the extra row fetched to detect a further page, restores display order
// for backward pages and collects the keys.
func finish[T any, PT keyed[T]](rows []T, p Page, id func(*T) int64) Result[T] {
	more := len(rows) > p.Limit
	if more {
		rows = rows[:p.Limit]
	}
	if p.Backward {
		slices.Reverse(rows)
	}
	r := Result[T]{Rows: rows, Keys: make([]Key, len(rows))}
	for i := range rows {
		r.Keys[i] = Key{Sort: PT(&rows[i]).keyset().KeysetSort, ID: id(&rows[i])}
	}
	if p.Backward {
		r.HasPrev, r.HasNext = more, p.Before != nil
	} else {
		r.HasNext, r.HasPrev = more, p.After != nil
	}
	return r
}

// page runs l as a top-level list.
func page[T any, PT keyed[T]](ctx context.Context, s *Store, what string, l *list, p Page, id func(*T) int64) (Result[T], error) {
	k, err := l.sort()
	if err != nil {
		return Result[T]{}, err
	}
	q := "SELECT " + l.cols + ", (" + k.expr + ")::text AS keyset_sort FROM " + l.from + l.whereClause(k, p) + l.orderLimit(k, p)
	var rows []T
	run := s.selectRows
	if l.prepared {
		run = s.selectPrepared
	}
	if err := run(ctx, &rows, q, l.args...); err != nil {
		return Result[T]{}, fmt.Errorf("list %s: %w", what, badKey(err, p))
	}
	return finish[T, PT](rows, p, id), nil
}

// pages runs l once for every parent, in one statement: a lateral join applies the sort,
// the keyset bounds and the limit to each parent's rows separately.
func pages[T any, PT keyed[T]](ctx context.Context, s *Store, what string, l *list, parents []int64, p Page, id func(*T) int64) (map[int64]Result[T], error) {
	k, err := l.sort()
	if err != nil {
		return nil, err
	}
	l.where(l.parent + " = parent.id")
	q := "SELECT x.* FROM unnest(" + l.arg(int64Array(parents)) + "::bigint[]) AS parent(id) CROSS JOIN LATERAL (" +
		"SELECT parent.id AS keyset_parent, (" + k.expr + ")::text AS keyset_sort, " + l.cols + " FROM " + l.from +
		l.whereClause(k, p) + l.orderLimit(k, p) + ") x"
	var rows []T
	if err := s.selectRows(ctx, &rows, q, l.args...); err != nil {
		return nil, fmt.Errorf("list %s of %d parents: %w", what, len(parents), badKey(err, p))
	}
	grouped := make(map[int64][]T, len(parents))
	for _, r := range rows {
		parent := PT(&r).keyset().KeysetParent
		grouped[parent] = append(grouped[parent], r)
	}
	out := make(map[int64]Result[T], len(parents))
	for _, parent := range parents {
		out[parent] = finish[T, PT](grouped[parent], p, id)
	}
	return out, nil
}

// count counts the rows of a top-level list.
func count(ctx context.Context, s *Store, what string, l *list) (int, error) {
	q := "SELECT count(*) FROM " + l.countFrom() + l.whereClause(sortKey{}, Page{})
	var n int
	run := s.getRow
	if l.prepared {
		run = s.getPrepared
	}
	if err := run(ctx, &n, q, l.args...); err != nil {
		return 0, fmt.Errorf("count %s: %w", what, err)
	}
	return n, nil
}

// counts counts a nested list's rows for every parent in one statement.
func counts(ctx context.Context, s *Store, what string, l *list, parents []int64) (map[int64]int, error) {
	l.where(l.parent + " = ANY(" + l.arg(int64Array(parents)) + ")")
	q := "SELECT " + l.parent + " AS parent, count(*) AS n FROM " + l.countFrom() + l.whereClause(sortKey{}, Page{}) + " GROUP BY 1"
	return countRows(ctx, s, what, q, parents, l.args...)
}

// countRows reads (parent, n) rows into counts for every parent, 0 for those absent.
func countRows(ctx context.Context, s *Store, what, q string, parents []int64, args ...any) (map[int64]int, error) {
	var rows []struct {
		Parent int64 `db:"parent"`
		N      int   `db:"n"`
	}
	if err := s.selectRows(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("count %s of %d parents: %w", what, len(parents), err)
	}
	out := make(map[int64]int, len(parents))
	for _, parent := range parents {
		out[parent] = 0
	}
	for _, r := range rows {
		out[r.Parent] = r.N
	}
	return out, nil
}

// badKey turns the error PostgreSQL gives when a cursor's position does not cast to the
// sort key's type (text where an int, a date or a timestamp belongs) into the client's
// bad argument. Cursors are opaque but not signed, so a client can forge one; the
// filters' own values are typed on the Go side and never fail these casts, so with a
// cursor present these SQLSTATEs point at it.
func badKey(err error, p Page) error {
	var pqErr *pq.Error
	if (p.After == nil && p.Before == nil) || !errors.As(err, &pqErr) {
		return err
	}
	switch pqErr.Code {
	case "22P02", "22007", "22008", "22003", "22009", "22021":
	default:
		return err
	}
	switch {
	case p.Before == nil:
		return errcode.BadInput("after", "is not a cursor issued by this API")
	case p.After == nil:
		return errcode.BadInput("before", "is not a cursor issued by this API")
	default:
		return errcode.BadInput("after", "or \"before\" is not a cursor issued by this API")
	}
}

func joinAnd(conds []string) string {
	if len(conds) == 0 {
		return "true"
	}
	return strings.Join(conds, " AND ")
}
