package graphql

import (
	"strings"
	"testing"

	"github.com/graph-gophers/graphql-go/ast"
)

// builtIn are the types graphql-go defines itself.
var builtIn = map[string]bool{"Int": true, "Float": true, "String": true, "Boolean": true, "ID": true, "Map": true}

// TestSchemaIsDocumented checks that every type, field, input field and
// enum value of the schema has a description.
func TestSchemaIsDocumented(t *testing.T) {
	s, err := parseSchema(&resolver{}, DefaultLimits(), quietLogger)
	must(t, err, "schema")
	for name, typ := range s.AST().Types {
		if builtIn[name] || strings.HasPrefix(name, "__") {
			continue
		}
		if strings.TrimSpace(typ.Description()) == "" {
			t.Errorf("type %s has no description", name)
		}
		switch typ := typ.(type) {
		case *ast.ObjectTypeDefinition:
			for _, f := range typ.Fields {
				if strings.TrimSpace(f.Desc) == "" {
					t.Errorf("field %s.%s has no description", name, f.Name)
				}
			}
		case *ast.InputObject:
			for _, f := range typ.Values {
				if strings.TrimSpace(f.Desc) == "" {
					t.Errorf("input field %s.%s has no description", name, f.Name.Name)
				}
			}
		case *ast.EnumTypeDefinition:
			for _, v := range typ.EnumValuesDefinition {
				if strings.TrimSpace(v.Desc) == "" {
					t.Errorf("enum value %s.%s has no description", name, v.EnumValue)
				}
			}
		}
	}
}

// TestEnumsMatchTheDomain checks the schema's enums against the values the
// domain writes, so a value added to one is not missing from the other.
func TestEnumsMatchTheDomain(t *testing.T) {
	s, err := parseSchema(&resolver{}, DefaultLimits(), quietLogger)
	must(t, err, "schema")
	values := func(name string) []string {
		e, ok := s.AST().Types[name].(*ast.EnumTypeDefinition)
		if !ok {
			t.Fatalf("no enum %s", name)
		}
		var out []string
		for _, v := range e.EnumValuesDefinition {
			out = append(out, v.EnumValue)
		}
		return out
	}
	for name, want := range domainEnums() {
		if got := strings.Join(values(name), ","); got != strings.Join(want, ",") {
			t.Errorf("enum %s = %s, domain has %s", name, got, strings.Join(want, ","))
		}
	}
}
