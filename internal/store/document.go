package store

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

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

// DocValue is a member's value: one of Column, IsNull, Const, KindName, GlobalID,
// Object, KindSwitch, Related, Listed and Lookup.
type DocValue interface{ docValue() }

// Column is the value of one of the row's columns, as PostgreSQL writes it in JSON
// (dates as YYYY-MM-DD, enums as their text).
type Column string

// IsNull is true when the row's column is NULL.
type IsNull string

// Const is a constant string, such as the name of a type.
type Const string

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

// Related is the row a relation leads to (membership -> organization, say), or null;
// Object is built over it (an Object, or a KindSwitch).
type Related struct {
	Rel    string
	Object DocValue
}

// Listed is the list of rows a relation leads to, each as Elem. Paged relations take a
// Page, an Order and their filter; participants take []ParticipantRole.
type Listed struct {
	Rel    string
	Filter any
	Order  Order
	Page   Page
	// Elem is built over each row (an Object, or a KindSwitch): an edge is an object whose
	// node is another Object.
	Elem DocValue
}

// Lookup is a top-level row found by one of its unique columns (id, slug), or null. An
// alliance looked up by no column is the default one, as FirstAlliance finds it.
type Lookup struct {
	Entity string
	Column string
	Value  any
	Object DocValue
}

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
func (Lookup) docValue()     {}
func (KindSwitch) docValue() {}

// docEntity is a table whose rows documents are built over, with the columns a document
// may read: those of its row type, so that the two cannot drift apart.
type docEntity struct {
	name    string
	table   string
	columns map[string]bool
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
	"alliance":     {"alliance", "alliance", columnsOf(Alliance{})},
	"organization": {"organization", "organization", columnsOf(Organization{})},
	"membership":   {"membership", "membership", columnsOf(Membership{})},
	"partnership":  {"partnership", "partnership", columnsOf(Partnership{})},
	"participant":  {"participant", "partnership_participant", columnsOf(Participant{})},
	"resource":     {"resource", "resource", columnsOf(Resource{})},
}

// docOne is a to-one relation, named "entity.field": the foreign key column of the row
// and the entity it leads to.
type docOne struct {
	key, to string
}

var docOnes = map[string]docOne{
	"membership.alliance":      {"alliance_id", "alliance"},
	"membership.organization":  {"organization_id", "organization"},
	"organization.park":        {"park_id", "organization"},
	"partnership.alliance":     {"alliance_id", "alliance"},
	"participant.organization": {"organization_id", "organization"},
	"participant.partnership":  {"partnership_id", "partnership"},
	"resource.provider":        {"provider_id", "organization"},
	"resource.alliance":        {"alliance_id", "alliance"},
}

// docPaged is a keyset-paginated relation, named "entity.field": the entity it leads to
// and the list the loaders page through, set to the parent's rows.
type docPaged struct {
	to   string
	list func(filter any) (*list, error)
}

func pagedList[F any](build func(F, Order) *list, parent string) func(any) (*list, error) {
	return func(filter any) (*list, error) {
		var f F
		if filter != nil {
			var ok bool
			if f, ok = filter.(F); !ok {
				return nil, fmt.Errorf("filter is a %T, not a %T", filter, f)
			}
		}
		l := build(f, Order{})
		if parent != "" {
			l.parent = parent
		}
		return l, nil
	}
}

var docPages = map[string]docPaged{
	"alliance.members":          {"membership", pagedList(membershipList, "")},
	"alliance.partnerships":     {"partnership", pagedList(partnershipList, "")},
	"alliance.resources":        {"resource", pagedList(resourceList, "r.alliance_id")},
	"organization.partnerships": {"partnership", pagedList(organizationPartnershipList, "")},
	"organization.resources":    {"resource", pagedList(resourceList, "r.provider_id")},
}

