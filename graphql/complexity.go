package graphql

import (
	"math"

	"github.com/graph-gophers/graphql-go/ast"

	"github.com/interactionledger/ledger/graphql/internal/document"
	"github.com/interactionledger/ledger/projections"
)

// costModel estimates what a document costs to answer before it runs:
// every field costs 1, times how many of it the enclosing lists return.
// A field with a `first` argument returns `first` items (default
// projections.DefaultPageSize) in the list directly inside it (a
// connection's nodes) or in itself; any other list field is assumed to
// return listGuess items. A list field with a `first` argument of its own
// (an interaction's messages, a queue's waiting entries, a ticket's notes)
// returns at most `first` items, maxFirst when it is not given: its
// resolver enforces the same bound. Introspection is counted too, so
// aliasing many of it is no cheaper than asking for data: `__typename`
// costs 1 like any field, `__schema` as much as the schema has types,
// fields, arguments, input fields and enum values (what a full
// introspection returns, whatever it selects), `__type` as much as the
// largest type has.
type costModel struct {
	schema   *ast.Schema
	maxFirst int
}

// listGuess is the assumed length of lists without `first` (a customer's
// identities or open tickets, an interaction's messages).
const listGuess = 10

// itemGuess is the assumed length of lists of these types, read with
// the object that holds them rather than looked up: a message's or a
// note's files (most carry none, few more than one or two). At listGuess
// the desktop could not show the files of a conversation's page of
// messages within the cost limit.
var itemGuess = map[string]int{"Attachment": 2}

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
	switch s.Field {
	case "__schema":
		whole, _ := w.model.schemaSize()
		return mul(mult, whole)
	case "__type":
		_, largest := w.model.schemaSize()
		return mul(mult, largest)
	}
	def := w.model.fieldDef(typeName, s.Field)
	if def == nil {
		return mult // __typename, or unknown: validation will refuse the document
	}
	childMult, childPending := mult, 0
	isList := isListType(def.Type)
	switch {
	case def.Arguments.Get("first") != nil && isList:
		childMult = mul(mult, w.listFirst(s))
	case def.Arguments.Get("first") != nil:
		childPending = w.first(s)
	case isList && pending > 0:
		childMult = mul(mult, pending)
	case isList:
		guess, ok := itemGuess[namedType(def.Type)]
		if !ok {
			guess = listGuess
		}
		childMult = mul(mult, guess)
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

// listFirst is how many items a list field with its own `first` returns:
// maxFirst unless the document asks for fewer.
func (w *costWalk) listFirst(s document.Selection) int {
	n := w.model.maxFirst
	switch {
	case s.FirstSet:
		n = s.First
	case s.FirstVar != "":
		if v, given := w.vars[s.FirstVar]; given {
			if i, ok := intVar(v); ok {
				n = i
			}
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

// schemaSize counts what introspection can return: the whole schema's
// types, fields, arguments, input fields and enum values, and those of
// its largest type.
func (m costModel) schemaSize() (whole, largest int) {
	for _, t := range m.schema.Types {
		n := 1
		switch t := t.(type) {
		case *ast.ObjectTypeDefinition:
			n += fieldsSize(t.Fields)
		case *ast.InterfaceTypeDefinition:
			n += fieldsSize(t.Fields)
		case *ast.InputObject:
			n += len(t.Values)
		case *ast.EnumTypeDefinition:
			n += len(t.EnumValuesDefinition)
		}
		whole, largest = whole+n, max(largest, n)
	}
	return whole, largest
}

func fieldsSize(fields ast.FieldsDefinition) int {
	n := 0
	for _, f := range fields {
		n += 1 + len(f.Arguments)
	}
	return n
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
