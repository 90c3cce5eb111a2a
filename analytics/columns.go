package analytics

import "fmt"

// Columns holds rows of one fact table column by column: what ClickHouse's
// native protocol carries, and, for the event rows the sink writes by the
// million, far fewer allocations than a slice of values per row.
type Columns struct {
	Table *FactTable
	// Ints[i] holds column i when it is an integer column, Strs[i] when
	// it is a string column; the other is nil.
	Ints [][]int64
	Strs [][]string
	n    int
}

// NewColumns returns empty columns for t.
func NewColumns(t *FactTable) *Columns { return NewColumnsCap(t, 0) }

// NewColumnsCap returns empty columns for t with room for capacity rows.
func NewColumnsCap(t *FactTable, capacity int) *Columns {
	c := &Columns{Table: t, Ints: make([][]int64, len(t.Columns)), Strs: make([][]string, len(t.Columns))}
	for i, col := range t.Columns {
		if col.Kind == KindInt {
			c.Ints[i] = make([]int64, 0, capacity)
		} else {
			c.Strs[i] = make([]string, 0, capacity)
		}
	}
	return c
}

// Len is the number of rows.
func (c *Columns) Len() int { return c.n }

// Append adds one row; values are int64 or string, in column order.
func (c *Columns) Append(values ...any) {
	if len(values) != len(c.Table.Columns) {
		panic(fmt.Sprintf("%s: %d values for %d columns", c.Table.Name, len(values), len(c.Table.Columns)))
	}
	for i, v := range values {
		if c.Ints[i] != nil {
			c.Ints[i] = append(c.Ints[i], v.(int64))
		} else {
			c.Strs[i] = append(c.Strs[i], v.(string))
		}
	}
	c.n++
}

// Value returns the value of column col in row row.
func (c *Columns) Value(col, row int) any {
	if c.Ints[col] != nil {
		return c.Ints[col][row]
	}
	return c.Strs[col][row]
}

// Row starts appending one row value by value, in column order, without
// boxing the values: Row().S(id).I(at)...End().
func (c *Columns) Row() RowWriter { return RowWriter{c: c} }

// RowWriter appends the values of one row; see Columns.Row.
type RowWriter struct {
	c *Columns
	i int
}

// S appends the next column's value, a string column's.
func (w RowWriter) S(v string) RowWriter {
	if w.c.Strs[w.i] == nil {
		panic(fmt.Sprintf("%s: column %d is not a string column", w.c.Table.Name, w.i))
	}
	w.c.Strs[w.i] = append(w.c.Strs[w.i], v)
	w.i++
	return w
}

// I appends the next column's value, an integer column's.
func (w RowWriter) I(v int64) RowWriter {
	if w.c.Ints[w.i] == nil {
		panic(fmt.Sprintf("%s: column %d is not an integer column", w.c.Table.Name, w.i))
	}
	w.c.Ints[w.i] = append(w.c.Ints[w.i], v)
	w.i++
	return w
}

// End completes the row.
func (w RowWriter) End() {
	if w.i != len(w.c.Table.Columns) {
		panic(fmt.Sprintf("%s: row of %d values for %d columns", w.c.Table.Name, w.i, len(w.c.Table.Columns)))
	}
	w.c.n++
}
