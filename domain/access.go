package domain

import "time"

// CategoryAccess holds the access ledger: who read customers' personal
// data through the API, a stream per day.
const CategoryAccess = "access"

// AccessStream names the access ledger's stream of the day of at (UTC).
func AccessStream(at time.Time) string { return CategoryAccess + "-" + at.UTC().Format("20060102") }

// DataAccess is one read of customers' personal data: who (subject and
// role), whose (the customers), which fields, by which operation, from
// where, when, and whether the reader saw it masked.
type DataAccess struct {
	Subject     string    `json:"subject"`
	Role        string    `json:"role"`
	CustomerIDs []string  `json:"customerIds"`
	Fields      []string  `json:"fields"`
	Operation   string    `json:"operation"`
	Masked      bool      `json:"masked"`
	ClientAddr  string    `json:"clientAddr,omitempty"`
	At          time.Time `json:"at"`
}

// CustomerDataAccessed records a batch of reads of customers' personal
// data (PIPL art. 45, GDPR art. 15: a customer may ask who saw their
// data). Reads are recorded in batches, so that the access ledger costs
// one append for many reads.
type CustomerDataAccessed struct {
	Accesses []DataAccess `json:"accesses"`
}

func (CustomerDataAccessed) EventType() string { return "CustomerDataAccessed" }

func init() { register[CustomerDataAccessed]() }
