package domain

import (
	"slices"
	"sort"
	"time"
)

// CustomerErased records that a customer's personal data was erased at
// their request (PIPL art. 47, GDPR art. 17): the data keys of the
// customer and of every customer merged into them (Sources) were
// destroyed, so their personal fields read as ErasedText everywhere, and
// their identities were released for reuse. The events stay, so the
// ledger's hashes, counts and reports do too.
type CustomerErased struct {
	CustomerID string   `json:"customerId"`
	Sources    []string `json:"sources,omitempty"`
	// Identities is how many identities were released.
	Identities int       `json:"identities"`
	Reason     string    `json:"reason"`
	ErasedBy   string    `json:"erasedBy,omitempty"`
	At         time.Time `json:"at"`
}

func (CustomerErased) EventType() string { return "CustomerErased" }

func init() { register[CustomerErased]() }

// CustomerErasureStarted freezes a customer that is being erased: until
// CustomerErased it takes no command but the erasure itself, so no link
// or merge can widen what the erasure has to release and destroy after it
// decided that.
type CustomerErasureStarted struct {
	CustomerID string    `json:"customerId"`
	At         time.Time `json:"at"`
}

func (CustomerErasureStarted) EventType() string { return "CustomerErasureStarted" }

func init() { register[CustomerErasureStarted]() }

// StartErasure freezes the customer (CustomerErasureStarted).
type StartErasure struct{}

func (StartErasure) customerCommand() {}

// EraseCustomer erases a customer (see CustomerErased). The caller begins
// the erasure, releases the identities and destroys the keys first; the
// event records what it did: the customers merged in whose keys it
// destroyed (Sources) and how many identities it released.
type EraseCustomer struct {
	Reason     string
	ErasedBy   string
	Sources    []string
	Identities int
}

func (EraseCustomer) customerCommand() {}

// AbsorbedSources lists, sorted, the customers merged into c directly;
// an erasure of c destroys their keys too, and those of the customers
// merged into them.
func (c Customer) AbsorbedSources() []string {
	ids := make([]string, 0, len(c.Absorbed))
	for source := range c.Absorbed {
		ids = append(ids, source)
	}
	sort.Strings(ids)
	return ids
}

// decideErasing is DecideCustomer for a customer whose erasure has begun.
func decideErasing(c Customer, cmd CustomerCommand, now time.Time) ([]Event, error) {
	switch cmd := cmd.(type) {
	case StartErasure:
		return nil, nil
	case EraseCustomer:
		return decideErase(c, cmd, now)
	}
	return nil, conflict("customer %s is being erased: finish the erasure (ledger erase)", c.ID)
}

func decideStartErasure(c Customer, now time.Time) ([]Event, error) {
	return []Event{CustomerErasureStarted{CustomerID: c.ID, At: now}}, nil
}

func decideErase(c Customer, cmd EraseCustomer, now time.Time) ([]Event, error) {
	reason, err := cleanText(cmd.Reason, "reason", 1024, false)
	if err != nil {
		return nil, err
	}
	if cmd.Identities < 0 || slices.Contains(cmd.Sources, c.ID) || slices.Contains(cmd.Sources, "") {
		return nil, invalid("an erasure names the customers merged in and a count of identities")
	}
	sources := slices.Clone(cmd.Sources)
	sort.Strings(sources)
	return []Event{CustomerErased{
		CustomerID: c.ID, Sources: slices.Compact(sources), Identities: cmd.Identities,
		Reason: reason, ErasedBy: cmd.ErasedBy, At: now,
	}}, nil
}

// evolveErased leaves an erased customer with nothing personal: no name,
// no identities, nothing that could undo a merge.
func evolveErased(c Customer) Customer {
	c.Erased, c.Erasing = true, false
	c.DisplayName = ErasedText
	c.Identities = nil
	c.Absorbed = nil
	return c
}
