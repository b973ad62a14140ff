package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"
)

// A document is a JSON answer that one SQL statement builds inside PostgreSQL: objects
// over rows, lists of related rows, related rows. The GraphQL layer describes the
// document (its keys are the response keys of a query) and Document runs it, so that a
// deep read costs one statement and no Go object per row. The lists are the store's own
// (membershipList, resourceList and the rest), with the same conditions, visibility,
// orders and keyset bounds as the batched loaders use, so both ways read the same rows.

// MaxDocMembers is the most members an object of a document may have: json_build_object
// takes at most 100 arguments, a key and a value for each.
const MaxDocMembers = 50

// DocField is one member of a JSON object: its key and how its value is computed over
// the object's row.
type DocField struct {
	Key   string
	Value DocValue
}

// DocValue is a member's value: one of Column, IsNull, Const, Expr, KindName, GlobalID,
// Object, KindSwitch, Related, Listed, Connection and Lookup; inside a Connection also
// TotalCount, PageInfo, Edges and (in an edge) Cursor.
type DocValue interface{ docValue() }

// Column is the value of one of the row's columns, as PostgreSQL writes it in JSON
// (dates as YYYY-MM-DD, enums as their text).
type Column string

// IsNull is true when the row's column is NULL.
type IsNull string

// Const is a constant string, such as the name of a type.
type Const string

// Expr is an expression over the row's alias (a count read as 0 when missing).
type Expr func(row string) string

// Seen is an expression over the row's alias that depends on what the viewer may see
// (who made a change).
type Seen func(row string, v Visibility) string

// OnDay is an expression over the row's alias that depends on the alliance's day (a
// course's state), given as a date expression.
type OnDay func(row, day string) string

// KindName maps the value of one of the row's columns to a string: the GraphQL type of
// a row whose type depends on its kind. A value it does not map is an error.
type KindName struct {
	Column string
	Names  map[string]string
}

// GlobalID is the row's id as a relay global ID of the type given (see relay.ID).
type GlobalID string

// Object is an object over the same row (a bilingual name, an edge, a connection).
type Object []DocField

// Related is the row a to-one relation leads to (membership -> organization, say), or
// null; Object is built over it (an Object, or a KindSwitch). Rel names the declared
// field, "Type.field" (see Declared).
type Related struct {
	Rel    string
	Object DocValue
}

// Listed is the unpaged list of rows a declared relation (Rel, "Type.field") leads to,
// each as Elem; Args are the field's arguments.
type Listed struct {
	Rel  string
	Args map[string]any
	Elem DocValue
}

// Connection is a page of a declared connection (Rel, "Type.field"), read with the
// store filter its filter argument translates to, in Order, as Page asks; Cursor names
// the order in the cursors it writes ("NAME:ASC"). Object is the connection object: its
// members are Const, TotalCount, PageInfo, Edges and Objects of those (pageInfo).
type Connection struct {
	Rel    string
	Filter any
	Order  Order
	Cursor string
	Page   Page
	Object Object
}

// TotalCount is a connection's totalCount.
type TotalCount struct{}

// PageInfo is one member of a connection's page info: hasNextPage, hasPreviousPage,
// startCursor or endCursor.
type PageInfo string

// Edges are the rows of a connection's page, each as Elem: an edge object whose node is
// another Object over the same row.
type Edges struct{ Elem DocValue }

// Cursor is an edge's cursor, as relay.Cursor writes it.
type Cursor struct{}

// Lookup is a top-level row found by one of its unique columns (id, slug), or null. An
// alliance looked up by no column is the default one, as FirstAlliance finds it.
type Lookup struct {
	Entity string
	Column string
	Value  any
	Object DocValue
}

// Lookups are a list of Lookups (nodes(ids:)), each found or null.
type Lookups []Lookup

// KindSwitch is a value that depends on the row's kind: the row's object as its own
// GraphQL type sees it, for selections with type conditions (... on School). A kind it
// does not name is an error.
type KindSwitch struct {
	Column string
	Cases  map[string]DocValue
}

