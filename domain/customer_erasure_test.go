package domain_test

import (
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func TestDecideCustomerErasure(t *testing.T) {
	registered := events(
		domain.CustomerRegistered{CustomerID: "c1", DisplayName: "Li Lei", Tier: domain.TierStandard, At: ago(time24h)},
		domain.IdentityLinked{CustomerID: "c1", Identity: phone, At: ago(time24h)},
	)
	absorbed := concat(registered, events(domain.CustomerAbsorbed{CustomerID: "c1", SourceID: "c9", Identities: []domain.Identity{email}, At: ago(hour)}))
	started := concat(absorbed, events(domain.CustomerErasureStarted{CustomerID: "c1", At: ago(minute)}))
	erased := concat(started, events(domain.CustomerErased{CustomerID: "c1", Sources: []string{"c9"}, Identities: 2, Reason: "request", At: ago(minute)}))
	merged := concat(registered, events(domain.CustomerMerged{CustomerID: "c1", TargetID: "c2", Identities: []domain.Identity{phone}, At: ago(hour)}))

	cases := []decideCase[domain.Customer, domain.CustomerCommand]{
		{
			name: "start", given: absorbed, cmd: domain.StartErasure{},
			want: events(domain.CustomerErasureStarted{CustomerID: "c1", At: now}),
			check: func(t *testing.T, c domain.Customer) {
				eq(t, "Erasing", c.Erasing, true)
				eq(t, "DisplayName", c.DisplayName, "Li Lei")
			},
		},
		{name: "start again", given: started, cmd: domain.StartErasure{}},
		{name: "start on a merged customer", given: merged, cmd: domain.StartErasure{}, code: domain.ECONFLICT},
		{name: "start on an erased customer", given: erased, cmd: domain.StartErasure{}},
		{name: "link while erasing", given: started, cmd: domain.LinkIdentity{Identity: phone2}, code: domain.ECONFLICT},
		{name: "absorb while erasing", given: started, cmd: domain.Absorb{SourceID: "c3", Identities: []domain.Identity{phone2}}, code: domain.ECONFLICT},
		{name: "merge away while erasing", given: started, cmd: domain.MergeInto{TargetID: "c3"}, code: domain.ECONFLICT},
		{name: "release while erasing", given: started, cmd: domain.Release{SourceID: "c9"}, code: domain.ECONFLICT},
		{name: "rename while erasing", given: started, cmd: domain.RenameCustomer{DisplayName: "x"}, code: domain.ECONFLICT},
		{
			// The event records what the flow destroyed, which may reach
			// further than this customer's own state (merges of merges).
			name: "erase records the scope it is given", given: started,
			cmd:  domain.EraseCustomer{Reason: " request 7 ", ErasedBy: "dpo", Sources: []string{"c9", "c4", "c9"}, Identities: 3},
			want: events(domain.CustomerErased{CustomerID: "c1", Sources: []string{"c4", "c9"}, Identities: 3, Reason: "request 7", ErasedBy: "dpo", At: now}),
			check: func(t *testing.T, c domain.Customer) {
				eq(t, "Erased", c.Erased, true)
				eq(t, "Erasing", c.Erasing, false)
				eq(t, "DisplayName", c.DisplayName, domain.ErasedText)
				eq(t, "identities", len(c.Identities), 0)
				eq(t, "absorbed", len(c.Absorbed), 0)
			},
		},
		{name: "erase without a reason", given: started, cmd: domain.EraseCustomer{Sources: []string{"c9"}}, code: domain.EINVALID},
		{name: "erase naming itself as a source", given: started, cmd: domain.EraseCustomer{Reason: "r", Sources: []string{"c1"}}, code: domain.EINVALID},
		{name: "erase with a negative count", given: started, cmd: domain.EraseCustomer{Reason: "r", Identities: -1}, code: domain.EINVALID},
		{name: "erase again", given: erased, cmd: domain.EraseCustomer{Reason: "request"}},
		{name: "erase a merged customer", given: merged, cmd: domain.EraseCustomer{Reason: "request"}, code: domain.ECONFLICT},
		{name: "rename an erased customer", given: erased, cmd: domain.RenameCustomer{DisplayName: "x"}, code: domain.ECONFLICT},
	}
	runDecide(t, domain.Customer{}, domain.EvolveCustomer, domain.DecideCustomer, cases)
}

func TestAbsorbedSources(t *testing.T) {
	c := domain.Customer{ID: "c1", Absorbed: map[string][]domain.Identity{"c9": nil, "c3": {phone}, "c5": nil}}
	deepEq(t, "AbsorbedSources", c.AbsorbedSources(), []string{"c3", "c5", "c9"})
	deepEq(t, "none", domain.Customer{ID: "c2"}.AbsorbedSources(), []string{})
}
