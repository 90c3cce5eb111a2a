package domain

import (
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

// EraseCustomer erases a customer (see CustomerErased). The caller
// releases the identities and destroys the keys first; the event records
// that it is done.
type EraseCustomer struct {
	Reason   string
	ErasedBy string
}

func (EraseCustomer) customerCommand() {}

// ErasedCustomers lists the customers whose data keys an erasure of c
// destroys: c and the customers merged into it.
func (c Customer) ErasedCustomers() []string {
	ids := []string{c.ID}
	for source := range c.Absorbed {
		ids = append(ids, source)
	}
	sort.Strings(ids[1:])
	return ids
}

func decideErase(c Customer, cmd EraseCustomer, now time.Time) ([]Event, error) {
	reason, err := cleanText(cmd.Reason, "reason", 1024, false)
	if err != nil {
		return nil, err
	}
	ids := c.ErasedCustomers()
	return []Event{CustomerErased{
		CustomerID: c.ID, Sources: ids[1:], Identities: len(c.Identities),
		Reason: reason, ErasedBy: cmd.ErasedBy, At: now,
	}}, nil
}

// evolveErased leaves an erased customer with nothing personal: no name,
// no identities, nothing that could undo a merge.
func evolveErased(c Customer) Customer {
	c.Erased = true
	c.DisplayName = ErasedText
	c.Identities = nil
	c.Absorbed = nil
	return c
}