func (Column) docValue()     {}
func (IsNull) docValue()     {}
func (Const) docValue()      {}
func (KindName) docValue()   {}
func (GlobalID) docValue()   {}
func (Object) docValue()     {}
func (Related) docValue()    {}
func (Listed) docValue()     {}
func (Expr) docValue()       {}
func (OnDay) docValue()      {}
func (Seen) docValue()       {}
func (Connection) docValue() {}
func (TotalCount) docValue() {}
func (PageInfo) docValue()   {}
func (Edges) docValue()      {}
func (Cursor) docValue()     {}
func (Lookup) docValue()     {}
func (Lookups) docValue()    {}
func (KindSwitch) docValue() {}

// docEntity is a table whose rows documents are built over, with the columns a document
// may read: those of its row type, so that the two cannot drift apart.
type docEntity struct {
	name    string
	table   string
	columns map[string]bool
	// scopedBy is the column that names the resource whose Scope decides whether a row
	// is visible ("id" for a resource itself); empty for rows visible to everyone.
	scopedBy string
	// filtered lists are read within the visibility their filter carries (resources,
	// events), which must be the viewer's.
	filtered bool
	// seen, when set, is the entity's list as the viewer sees it: a row looked up or
	// related to is visible when that list holds it (an event of a hidden kind or about
	// a hidden resource is not).
	seen func(Visibility) *list
}

func columnsOf(row any) map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(row)
	for i := range t.NumField() {
		if tag := t.Field(i).Tag.Get("db"); tag != "" && tag != "-" {
			out[tag] = true
		}
	}
	return out
}

var docEntities = map[string]docEntity{
	"alliance":     {name: "alliance", table: "alliance", columns: columnsOf(Alliance{})},
	"organization": {name: "organization", table: "organization", columns: columnsOf(Organization{})},
	"membership":   {name: "membership", table: "membership", columns: columnsOf(Membership{})},
	"partnership":  {name: "partnership", table: "partnership", columns: columnsOf(Partnership{})},
	"participant":  {name: "participant", table: "partnership_participant", columns: columnsOf(Participant{})},
	"resource":     {name: "resource", table: "resource", columns: columnsOf(Resource{}), scopedBy: "id", filtered: true},
	"skill":        {name: "skill", table: "skill", columns: columnsOf(Skill{})},
	"skillLevel":   {name: "skillLevel", table: "resource_skill", columns: columnsOf(SkillLevel{})},
	"center":       {name: "center", table: "training_center", columns: columnsOf(TrainingCenter{})},
	"talent":       {name: "talent", table: "talent", columns: columnsOf(Talent{})},
	"placement":    {name: "placement", table: "placement", columns: columnsOf(Placement{}), scopedBy: "opening_id"},
	"event": {name: "event", table: "event", columns: columnsOf(Event{}), filtered: true, seen: func(v Visibility) *list {
		return eventList(EventFilter{Hidden: v.HiddenEvents, Scope: v.Resources}, Order{})
	}},
}

// Document builds the JSON object of fields in one statement and reports whether every
// Lookup among them found its row (when one did not, the caller may want the error its
// own path gives instead of a null). today is the alliance's day, which the values that
// depend on it (OnDay) are judged on. viewer is what the viewer may see (the loaders'
// Visibility): every row of a scoped entity the document reaches, by lookup, relation
// or list, is read within it, so that no shape of query reaches a row the loaders
// would not.
func (s *Store) Document(ctx context.Context, today time.Time, viewer Visibility, fields []DocField) ([]byte, bool, error) {
	if len(fields) > MaxDocMembers {
		return nil, false, fmt.Errorf("document has %d members; at most %d fit", len(fields), MaxDocMembers)
	}
	b := &docBuilder{today: today, viewer: viewer}
	var cols, keys, found []string
	for i, f := range fields {
		v, err := b.value(docEntity{}, "", f.Value)
		if err != nil {
			return nil, false, fmt.Errorf("document member %q: %w", f.Key, err)
		}
		col := "v" + strconv.Itoa(i)
		cols = append(cols, v+" AS "+col)
		keys = append(keys, pq.QuoteLiteral(f.Key), "x."+col)
		switch l := f.Value.(type) {
		case Lookup:
			found = append(found, "x."+col+" IS NOT NULL")
		case Lookups:
			for j := range l {
				found = append(found, "json_typeof(x."+col+"->"+strconv.Itoa(j)+") <> 'null'")
			}
		}
	}
	// OFFSET 0 keeps PostgreSQL from pulling the members up into the outer query, where
	// each would be built twice: for the document and for the found check.
	q := "SELECT json_build_object(" + strings.Join(keys, ", ") + ")::text AS doc, " + joinAnd(found) +
		" AS found FROM (SELECT " + strings.Join(cols, ", ") + " OFFSET 0) x"
	var row struct {
		Doc   []byte `db:"doc"`
		Found bool   `db:"found"`
	}
	if err := s.getPrepared(ctx, &row, q, b.args...); err != nil {
		return nil, false, fmt.Errorf("build document: %w", err)
	}
	return row.Doc, row.Found, nil
}

