package projections

import (
	"encoding/base64"
	"encoding/json"

	"github.com/interactionledger/ledger/domain"
)

// cursor is the position of a row in a keyset-paginated list: the sort key
// of the last row returned (Num or Str) and its unique tie-breaker (ID or
// Pos). It travels as opaque base64 JSON; Kind names the list and its order,
// so a cursor from one list or order is refused by another.
type cursor struct {
	Kind string `json:"k"`
	Num  int64  `json:"n,omitempty"`
	Str  string `json:"s,omitempty"`
	ID   string `json:"i,omitempty"`
	Pos  int64  `json:"p,omitempty"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c) // cannot fail: plain fields
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses after; "" means "from the start" and yields ok=false.
func decodeCursor(after, kind string) (c cursor, ok bool, err error) {
	if after == "" {
		return c, false, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(after)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Kind != kind {
		return c, false, domain.Errorf(domain.EINVALID, "invalid cursor %q for this list", after)
	}
	return c, true, nil
}

// Page sizes.
const (
	DefaultPageSize = 20
	MaxPageSize     = 500
)

func pageSize(first int) int {
	switch {
	case first <= 0:
		return DefaultPageSize
	case first > MaxPageSize:
		return MaxPageSize
	}
	return first
}
