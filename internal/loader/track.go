package loader

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// A tracker decides when the batches of one operation go out: when every field
// resolution that could still add keys to them is waiting on a loader, and no batch is
// being fetched (its results would wake resolvers that add more keys). It follows
// gqlgen's execution exactly, under one lock:
//
//   - expected: fields gqlgen will start next without waiting for anything. gqlgen runs an
//     object's fields in two steps: the fields it reads inline (struct fields, methods
//     without a context), one after the other, each with its whole subtree; then, once the
//     last of those is complete, the fields with resolvers, all at once. So when a field
//     returns objects, each object announces its first inline field, or all its resolver
//     fields if it has no inline ones; when an inline field's subtree is complete, the
//     object announces its next field. Announcing before the field's goroutine exists
//     means that the moment between a parent returning and its children starting is
//     never mistaken for quiet, however long the scheduler takes;
//   - running: fields whose resolver has started and not returned;
//   - waiting: loads blocked on a batch that has not been delivered;
//   - fetching: batches being fetched.
//
// The operation is quiet when expected is 0, fetching is 0 and every running field is
// waiting; then the shallowest pending batches are sent. What a query costs in statements
// therefore depends on its shape and data only, never on how fast its goroutines run,
// and a small query waits for no idle window.
type tracker struct {
	shapes *Shapes
	oc     *graphql.OperationContext

	mu       sync.Mutex
	expected int
	running  int
	waiting  int
	fetching int
	ready    []flusher
	// objects are the objects being resolved, by the field (and list index) that returned
	// them; fields, the fields that have started, so that an error from a field that has
	// not tells of one gqlgen gave up on (Presenter).
	objects map[objKey]*objectRun
	fields  map[*graphql.FieldContext]*fieldRun
	// future counts, by Type.field, the fields gqlgen has still to start on the objects
	// being resolved: a batch all of whose askers have more to come is worth holding.
	future map[fieldOf]int

	// counts keeps how a selection's fields split on each type: an operation's variables,
	// and with them @skip and @include, do not change while it runs.
	countsMu sync.Mutex
	counts   map[shapeKey]split
}

// objKey names an object being resolved: the field that returned it, and its index when
// the field returned a list (-1 otherwise). The root object has no field.
type objKey struct {
	field *graphql.FieldContext
	index int
}

type objectRun struct {
	parent   *fieldRun // nil for the root
	typeName string
	model    reflect.Type
	split
	inlineDone int
	pending    int
}

// split is how many of an object's fields gqlgen reads inline and how many it resolves
// concurrently, and their names.
type split struct {
	inline, concurrent int
	names              []string
}

type fieldRun struct {
	object   *objectRun
	inline   bool
	objects  int // objects of its result not yet complete
	returned bool
}

// fieldOf names a field of a type: Type.field.
type fieldOf struct{ typeName, field string }

type shapeKey struct {
	sel      *ast.Selection
	typeName string
	model    reflect.Type
}

// flusher is a batcher of the operation holding keys that are not yet sent.
type flusher interface {
	// pendingBatch tells the depth in the query of the shallowest field waiting on the
	// pending batch, and the fields (Type.field) that asked for its keys; false if there is
	// no pending batch.
	pendingBatch() (depth int, askers []fieldOf, ok bool)
	// take removes the pending batch, if any, and returns how to fetch it.
	take() (func(), bool)
}

// Incident is something that makes a batch go out other than by the count, or shows the
// count is wrong: a bug in the count shows up here rather than as a slow or split query.
type Incident string

// DefaultStall is the longest a batch of a tracked operation waits: the count makes it
// wait while any field of the operation runs or any batch is fetched, however slowly, and
// only a field blocked where the count cannot see (a bug) would make it wait longer.
const DefaultStall = 2 * time.Second

const (
	// Stalled: a batch waited the stall limit without its operation becoming quiet, and was
	// sent anyway.
	Stalled Incident = "stalled"
	// UnknownType: a resolver returned a value of an abstract type whose concrete GraphQL
	// type could not be named, so its fields were not announced.
	UnknownType Incident = "unknown_type"
	// Unannounced: a field started that the count did not expect.
	Unannounced Incident = "unannounced"
	// Misjudged: a field started whose concurrency the Concurrency function got wrong.
	Misjudged Incident = "misjudged"
)

// Concurrency tells whether gqlgen resolves field of an object of typeName, whose Go
// model is model, concurrently (a resolver, or a method taking a context) or inline.
type Concurrency func(typeName, field string, model reflect.Type) bool