// docBuilder writes a document's statement: its bind arguments and the aliases of the
// rows objects are built over (d1, d2, …: never those of the lists' own FROM clauses,
// which subqueries may shadow).
type docBuilder struct {
	args    []any
	aliases int
	// cursor is the SQL of the cursor of the connection row whose edge is being built.
	cursor string
	// today is the day OnDay values are judged on, bound once as day when first used.
	today time.Time
	day   string
	// viewer is what the viewer may see.
	viewer Visibility
}

func (b *docBuilder) alias() string {
	b.aliases++
	return "d" + strconv.Itoa(b.aliases)
}

func (b *docBuilder) arg(v any) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(len(b.args))
}

var placeholder = regexp.MustCompile(`\$[0-9]+`)

// adopt takes in a list's SQL, written with its own arguments numbered from $1, renumbered
// after the arguments already in the statement.
func (b *docBuilder) adopt(sql string, args []any) string {
	base := len(b.args)
	b.args = append(b.args, args...)
	return placeholder.ReplaceAllStringFunc(sql, func(p string) string {
		n, _ := strconv.Atoi(p[1:])
		return "$" + strconv.Itoa(base+n)
	})
}

// object writes json_build_object over the row alias row of entity e.
func (b *docBuilder) object(e docEntity, row string, o Object) (string, error) {
	if len(o) > MaxDocMembers {
		return "", fmt.Errorf("object has %d members; at most %d fit", len(o), MaxDocMembers)
	}
	parts := make([]string, 0, 2*len(o))
	for _, f := range o {
		v, err := b.value(e, row, f.Value)
		if err != nil {
			return "", fmt.Errorf("member %q: %w", f.Key, err)
		}
		parts = append(parts, pq.QuoteLiteral(f.Key), v)
	}
	return "json_build_object(" + strings.Join(parts, ", ") + ")", nil
}

func (b *docBuilder) column(e docEntity, row, name string) (string, error) {
	if row == "" || !e.columns[name] {
		return "", fmt.Errorf("%s has no column %q", e.table, name)
	}
	return row + "." + pq.QuoteIdentifier(name), nil
}

func entityOf(name string) (docEntity, error) {
	e, ok := docEntities[name]
	if !ok {
		return docEntity{}, fmt.Errorf("no entity %q", name)
	}
	return e, nil
}

