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
func NewColumns(t *FactTable) *Columns {
	c := &Columns{Table: t, Ints: make([][]int64, len(t.Columns)), Strs: make([][]string, len(t.Columns))}
	for i, col := range t.Columns {
		if col.Kind == KindInt {
			c.Ints[i] = []int64{}
		} else {
			c.Strs[i] = []string{}
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