// Shapes is what trackers need to know of the schema and of the generated executor.
type Shapes struct {
	satisfies  map[string][]string
	possible   map[string]map[string]bool
	concurrent Concurrency
	stall      time.Duration
	report     func(Incident)
}

// NewShapes prepares the tracking of operations on schema, whose executor resolves fields
// concurrently as concurrent says. A batch whose operation never becomes quiet is sent
// after stall all the same; report, if not nil, is told of that and of any other incident.
func NewShapes(schema *ast.Schema, concurrent Concurrency, stall time.Duration, report func(Incident)) *Shapes {
	s := &Shapes{satisfies: map[string][]string{}, possible: map[string]map[string]bool{},
		concurrent: concurrent, stall: stall, report: report}
	for name, def := range schema.Types {
		switch def.Kind {
		case ast.Object:
			s.satisfies[name] = append([]string{name}, def.Interfaces...)
		case ast.Interface, ast.Union:
			p := map[string]bool{}
			for _, t := range schema.GetPossibleTypes(def) {
				p[t.Name] = true
			}
			s.possible[name] = p
		}
	}
	for _, def := range schema.Types {
		if def.Kind == ast.Union {
			for _, member := range def.Types {
				s.satisfies[member] = append(s.satisfies[member], def.Name)
			}
		}
	}
	return s
}

// incident reports i, if anyone listens.
func (s *Shapes) incident(i Incident) {
	if s.report != nil {
		s.report(i)
	}
}

type trackerKey struct{}

// Track returns a context whose loaders (created with For from it afterwards) send their
// batches by the count of the operation's field resolutions. Only queries and mutations
// are tracked: a subscription resolves each event's fields on its own, with loaders per
// event that batch by timing.
func (s *Shapes) Track(ctx context.Context) context.Context {
	if s == nil || !graphql.HasOperationContext(ctx) {
		return ctx
	}
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil {
		return ctx
	}
	t := &tracker{shapes: s, oc: oc,
		objects: map[objKey]*objectRun{}, fields: map[*graphql.FieldContext]*fieldRun{}, counts: map[shapeKey]split{},
		future: map[fieldOf]int{}}
	root := &objectRun{}
	fields := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{rootType(oc.Operation.Operation)})
	switch oc.Operation.Operation {
	case ast.Query:
		// Introspection's root fields are read inline, every other one concurrently.
		root.typeName = "Query"
		for _, f := range fields {
			switch {
			case f.Name == "__typename":
			case strings.HasPrefix(f.Name, "__"):
				root.inline++
			default:
				root.concurrent++
			}
		}
		root.names = fieldNames(fields)
	case ast.Mutation:
		// A mutation's root fields run one after another.
		root.typeName = "Mutation"
		root.names = fieldNames(fields)
		root.inline = len(root.names)
	default:
		return ctx
	}
	root.pending = root.inline + root.concurrent
	t.objects[objKey{nil, -1}] = root
	t.register(root)
	return context.WithValue(ctx, trackerKey{}, t)
}

func rootType(op ast.Operation) string {
	switch op {
	case ast.Mutation:
		return "Mutation"
	case ast.Subscription:
		return "Subscription"
	}
	return "Query"
}

func trackerFrom(ctx context.Context) *tracker {
	t, _ := ctx.Value(trackerKey{}).(*tracker)
	return t
}

func fieldNames(fields []graphql.CollectedField) []string {
	var out []string
	for _, f := range fields {
		if f.Name != "__typename" {
			out = append(out, f.Name)
		}
	}
	return out
}

// register announces a new object's first fields and records all of them as to come.
func (t *tracker) register(o *objectRun) {
	for _, name := range o.names {
		t.future[fieldOf{o.typeName, name}]++
	}
	t.announce(o)
}

// announce expects the fields of o that gqlgen starts next.
func (t *tracker) announce(o *objectRun) {
	switch {
	case o.inlineDone < o.inline:
		t.expected++
	case o.inlineDone == o.inline:
		t.expected += o.concurrent
	}
}

// objectOf names the object fc is a field of.
func objectOf(fc *graphql.FieldContext) objKey {
	p := fc.Parent
	switch {
	case isRoot(fc):
		return objKey{nil, -1}
	case p.Index != nil:
		return objKey{p.Parent, *p.Index}
	}
	return objKey{p, -1}
}

