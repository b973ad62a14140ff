package store

import (
	"os"
	"slices"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Every declaration names a type and fields of the contract, entities the documents
// know, and concrete types of its interface; a misspelt name would silently leave a
// field to the resolvers, or answer a field that does not exist.
func TestDeclarationsNameTheContractsTypesAndFields(t *testing.T) {
	src, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gqlErr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
	if gqlErr != nil {
		t.Fatal(gqlErr)
	}
	for name, decl := range types {
		def := schema.Types[name]
		if def == nil {
			t.Errorf("%s is not a type of the schema", name)
			continue
		}
		if _, ok := docEntities[decl.Entity]; decl.Entity != "" && !ok {
			t.Errorf("%s is built over %q, which is no entity", name, decl.Entity)
		}
		if decl.Base != "" && !slices.Contains(def.Interfaces, decl.Base) {
			t.Errorf("%s does not implement its base %s", name, decl.Base)
		}
		for _, concrete := range decl.Kinds {
			if d, ok := types[concrete]; !ok || d.Base != name {
				t.Errorf("%s names %s as one of its types, which does not declare it as its base", name, concrete)
			}
		}
		for field, f := range decl.Fields {
			if def.Fields.ForName(field) == nil {
				t.Errorf("%s has no field %s", name, field)
			}
			for _, to := range []string{oneTo(f), manyTo(f), pagedTo(f)} {
				if _, ok := docEntities[to]; to != "" && !ok {
					t.Errorf("%s.%s leads to %q, which is no entity", name, field, to)
				}
			}
		}
	}
}

func oneTo(f FieldDecl) string {
	if f.One == nil {
		return ""
	}
	return f.One.To
}

func manyTo(f FieldDecl) string {
	if f.Many == nil {
		return ""
	}
	return f.Many.To
}

func pagedTo(f FieldDecl) string {
	if f.Paged == nil {
		return ""
	}
	return f.Paged.To
}