func (b *docBuilder) value(e docEntity, row string, v DocValue) (string, error) {
	switch v := v.(type) {
	case Column:
		return b.column(e, row, string(v))
	case IsNull:
		c, err := b.column(e, row, string(v))
		return "(" + c + " IS NULL)", err
	case Const:
		return pq.QuoteLiteral(string(v)), nil
	case KindName:
		cases := make(map[string]string, len(v.Names))
		for value, name := range v.Names {
			cases[value] = pq.QuoteLiteral(name)
		}
		return b.kindCase(e, row, v.Column, cases, "text")
	case KindSwitch:
		cases := make(map[string]string, len(v.Cases))
		for value, c := range v.Cases {
			sql, err := b.value(e, row, c)
			if err != nil {
				return "", fmt.Errorf("kind %s: %w", value, err)
			}
			cases[value] = sql
		}
		return b.kindCase(e, row, v.Column, cases, "json")
	case GlobalID:
		c, err := b.column(e, row, "id")
		if err != nil {
			return "", err
		}
		return globalID(v, c), nil
	case Object:
		return b.object(e, row, v)
	case Expr:
		if row == "" {
			return "", fmt.Errorf("an expression needs a row")
		}
		return "(" + v(row) + ")", nil
	case Seen:
		if row == "" {
			return "", fmt.Errorf("a value the viewer sees needs a row")
		}
		return "(" + v(row, b.viewer) + ")", nil
	case OnDay:
		if row == "" || b.today.IsZero() {
			return "", fmt.Errorf("a value of the day needs a row and a day")
		}
		if b.day == "" {
			b.day = b.arg(sqlDay(b.today)) + "::date"
		}
		return "(" + v(row, b.day) + ")", nil
	case Related:
		d, err := declaredRelation(v.Rel)
		if err != nil {
			return "", err
		}
		if d.One == nil {
			return "", fmt.Errorf("%s is not a to-one relation", v.Rel)
		}
		key, err := b.column(e, row, d.One.Key)
		if err != nil {
			return "", err
		}
		to, err := entityOf(d.One.To)
		if err != nil {
			return "", err
		}
		if idOnly(v.Object) && to.scopedBy == "" && to.seen == nil {
			// Only the row's id is read ({ provider { id } }): the foreign key is that id,
			// so the row need not be read at all (unless the viewer may not see it).
			return "CASE WHEN " + key + " IS NOT NULL THEN " + b.idObject(key, v.Object.(Object)) + " END", nil
		}
		a := b.alias()
		obj, err := b.value(to, a, v.Object)
		if err != nil {
			return "", err
		}
		cond, err := b.visible(to, a, a+".id = "+key)
		if err != nil {
			return "", err
		}
		return "(SELECT " + obj + " FROM " + to.table + " " + a + " WHERE " + cond + ")", nil
	case Connection:
		return b.connection(e, row, v)
	case Cursor:
		if b.cursor == "" {
			return "", fmt.Errorf("a cursor outside an edge")
		}
		return b.cursor, nil
	case TotalCount, PageInfo, Edges:
		return "", fmt.Errorf("%T outside a connection", v)
	case Listed:
		return b.listed(e, row, v)
	case Lookup:
		to, err := entityOf(v.Entity)
		if err != nil {
			return "", err
		}
		a := b.alias()
		if v.Column == "" && to.name == "alliance" {
			obj, err := b.value(to, a, v.Object)
			if err != nil {
				return "", err
			}
			return "(SELECT " + obj + " FROM alliance " + a + " ORDER BY " + firstAllianceOrder(a) + " LIMIT 1)", nil
		}
		if v.Column != "id" && v.Column != "slug" && (v.Column != "code" || to.name != "skill") {
			return "", fmt.Errorf("%s is not looked up by %q", to.table, v.Column)
		}
		col, err := b.column(to, a, v.Column)
		if err != nil {
			return "", err
		}
		obj, err := b.value(to, a, v.Object)
		if err != nil {
			return "", err
		}
		cond, err := b.visible(to, a, col+" = "+b.arg(v.Value))
		if err != nil {
			return "", err
		}
		return "(SELECT " + obj + " FROM " + to.table + " " + a + " WHERE " + cond + ")", nil
	case Lookups:
		if len(v) > MaxDocMembers*2 {
			return "", fmt.Errorf("%d lookups; at most %d fit", len(v), MaxDocMembers*2)
		}
		parts := make([]string, len(v))
		for i, l := range v {
			sql, err := b.value(e, row, l)
			if err != nil {
				return "", fmt.Errorf("lookup %d: %w", i, err)
			}
			parts[i] = sql
		}
		return "json_build_array(" + strings.Join(parts, ", ") + ")", nil
	}
	return "", fmt.Errorf("unknown document value %T", v)
}

// visible adds to cond, which finds row (of entity e), the condition that the viewer
// sees it: for a resource its own scope, for a row of one (a placement) the scope of
// the resource it belongs to, as the loaders' statements join it (PlacementsByID).
func (b *docBuilder) visible(e docEntity, row, cond string) (string, error) {
	if e.seen != nil {
		l := e.seen(b.viewer)
		l.where(l.id + " = " + row + ".id")
		return cond + " AND EXISTS (SELECT FROM " + l.from + b.adopt(l.whereClause(sortKey{}, Page{}), l.args) + ")", nil
	}
	switch e.scopedBy {
	case "":
		return cond, nil
	case "id":
		return cond + " AND " + b.viewer.Resources.condition(row, b.arg), nil
	}
	key, err := b.column(e, row, e.scopedBy)
	if err != nil {
		return "", err
	}
	r := b.alias()
	return cond + " AND EXISTS (SELECT FROM resource " + r + " WHERE " + r + ".id = " + key + " AND " + b.viewer.Resources.condition(r, b.arg) + ")", nil
}