// isRoot reports whether fc is a root field: its parent, if any, is no field (a context
// set up around the operation) and no list element.
func isRoot(fc *graphql.FieldContext) bool {
	p := fc.Parent
	return p == nil || (p.Index == nil && p.Field.Field == nil)
}

// start records that fc has started (or, with its arguments undecodable, been skipped).
// It must be called with t.mu held.
func (t *tracker) start(fc *graphql.FieldContext) *fieldRun {
	o := t.objects[objectOf(fc)]
	f := &fieldRun{object: o}
	t.fields[fc] = f
	if o == nil {
		t.shapes.incident(Unannounced)
		return f
	}
	root := isRoot(fc)
	f.inline = fc.Object == "Mutation" || (root && strings.HasPrefix(fc.Field.Name, "__")) ||
		(!root && !t.shapes.concurrent(o.typeName, fc.Field.Name, o.model))
	if !root && (f.inline && fc.IsResolver || !f.inline && !fc.IsResolver && !fc.IsMethod) {
		t.shapes.incident(Misjudged)
	}
	t.expected--
	t.future[fieldOf{o.typeName, fc.Field.Name}]--
	return f
}

// complete records that f and its whole subtree are resolved: gqlgen moves on to the
// next field of its object.
func (t *tracker) complete(f *fieldRun) {
	for f != nil {
		o := f.object
		if o == nil {
			return
		}
		o.pending--
		if f.inline {
			o.inlineDone++
			t.announce(o)
		}
		if o.pending > 0 || o.parent == nil {
			return
		}
		f = o.parent
		f.objects--
		if f.objects > 0 || !f.returned {
			return
		}
	}
}

// InterceptField counts a field's resolution and announces the objects it returns. It
// must be the outermost field interceptor, so that it sees every field gqlgen resolves,
// including those a directive then refuses.
func (s *Shapes) InterceptField(ctx context.Context, next graphql.Resolver) (res any, err error) {
	t := trackerFrom(ctx)
	if t == nil {
		return next(ctx)
	}
	fc := graphql.GetFieldContext(ctx)
	var f *fieldRun
	t.locked(func() {
		t.running++
		f = t.start(fc)
	})
	var objects []objectRun
	var keys []objKey
	defer t.locked(func() {
		t.running--
		f.returned = true
		for i := range objects {
			o := &objects[i]
			o.parent = f
			t.objects[keys[i]] = o
			f.objects++
			t.register(o)
		}
		if f.objects == 0 {
			t.complete(f)
		}
	})
	res, err = next(ctx)
	if err == nil && res != nil && len(fc.Field.Selections) > 0 {
		objects, keys = t.objectsOf(fc, reflect.ValueOf(res))
	}
	return res, err
}

// Presenter wraps the server's error presenter to learn of fields gqlgen gave up on
// before resolving them (their arguments failed to decode): they report an error from
// their own field context, and count as resolved at once.
func (s *Shapes) Presenter(next graphql.ErrorPresenterFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		if t := trackerFrom(ctx); t != nil {
			if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Index == nil && fc.Field.Field != nil {
				t.locked(func() {
					if _, started := t.fields[fc]; !started {
						f := t.start(fc)
						f.returned = true
						t.complete(f)
					}
				})
			}
		}
		return next(ctx, err)
	}
}

// locked runs change under t.mu, then sends the batches the operation's being quiet
// releases. The lock is released even if change panics (gqlgen recovers resolvers'
// panics, and the operation must go on).
func (t *tracker) locked(change func()) {
	var send func()
	func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		change()
		send = t.quiet()
	}()
	send()
}

// waitFor counts a load's wait, unless register (run under the lock) reports its batch
// delivered already; it reports whether the load must wait.
func (t *tracker) waitFor(register func() (delivered bool)) bool {
	wait := false
	t.locked(func() {
		if !register() {
			t.waiting++
			wait = true
		}
	})
	return wait
}

// objectsOf lists the objects gqlgen will resolve fields of in v, the result of fc, with
// how their fields split; objects without fields to resolve are left out.
func (t *tracker) objectsOf(fc *graphql.FieldContext, v reflect.Value) ([]objectRun, []objKey) {
	typeName := fc.Field.Definition.Type.Name()
	sel := fc.Field.Selections
	var objects []objectRun
	var keys []objKey
	add := func(v reflect.Value, index int) {
		o, ok := t.objectAt(v, sel, typeName)
		if ok && o.inline+o.concurrent > 0 {
			o.pending = o.inline + o.concurrent
			objects = append(objects, o)
			keys = append(keys, objKey{fc, index})
		}
	}
	v = deref(v)
	if v.Kind() == reflect.Slice || v.Kind() == reflect.Array {
		// The schema has no lists of lists: an element is an object or null.
		for i := range v.Len() {
			add(v.Index(i), i)
		}
		return objects, keys
	}
	add(v, -1)
	return objects, keys
}

