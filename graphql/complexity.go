package graphql

import (
	"math"
	"strings"

	"github.com/graph-gophers/graphql-go/ast"

	"github.com/interactionledger/ledger/graphql/internal/document"
	"github.com/interactionledger/ledger/projections"
)

// costModel estimates what a document costs to answer before it runs:
// every field costs 1, times how many of it the enclosing lists return.
// A field with a `first` argument returns `first` items (default
// projections.DefaultPageSize) in the list directly inside it (a
// connection's nodes) or in itself; any other list field is assumed to
// return listGuess items. Introspection fields cost nothing: the schema
// bounds them.
type costModel struct {
	schema   *ast.Schema
	maxFirst int
}

// listGuess is the assumed length of lists without `first` (a customer's
// identities or open tickets, an interaction's messages).
const listGuess = 10

// cost returns the estimated cost of running op with vars, saturating at
// math.MaxInt instead of overflowing.
func (m costModel) cost(doc *document.Document, op *document.Operation, vars map[string]any) int {
	root := m.schema.RootOperationTypes[op.Kind]
	if root == nil {
		return 0
	}
	w := costWalk{model: m, doc: doc, op: op, vars: vars, visiting: map[string]bool{}}
	return w.selections(op.Selections, root.TypeName(), 1, 0)
}

type costWalk struct {
	model    costModel
	doc      *document.Document
	op       *document.Operation
	vars     map[string]any
	visiting map[string]bool // fragments on the current path (cycles are invalid anyway)
}

// selections sums the cost of sels on typeName, each field costing mult;
// pending is the item count a `first` above promised to the next list.
func (w *costWalk) selections(sels []document.Selection, typeName string, mult, pending int) int {
	total := 0
	for _, s := range sels {
		switch {
		case s.Spread != "":
			f := w.doc.Fragments[s.Spread]
			if f == nil || w.visiting[s.Spread] {
				continue
			}
			w.visiting[s.Spread] = true
			total = add(total, w.selections(f.Selections, f.TypeCond, mult, pending))
			delete(w.visiting, s.Spread)
		case s.Field == "":
			cond := typeName
			if s.TypeCond != "" {
				cond = s.TypeCond
			}
			total = add(total, w.selections(s.Children, cond, mult, pending))
		default:
			total = add(total, w.field(s, typeName, mult, pending))
		}
	}
	return total
}

func (w *costWalk) field(s document.Selection, typeName string, mult, pending int) int {
	if strings.HasPrefix(s.Field, "__") {
		return 0
	}
	def := w.model.fieldDef(typeName, s.Field)
	if def == nil {
		return mult // unknown: validation will refuse the document
	}
	childMult, childPending := mult, 0
	isList := isListType(def.Type)
	switch {
	case def.Arguments.Get("first") != nil && isList:
		childMult = mul(mult, w.first(s))
	case def.Arguments.Get("first") != nil:
		childPending = w.first(s)
	case isList && pending > 0:
		childMult = mul(mult, pending)
	case isList:
		childMult = mul(mult, listGuess)
	}
	return add(mult, w.selections(s.Children, namedType(def.Type), childMult, childPending))
}

// first is the page size a field asks for, clamped to what the API
// grants: out-of-range values are refused when the field runs.
func (w *costWalk) first(s document.Selection) int {
	n := projections.DefaultPageSize
	switch {
	case s.FirstSet:
		n = s.First
	case s.FirstVar != "":
		if v, ok := intVar(w.vars[s.FirstVar]); ok {
			n = v
		} else if d, ok := w.op.Defaults[s.FirstVar]; ok {
			n = d
		}
	}
	return min(max(n, 1), w.model.maxFirst)
}

func intVar(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		if n >= math.MinInt32 && n <= math.MaxInt32 {
			return int(n), true
		}
	case int:
		return n, true
	case int32:
		return int(n), true
	case int64:
		if n >= math.MinInt32 && n <= math.MaxInt32 {
			return int(n), true
		}
	}
	return 0, false
}

func (m costModel) fieldDef(typeName, field string) *ast.FieldDefinition {
	switch t := m.schema.Types[typeName].(type) {
	case *ast.ObjectTypeDefinition:
		return t.Fields.Get(field)
	case *ast.InterfaceTypeDefinition:
		return t.Fields.Get(field)
	}
	return nil
}

func isListType(t ast.Type) bool {
	if nn, ok := t.(*ast.NonNull); ok {
		t = nn.OfType
	}
	_, ok := t.(*ast.List)
	return ok
}

// namedType unwraps lists and non-nulls to the name of the type inside.
func namedType(t ast.Type) string {
	for {
		switch w := t.(type) {
		case *ast.NonNull:
			t = w.OfType
		case *ast.List:
			t = w.OfType
		case ast.NamedType:
			return w.TypeName()
		default:
			return ""
		}
	}
}

func add(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func mul(a, b int) int {
	if b != 0 && a > math.MaxInt/b {
		return math.MaxInt
	}
	return a * b
}