// kindCase writes CASE over the row's column: the SQL of cases, of type typ, by the
// column's value. A value it does not name fails the statement rather than answer a
// wrong type.
func (b *docBuilder) kindCase(e docEntity, row, column string, cases map[string]string, typ string) (string, error) {
	c, err := b.column(e, row, column)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	sb.WriteString("CASE " + c + "::text")
	for _, value := range slices.Sorted(maps.Keys(cases)) {
		sb.WriteString(" WHEN " + pq.QuoteLiteral(value) + " THEN " + cases[value])
	}
	sb.WriteString(" ELSE (" + c + "::text || ' has no GraphQL type')::int::text::" + typ + " END")
	return sb.String(), nil
}

// idOnly reports whether a value reads nothing of its row but the id.
func idOnly(v DocValue) bool {
	o, ok := v.(Object)
	if !ok {
		return false
	}
	for _, f := range o {
		switch f.Value.(type) {
		case GlobalID, Const:
		default:
			return false
		}
	}
	return true
}

// idObject writes an idOnly object over the id expression id.
func (b *docBuilder) idObject(id string, o Object) string {
	parts := make([]string, 0, 2*len(o))
	for _, f := range o {
		var v string
		switch t := f.Value.(type) {
		case GlobalID:
			v = globalID(t, id)
		case Const:
			v = pq.QuoteLiteral(string(t))
		}
		parts = append(parts, pq.QuoteLiteral(f.Key), v)
	}
	return "json_build_object(" + strings.Join(parts, ", ") + ")"
}

// globalID writes relay.ID of the type t over the id expression id: unpadded URL-safe
// base64 of "Type:key".
func globalID(t GlobalID, id string) string {
	return "translate(rtrim(encode(convert_to(" + pq.QuoteLiteral(string(t)+":") + " || " + id +
		", 'UTF8'), 'base64'), '='), E'+/\\n', '-_')"
}

func (b *docBuilder) listed(e docEntity, row string, l Listed) (string, error) {
	if row == "" {
		return "", fmt.Errorf("list %q needs a parent row", l.Rel)
	}
	d, err := declaredRelation(l.Rel)
	if err != nil {
		return "", err
	}
	if d.Many == nil {
		return "", fmt.Errorf("%s is not an unpaged list", l.Rel)
	}
	for name := range l.Args {
		if !slices.Contains(d.Many.Args, name) {
			return "", fmt.Errorf("%s takes no argument %q", l.Rel, name)
		}
	}
	to, err := entityOf(d.Many.To)
	if err != nil {
		return "", err
	}
	if (to.scopedBy != "" || to.seen != nil) && d.Many.Scope == nil {
		// A list of rows some viewers may not see must say whose visibility decides.
		return "", fmt.Errorf("list %s of %s rows declares no scope", l.Rel, to.name)
	}
	a := b.alias()
	where := d.Many.Key(a) + " = " + row + ".id"
	if d.Many.Where != nil {
		where += " AND " + d.Many.Where(a)
	}
	if d.Many.Scope != nil {
		where += " AND " + b.viewer.Resources.condition(d.Many.Scope(a), b.arg)
	}
	if d.Many.Filter != nil {
		cond, err := d.Many.Filter(a, l.Args, b.arg)
		if err != nil {
			return "", fmt.Errorf("list %s: %w", l.Rel, err)
		}
		if cond != "" {
			where += " AND " + cond
		}
	}
	from, order := d.Many.From(a), d.Many.Order(a)
	el, err := b.value(to, a, l.Elem)
	if err != nil {
		return "", err
	}
	return "(SELECT COALESCE(json_agg(" + el + " ORDER BY " + order + "), '[]') FROM " + from + " WHERE " + where + ")", nil
}

