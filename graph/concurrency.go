package graph

import (
	"context"
	"reflect"
	"strings"
)

// Concurrent tells whether the generated executor resolves field of an object of
// typeName, whose Go model is model, concurrently: gqlgen does so for fields with a
// resolver and for model methods that take a context, and reads every other field inline,
// one after the other. The loaders' count of field resolutions (loader.Shapes) needs to
// know which, before the field starts; it reports a field that turns out otherwise when it
// starts (loader.Misjudged).
func Concurrent() func(typeName, field string, model reflect.Type) bool {
	resolvers := map[string]map[string]bool{}
	root := reflect.TypeFor[ResolverRoot]()
	for i := range root.NumMethod() {
		m := root.Method(i)
		fields := map[string]bool{}
		iface := m.Type.Out(0)
		for j := range iface.NumMethod() {
			fields[strings.ToLower(iface.Method(j).Name)] = true
		}
		resolvers[m.Name] = fields
	}
	ctxType := reflect.TypeFor[context.Context]()
	return func(typeName, field string, model reflect.Type) bool {
		if resolvers[typeName][strings.ToLower(field)] {
			return true
		}
		if model == nil {
			return false
		}
		for _, t := range []reflect.Type{model, reflect.PointerTo(model)} {
			for i := range t.NumMethod() {
				m := t.Method(i)
				// The receiver is the method's first input.
				if strings.EqualFold(m.Name, field) && m.Type.NumIn() > 1 && m.Type.In(1) == ctxType {
					return true
				}
			}
		}
		return false
	}
}