// Document builds the JSON object of fields in one statement and reports whether every
// Lookup among them found its row (when one did not, the caller may want the error its
// own path gives instead of a null).
func (s *Store) Document(ctx context.Context, fields []DocField) ([]byte, bool, error) {
	if len(fields) > MaxDocMembers {
		return nil, false, fmt.Errorf("document has %d members; at most %d fit", len(fields), MaxDocMembers)
	}
	b := &docBuilder{}
	var cols, keys, found []string
	for i, f := range fields {
		v, err := b.value(docEntity{}, "", f.Value)
		if err != nil {
			return nil, false, fmt.Errorf("document member %q: %w", f.Key, err)
		}
		col := "v" + strconv.Itoa(i)
		cols = append(cols, v+" AS "+col)
		keys = append(keys, pq.QuoteLiteral(f.Key), "x."+col)
		if _, ok := f.Value.(Lookup); ok {
			found = append(found, "x."+col+" IS NOT NULL")
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

func relation[T any](rels map[string]T, e docEntity, name string) (T, error) {
	r, ok := rels[e.name+"."+name]
	if !ok {
		return r, fmt.Errorf("%s has no relation %q", e.table, name)
	}
	return r, nil
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
	case Related:
		rel, err := relation(docOnes, e, v.Rel)
		if err != nil {
			return "", err
		}
		key, err := b.column(e, row, rel.key)
		if err != nil {
			return "", err
		}
		if idOnly(v.Object) {
			// Only the row's id is read ({ provider { id } }): the foreign key is that id,
			// so the row need not be read at all.
			return b.idObject(key, v.Object.(Object)), nil
		}
		to := docEntities[rel.to]
		a := b.alias()
		obj, err := b.value(to, a, v.Object)
		if err != nil {
			return "", err
		}
		return "(SELECT " + obj + " FROM " + to.table + " " + a + " WHERE " + a + ".id = " + key + ")", nil
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
		if v.Column != "id" && v.Column != "slug" {
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
		return "(SELECT " + obj + " FROM " + to.table + " " + a + " WHERE " + col + " = " + b.arg(v.Value) + ")", nil
	}
	return "", fmt.Errorf("unknown document value %T", v)
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
	switch e.name + "." + l.Rel {
	case "partnership.participants":
		return b.participants(row, l)
	case "organization.memberships":
		a := b.alias()
		to := docEntities["membership"]
		el, err := b.value(to, a, l.Elem)
		if err != nil {
			return "", err
		}
		return "(SELECT COALESCE(json_agg(" + el + " ORDER BY " + membershipOrder(a) + "), '[]') FROM membership " + a +
			" WHERE " + a + ".organization_id = " + row + ".id)", nil
	}
	rel, err := relation(docPages, e, l.Rel)
	if err != nil {
		return "", err
	}
	lst, err := rel.list(l.Filter)
	if err != nil {
		return "", fmt.Errorf("list %q: %w", l.Rel, err)
	}
	lst.order = l.Order
	k, err := lst.sort()
	if err != nil {
		return "", fmt.Errorf("list %q: %w", l.Rel, err)
	}
	lst.where(lst.parent + " = " + row + ".id")
	dir := "ASC"
	if lst.order.Desc != l.Page.Backward {
		dir = "DESC"
	}
	// The page is read as the loaders read it (a backward page from its end), without
	// their extra row, which only tells whether another page follows; the elements are
	// then put in the list's own order.
	inner := "SELECT " + lst.cols + ", (" + k.expr + ") AS doc_sort, " + lst.id + " AS doc_id FROM " + lst.from +
		lst.whereClause(k, l.Page) + fmt.Sprintf(" ORDER BY (%s) %s, %s %s LIMIT %d", k.expr, dir, lst.id, dir, l.Page.Limit)
	inner = b.adopt(inner, lst.args)
	a := b.alias()
	el, err := b.value(docEntities[rel.to], a, l.Elem)
	if err != nil {
		return "", err
	}
	shown := "ASC"
	if lst.order.Desc {
		shown = "DESC"
	}
	return "(SELECT COALESCE(json_agg(" + el + " ORDER BY " + a + ".doc_sort " + shown + ", " + a + ".doc_id " + shown +
		"), '[]') FROM (" + inner + ") " + a + ")", nil
}

func (b *docBuilder) participants(row string, l Listed) (string, error) {
	a, org := b.alias(), b.alias()
	cond := a + ".partnership_id = " + row + ".id"
	if l.Filter != nil {
		roles, ok := l.Filter.([]ParticipantRole)
		if !ok {
			return "", fmt.Errorf("participants are filtered by []ParticipantRole, not %T", l.Filter)
		}
		if len(roles) > 0 {
			s := make([]string, len(roles))
			for i, r := range roles {
				s[i] = string(r)
			}
			cond += " AND " + a + ".role = ANY(" + b.arg(pq.StringArray(s)) + ")"
		}
	}
	el, err := b.value(docEntities["participant"], a, l.Elem)
	if err != nil {
		return "", err
	}
	return "(SELECT COALESCE(json_agg(" + el + " ORDER BY " + participantOrder(a, org) + "), '[]') FROM partnership_participant " + a +
		" JOIN organization " + org + " ON " + org + ".id = " + a + ".organization_id WHERE " + cond + ")", nil
}