// connection writes a page of a keyset list as the loaders read it (a backward page from
// its end, one row more than asked to learn whether another page follows), numbered in
// the order read; the connection object is then built over the numbered rows: the edges
// are the first Limit of them in the list's own order, page info and cursors are what
// graph.connection makes of store.finish's result, totalCount is the list's count.
func (b *docBuilder) connection(e docEntity, row string, c Connection) (string, error) {
	d, err := declaredRelation(c.Rel)
	if err != nil {
		return "", err
	}
	if d.Paged == nil {
		return "", fmt.Errorf("%s is not a connection", c.Rel)
	}
	if c.Page.Limit < 0 {
		return "", fmt.Errorf("connection %s: negative limit", c.Rel)
	}
	filter := c.Filter
	if d.Paged.ByScope {
		filter = b.viewer.Resources
	}
	to, err := entityOf(d.Paged.To)
	if err != nil {
		return "", err
	}
	if to.filtered {
		// A list of resources or events is read within the visibility its filter
		// carries, which the resolvers' converters set to the viewer's: one that does
		// not is a bug that must not show rows.
		f, ok := filter.(interface{ within() Visibility })
		if !ok || !b.viewer.is(f.within(), to.name == "event") {
			return "", fmt.Errorf("connection %s: its list is not within what the viewer may see", c.Rel)
		}
	}
	list := func(o Order) (*list, error) {
		lst, err := d.Paged.List(filter, o)
		if err != nil {
			return nil, fmt.Errorf("connection %s: %w", c.Rel, err)
		}
		switch {
		case lst.parent != "" && row == "":
			return nil, fmt.Errorf("connection %s needs a parent row", c.Rel)
		case lst.parent == "" && row != "":
			return nil, fmt.Errorf("connection %s is a root field", c.Rel)
		case lst.parent != "":
			lst.where(lst.parent + " = " + row + ".id")
		}
		return lst, nil
	}
	lst, err := list(c.Order)
	if err != nil {
		return "", err
	}
	if lst.parent == "" && !to.filtered && (to.scopedBy != "" || to.seen != nil) {
		// Nested, such rows are seen through a parent the viewer sees (an opening's
		// placements); at the root nothing would hide them.
		return "", fmt.Errorf("connection %s: a root list of %s rows needs the viewer's visibility", c.Rel, to.name)
	}
	k, err := lst.sort()
	if err != nil {
		return "", fmt.Errorf("connection %s: %w", c.Rel, err)
	}
	dir := "ASC"
	if lst.order.Desc != c.Page.Backward {
		dir = "DESC"
	}
	order := fmt.Sprintf("(%s) %s, %s %s", k.expr, dir, lst.id, dir)
	inner := "SELECT " + lst.cols + ", (" + k.expr + ")::text AS doc_key, " + lst.id + " AS doc_id, row_number() OVER (ORDER BY " + order +
		") AS doc_n FROM " + lst.from + lst.whereClause(k, c.Page) + " ORDER BY " + order + fmt.Sprintf(" LIMIT %d", c.Page.Limit+1)
	inner = b.adopt(inner, lst.args)
	cb := &connBuilder{b: b, c: c, list: list, to: to, a: b.alias(), g: b.alias()}
	obj, err := cb.value(c.Object)
	if err != nil {
		return "", fmt.Errorf("connection %s: %w", c.Rel, err)
	}
	return "(SELECT " + obj + " FROM (SELECT count(*) AS n" + strings.Join(cb.aggs, "") + " FROM (" + inner + ") " + cb.a + ") " + cb.g + ")", nil
}

// connBuilder writes the members of one connection object over the aggregate row g of
// the page's numbered rows a.
type connBuilder struct {
	b    *docBuilder
	c    Connection
	list func(Order) (*list, error)
	to   docEntity
	a, g string
	aggs []string
	// keys and ids hold the arrays of the page's sort keys and ids (pageKeys).
	keys, ids string
}

// agg adds an aggregate of v over the page's rows, in the order they are shown, and
// returns the column that holds it.
func (cb *connBuilder) agg(fn, v string) string {
	shown := "ASC"
	if cb.c.Page.Backward {
		shown = "DESC"
	}
	name := "c" + strconv.Itoa(len(cb.aggs))
	cb.aggs = append(cb.aggs, fmt.Sprintf(", %s(%s ORDER BY %s.doc_n %s) FILTER (WHERE %s.doc_n <= %d) AS %s",
		fn, v, cb.a, shown, cb.a, cb.c.Page.Limit, name))
	return cb.g + "." + name
}