func deref(v reflect.Value) reflect.Value {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// objectAt is the run of one object v (null: none) of a field of typeName.
func (t *tracker) objectAt(v reflect.Value, sel ast.SelectionSet, typeName string) (objectRun, bool) {
	v = deref(v)
	if !v.IsValid() || len(sel) == 0 {
		return objectRun{}, false
	}
	concrete := typeName
	if possible, abstract := t.shapes.possible[typeName]; abstract {
		// Models are named after their GraphQL types (model.School for School).
		concrete = v.Type().Name()
		if !possible[concrete] {
			t.shapes.incident(UnknownType)
			return objectRun{}, false
		}
	}
	return objectRun{typeName: concrete, model: v.Type(), split: t.splitOf(sel, concrete, v.Type())}, true
}

// splitOf is how the fields of a selection on an object of typeName split.
func (t *tracker) splitOf(sel ast.SelectionSet, typeName string, model reflect.Type) split {
	// A selection set is a slice of the parsed document; its first element names it.
	k := shapeKey{&sel[0], typeName, model}
	t.countsMu.Lock()
	s, ok := t.counts[k]
	t.countsMu.Unlock()
	if ok {
		return s
	}
	fields := graphql.CollectFields(t.oc, sel, t.shapes.satisfies[typeName])
	for _, f := range fields {
		switch {
		case f.Name == "__typename":
		case t.shapes.concurrent(typeName, f.Name, model):
			s.concurrent++
		default:
			s.inline++
		}
	}
	s.names = fieldNames(fields)
	t.countsMu.Lock()
	t.counts[k] = s
	t.countsMu.Unlock()
	return s
}

// quiet sends pending batches when the operation is quiet: the shallowest of those worth
// sending now. A batch is worth holding while every field that asked for its keys has
// more instances still to start (gqlgen starts an object's resolver fields only once its
// inline fields' subtrees are complete, so the counts of one connection arrive object by
// object); a deeper batch waits for the shallower ones, whose results wake fields that
// may add keys to it (an object found in a loader's cache runs ahead of one being
// fetched). If every pending batch is worth holding, the shallowest go all the same: the
// fields still to come may be waiting on them. It must be called with t.mu held; the
// returned function, which fetches, must be called after releasing it.
func (t *tracker) quiet() func() {
	if t.expected > 0 || t.fetching > 0 || t.waiting < t.running || len(t.ready) == 0 {
		return func() {}
	}
	type candidate struct {
		depth int
		hold  bool
	}
	cands := make([]candidate, len(t.ready))
	shallowest, shallowestSent := -1, -1
	for i, f := range t.ready {
		d, askers, ok := f.pendingBatch()
		if !ok {
			cands[i] = candidate{depth: -1}
			continue
		}
		hold := len(askers) > 0
		for _, a := range askers {
			hold = hold && t.future[a] > 0
		}
		cands[i] = candidate{d, hold}
		if shallowest < 0 || d < shallowest {
			shallowest = d
		}
		if !hold && (shallowestSent < 0 || d < shallowestSent) {
			shallowestSent = d
		}
	}
	sendDepth, sendHeld := shallowestSent, false
	if sendDepth < 0 {
		sendDepth, sendHeld = shallowest, true
	}
	var fetches []func()
	keep := t.ready[:0]
	for i, f := range t.ready {
		c := cands[i]
		switch {
		case c.depth < 0:
			// Sent already (it filled up) or taken: nothing pending.
		case c.depth == sendDepth && (sendHeld || !c.hold):
			if fetch, ok := f.take(); ok {
				fetches = append(fetches, fetch)
			}
		default:
			keep = append(keep, f)
		}
	}
	clear(t.ready[len(keep):])
	t.ready = keep
	t.fetching += len(fetches)
	return func() {
		for _, fetch := range fetches {
			go fetch()
		}
	}
}

// pending records that f holds keys not yet sent.
func (t *tracker) pending(f flusher) {
	t.mu.Lock()
	if !slices.Contains(t.ready, f) {
		t.ready = append(t.ready, f)
	}
	t.mu.Unlock()
}