// pageKeys are the arrays of the page's sort keys and ids in the order shown, written
// once: page info encodes the cursor of one row from them, where an array of every
// row's cursor cost PostgreSQL a tenth of a directory page's statement.
func (cb *connBuilder) pageKeys() (keys, ids string) {
	if cb.keys == "" {
		cb.keys = cb.agg("array_agg", cb.a+".doc_key")
		cb.ids = cb.agg("array_agg", cb.a+".doc_id")
	}
	return cb.keys, cb.ids
}

func (cb *connBuilder) value(v DocValue) (string, error) {
	more := "(" + cb.g + ".n > " + strconv.Itoa(cb.c.Page.Limit) + ")"
	switch v := v.(type) {
	case Const:
		return pq.QuoteLiteral(string(v)), nil
	case Object:
		if len(v) > MaxDocMembers {
			return "", fmt.Errorf("object has %d members; at most %d fit", len(v), MaxDocMembers)
		}
		parts := make([]string, 0, 2*len(v))
		for _, f := range v {
			sql, err := cb.value(f.Value)
			if err != nil {
				return "", fmt.Errorf("member %q: %w", f.Key, err)
			}
			parts = append(parts, pq.QuoteLiteral(f.Key), sql)
		}
		return "json_build_object(" + strings.Join(parts, ", ") + ")", nil
	case TotalCount:
		lst, err := cb.list(Order{})
		if err != nil {
			return "", err
		}
		q := "SELECT count(*) FROM " + lst.countFrom() + lst.whereClause(sortKey{}, Page{})
		return "(" + cb.b.adopt(q, lst.args) + ")", nil
	case PageInfo:
		switch v {
		case "hasNextPage":
			if cb.c.Page.Backward {
				return strconv.FormatBool(cb.c.Page.Before != nil), nil
			}
			return more, nil
		case "hasPreviousPage":
			if cb.c.Page.Backward {
				return more, nil
			}
			return strconv.FormatBool(cb.c.Page.After != nil), nil
		case "startCursor":
			keys, ids := cb.pageKeys()
			return cursorSQL(keys+"[1]", ids+"[1]", cb.c.Cursor), nil
		case "endCursor":
			keys, ids := cb.pageKeys()
			last := "[array_length(" + ids + ", 1)]"
			return cursorSQL(keys+last, ids+last, cb.c.Cursor), nil
		}
		return "", fmt.Errorf("no page info %q", string(v))
	case Edges:
		saved := cb.b.cursor
		cb.b.cursor = cursorSQL(cb.a+".doc_key", cb.a+".doc_id", cb.c.Cursor)
		el, err := cb.b.value(cb.to, cb.a, v.Elem)
		cb.b.cursor = saved
		if err != nil {
			return "", err
		}
		return "COALESCE(" + cb.agg("json_agg", el) + ", '[]'::json)", nil
	}
	return "", fmt.Errorf("%T is not a member of a connection", v)
}

// cursorSQL writes relay.Cursor{Order: order, Sort: key, ID: id}.String() of the SQL
// text key and bigint id (a numbered row's doc_key and doc_id): unpadded URL-safe base64 of the JSON encoding/json writes, which
// escapes <, > and & and the line and paragraph separators where PostgreSQL's to_json
// does not (both escape control characters alike).
func cursorSQL(key, id, order string) string {
	o, _ := json.Marshal(order)
	sort := "to_json(" + key + ")::text"
	for _, r := range []struct{ from, to string }{
		{"'<'", `'\u003c'`}, {"'>'", `'\u003e'`}, {"'&'", `'\u0026'`},
		{"chr(8232)", `'\u2028'`}, {"chr(8233)", `'\u2029'`},
	} {
		sort = "replace(" + sort + ", " + r.from + ", " + r.to + ")"
	}
	j := pq.QuoteLiteral(`{"o":`+string(o)+`,"s":`) + " || " + sort + ` || ',"i":' || ` + id + " || '}'"
	return "translate(rtrim(encode(convert_to(" + j + ", 'UTF8'), 'base64'), '='), E'+/\\n', '-_')"
}
