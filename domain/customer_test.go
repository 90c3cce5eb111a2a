package domain_test

import (
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

var (
	phone  = domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138000"}
	phone2 = domain.Identity{Kind: domain.IdentityPhone, Value: "+14155552671"}
	email  = domain.Identity{Kind: domain.IdentityEmail, Value: "foo.bar@example.com"}
	wechat = domain.Identity{Kind: domain.IdentityWeChat, Value: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}
)

func TestDecideCustomer(t *testing.T) {
	registered := events(domain.CustomerRegistered{CustomerID: "c1", DisplayName: "Li Lei", Tier: domain.TierStandard, At: ago(time24h)})
	withPhone := concat(registered, events(domain.IdentityLinked{CustomerID: "c1", Identity: phone, At: ago(time24h)}))
	tagged := concat(registered, events(domain.CustomerTagged{CustomerID: "c1", Tag: "vip-candidate", At: ago(hour)}))
	merged := concat(withPhone, events(domain.CustomerMerged{CustomerID: "c1", TargetID: "c2", Identities: []domain.Identity{phone}, At: ago(hour)}))
	undone := concat(merged, events(domain.CustomerMergeUndone{CustomerID: "c1", TargetID: "c2", At: ago(minute)}))
	absorbed := concat(withPhone, events(domain.CustomerAbsorbed{CustomerID: "c1", SourceID: "c9", Identities: []domain.Identity{email, wechat}, At: ago(hour)}))
	released := concat(absorbed, events(domain.CustomerReleased{CustomerID: "c1", SourceID: "c9", Identities: []domain.Identity{email, wechat}, At: ago(minute)}))

	cases := []decideCase[domain.Customer, domain.CustomerCommand]{
		// RegisterCustomer
		{
			name: "register",
			cmd:  domain.RegisterCustomer{CustomerID: "c1", DisplayName: "  Li Lei  "},
			want: events(domain.CustomerRegistered{CustomerID: "c1", DisplayName: "Li Lei", Tier: domain.TierStandard, At: now}),
			check: func(t *testing.T, c domain.Customer) {
				eq(t, "Registered", c.Registered, true)
				eq(t, "ID", c.ID, "c1")
				eq(t, "DisplayName", c.DisplayName, "Li Lei")
				eq(t, "Tier", c.Tier, domain.TierStandard)
				eq(t, "identities", len(c.Identities), 0)
			},
		},
		{
			name: "register with tier and first identity",
			cmd:  domain.RegisterCustomer{CustomerID: "c1", DisplayName: "李雷", Tier: domain.TierGold, Identity: &phone},
			want: events(
				domain.CustomerRegistered{CustomerID: "c1", DisplayName: "李雷", Tier: domain.TierGold, At: now},
				domain.IdentityLinked{CustomerID: "c1", Identity: phone, At: now},
			),
			check: func(t *testing.T, c domain.Customer) {
				eq(t, "Tier", c.Tier, domain.TierGold)
				eq(t, "HasIdentity(phone)", c.HasIdentity(phone), true)
				deepEq(t, "Identities", c.Identities, []domain.Identity{phone})
			},
		},
		{name: "register with empty display name", cmd: domain.RegisterCustomer{CustomerID: "c1"},
			want: events(domain.CustomerRegistered{CustomerID: "c1", Tier: domain.TierStandard, At: now})},
		{name: "register twice", given: registered, cmd: domain.RegisterCustomer{CustomerID: "c1"}, code: domain.ECONFLICT},
		{name: "register without id", cmd: domain.RegisterCustomer{DisplayName: "x"}, code: domain.EINVALID},
		{name: "register another customer's id on this stream", cmd: domain.RegisterCustomer{CustomerID: "c2"}, code: domain.EINVALID},
		{name: "register unknown tier", cmd: domain.RegisterCustomer{CustomerID: "c1", Tier: "PLATINUM"}, code: domain.EINVALID},
		{name: "register name too long", cmd: domain.RegisterCustomer{CustomerID: "c1", DisplayName: strings.Repeat("名", 201)}, code: domain.EINVALID},
		{name: "register name of 200 runes", cmd: domain.RegisterCustomer{CustomerID: "c1", DisplayName: strings.Repeat("名", 200)},
			want: events(domain.CustomerRegistered{CustomerID: "c1", DisplayName: strings.Repeat("名", 200), Tier: domain.TierStandard, At: now})},
		{name: "register name not UTF-8", cmd: domain.RegisterCustomer{CustomerID: "c1", DisplayName: "Li\xffLei"}, code: domain.EINVALID},
		{name: "register with unnormalised identity", cmd: domain.RegisterCustomer{CustomerID: "c1",
			Identity: &domain.Identity{Kind: domain.IdentityPhone, Value: "+86 138-0013-8000"}}, code: domain.EINVALID},
		{name: "register with invalid identity", cmd: domain.RegisterCustomer{CustomerID: "c1",
			Identity: &domain.Identity{Kind: "FAX", Value: "123"}}, code: domain.EINVALID},

		// Commands on a customer that does not exist.
		{name: "link on unknown customer", cmd: domain.LinkIdentity{Identity: phone}, code: domain.ENOTFOUND},
		{name: "rename unknown customer", cmd: domain.RenameCustomer{DisplayName: "x"}, code: domain.ENOTFOUND},
		{name: "undo merge on unknown customer", cmd: domain.UndoMerge{}, code: domain.ENOTFOUND},
		{name: "nil command", given: registered, cmd: nil, code: domain.EINVALID},

		// LinkIdentity / UnlinkIdentity
		{
			name: "link identity", given: withPhone, cmd: domain.LinkIdentity{Identity: email},
			want: events(domain.IdentityLinked{CustomerID: "c1", Identity: email, At: now}),
			check: func(t *testing.T, c domain.Customer) {
				deepEq(t, "Identities", c.Identities, []domain.Identity{phone, email})
			},
		},
		{name: "link identity already linked", given: withPhone, cmd: domain.LinkIdentity{Identity: phone}},
		{name: "link unnormalised email", given: registered, cmd: domain.LinkIdentity{Identity: domain.Identity{Kind: domain.IdentityEmail, Value: "Foo.Bar@Example.COM"}}, code: domain.EINVALID},
		{name: "link unnormalised phone", given: registered, cmd: domain.LinkIdentity{Identity: domain.Identity{Kind: domain.IdentityPhone, Value: "13800138000"}}, code: domain.EINVALID},
		{name: "link empty identity", given: registered, cmd: domain.LinkIdentity{}, code: domain.EINVALID},
		{
			name: "unlink identity", given: withPhone, cmd: domain.UnlinkIdentity{Identity: phone, Reason: "wrong number"},
			want: events(domain.IdentityUnlinked{CustomerID: "c1", Identity: phone, Reason: "wrong number", At: now}),
			check: func(t *testing.T, c domain.Customer) {
				eq(t, "HasIdentity(phone)", c.HasIdentity(phone), false)
				eq(t, "identities", len(c.Identities), 0)
			},
		},
		{name: "unlink identity not linked", given: withPhone, cmd: domain.UnlinkIdentity{Identity: email}},

		// RenameCustomer
		{
			name: "rename", given: registered, cmd: domain.RenameCustomer{DisplayName: " Han Meimei "},
			want:  events(domain.CustomerRenamed{CustomerID: "c1", DisplayName: "Han Meimei", At: now}),
			check: func(t *testing.T, c domain.Customer) { eq(t, "DisplayName", c.DisplayName, "Han Meimei") },
		},
		{name: "rename to the same name", given: registered, cmd: domain.RenameCustomer{DisplayName: "  Li Lei\t"}},
		{name: "rename too long", given: registered, cmd: domain.RenameCustomer{DisplayName: strings.Repeat("x", 201)}, code: domain.EINVALID},
		{name: "rename not UTF-8", given: registered, cmd: domain.RenameCustomer{DisplayName: "\xc3\x28"}, code: domain.EINVALID},

		// ChangeTier
		{
			name: "change tier", given: registered, cmd: domain.ChangeTier{Tier: domain.TierVIP},
			want:  events(domain.CustomerTierChanged{CustomerID: "c1", From: domain.TierStandard, To: domain.TierVIP, At: now}),
			check: func(t *testing.T, c domain.Customer) { eq(t, "Tier", c.Tier, domain.TierVIP) },
		},
		{name: "change tier to the same tier", given: registered, cmd: domain.ChangeTier{Tier: domain.TierStandard}},
		{name: "change tier unknown", given: registered, cmd: domain.ChangeTier{Tier: "gold"}, code: domain.EINVALID},
		{name: "change tier empty", given: registered, cmd: domain.ChangeTier{}, code: domain.EINVALID},

		// TagCustomer / UntagCustomer
		{
			name: "tag", given: registered, cmd: domain.TagCustomer{Tag: "  complains-often "},
			want:  events(domain.CustomerTagged{CustomerID: "c1", Tag: "complains-often", At: now}),
			check: func(t *testing.T, c domain.Customer) { deepEq(t, "Tags", c.Tags, []string{"complains-often"}) },
		},
		{name: "tag already tagged", given: tagged, cmd: domain.TagCustomer{Tag: "vip-candidate"}},
		{name: "tag of 64 runes", given: registered, cmd: domain.TagCustomer{Tag: strings.Repeat("标", 64)},
			want: events(domain.CustomerTagged{CustomerID: "c1", Tag: strings.Repeat("标", 64), At: now})},
		{name: "tag of 65 runes", given: registered, cmd: domain.TagCustomer{Tag: strings.Repeat("标", 65)}, code: domain.EINVALID},
		{name: "tag blank", given: registered, cmd: domain.TagCustomer{Tag: "  "}, code: domain.EINVALID},
		{name: "tag not UTF-8", given: registered, cmd: domain.TagCustomer{Tag: "a\xffb"}, code: domain.EINVALID},
		{
			name: "untag", given: tagged, cmd: domain.UntagCustomer{Tag: "vip-candidate"},
			want:  events(domain.CustomerUntagged{CustomerID: "c1", Tag: "vip-candidate", At: now}),
			check: func(t *testing.T, c domain.Customer) { eq(t, "tags", len(c.Tags), 0) },
		},
		{name: "untag absent tag", given: tagged, cmd: domain.UntagCustomer{Tag: "other"}},
		{name: "untag blank", given: tagged, cmd: domain.UntagCustomer{Tag: ""}, code: domain.EINVALID},

		// MergeInto / UndoMerge (source side)
		{
			name: "merge into another customer", given: withPhone, cmd: domain.MergeInto{TargetID: "c2", Reason: "same person"},
			want: events(domain.CustomerMerged{CustomerID: "c1", TargetID: "c2", Identities: []domain.Identity{phone}, Reason: "same person", At: now}),
			check: func(t *testing.T, c domain.Customer) {
				eq(t, "MergedInto", c.MergedInto, "c2")
			},
		},
		{name: "merge into itself", given: registered, cmd: domain.MergeInto{TargetID: "c1"}, code: domain.EINVALID},
		{name: "merge into a customer this one absorbed", given: absorbed, cmd: domain.MergeInto{TargetID: "c9"}, code: domain.ECONFLICT},
		{name: "merge into a customer this one absorbed and released", given: released, cmd: domain.MergeInto{TargetID: "c9"},
			want: events(domain.CustomerMerged{CustomerID: "c1", TargetID: "c9", Identities: []domain.Identity{phone}, At: now})},
		{name: "merge without target", given: registered, cmd: domain.MergeInto{}, code: domain.EINVALID},
		{name: "merge retried on the same target", given: merged, cmd: domain.MergeInto{TargetID: "c2"}},
		{name: "merge a merged customer into another target", given: merged, cmd: domain.MergeInto{TargetID: "c3"}, code: domain.ECONFLICT},
		{name: "merged customer refuses links", given: merged, cmd: domain.LinkIdentity{Identity: email}, code: domain.ECONFLICT},
		{name: "merged customer refuses unlinks", given: merged, cmd: domain.UnlinkIdentity{Identity: phone}, code: domain.ECONFLICT},
		{name: "merged customer refuses renames", given: merged, cmd: domain.RenameCustomer{DisplayName: "x"}, code: domain.ECONFLICT},
		{name: "merged customer refuses tier changes", given: merged, cmd: domain.ChangeTier{Tier: domain.TierVIP}, code: domain.ECONFLICT},
		{name: "merged customer refuses tags", given: merged, cmd: domain.TagCustomer{Tag: "x"}, code: domain.ECONFLICT},
		{name: "merged customer refuses absorbing", given: merged, cmd: domain.Absorb{SourceID: "c5"}, code: domain.ECONFLICT},
		{name: "merged customer cannot register again", given: merged, cmd: domain.RegisterCustomer{CustomerID: "c1"}, code: domain.ECONFLICT},
		{
			name: "undo merge", given: merged, cmd: domain.UndoMerge{Reason: "wrong merge"},
			want: events(domain.CustomerMergeUndone{CustomerID: "c1", TargetID: "c2", Reason: "wrong merge", At: now}),
			check: func(t *testing.T, c domain.Customer) {
				eq(t, "MergedInto", c.MergedInto, "")
				eq(t, "HasIdentity(phone)", c.HasIdentity(phone), true)
			},
		},
		{name: "undo merge of a customer not merged", given: registered, cmd: domain.UndoMerge{}, code: domain.ECONFLICT},
		{name: "commands accepted again after undo", given: undone, cmd: domain.RenameCustomer{DisplayName: "Li"},
			want: events(domain.CustomerRenamed{CustomerID: "c1", DisplayName: "Li", At: now})},

		// Absorb / Release (target side)
		{
			name: "absorb", given: withPhone, cmd: domain.Absorb{SourceID: "c9", Identities: []domain.Identity{email, wechat}},
			want: events(domain.CustomerAbsorbed{CustomerID: "c1", SourceID: "c9", Identities: []domain.Identity{email, wechat}, At: now}),
			check: func(t *testing.T, c domain.Customer) {
				deepEq(t, "Identities", c.Identities, []domain.Identity{phone, email, wechat})
				deepEq(t, "Absorbed", c.Absorbed, map[string][]domain.Identity{"c9": {email, wechat}})
			},
		},
		{name: "absorb without identities", given: registered, cmd: domain.Absorb{SourceID: "c9"},
			want: events(domain.CustomerAbsorbed{CustomerID: "c1", SourceID: "c9", At: now})},
		{name: "absorb retried", given: absorbed, cmd: domain.Absorb{SourceID: "c9", Identities: []domain.Identity{email, wechat}}},
		{name: "absorb itself", given: registered, cmd: domain.Absorb{SourceID: "c1"}, code: domain.EINVALID},
		{name: "absorb without source", given: registered, cmd: domain.Absorb{}, code: domain.EINVALID},
		{name: "absorb unnormalised identity", given: registered, cmd: domain.Absorb{SourceID: "c9",
			Identities: []domain.Identity{{Kind: domain.IdentityEmail, Value: "A@B.C"}}}, code: domain.EINVALID},
		{
			name: "release", given: absorbed, cmd: domain.Release{SourceID: "c9"},
			want: events(domain.CustomerReleased{CustomerID: "c1", SourceID: "c9", Identities: []domain.Identity{email, wechat}, At: now}),
			check: func(t *testing.T, c domain.Customer) {
				deepEq(t, "Identities", c.Identities, []domain.Identity{phone})
				eq(t, "absorbed", len(c.Absorbed), 0)
			},
		},
		{name: "release retried", given: released, cmd: domain.Release{SourceID: "c9"}},
		{name: "release of a customer never absorbed", given: registered, cmd: domain.Release{SourceID: "c9"}},
		{name: "absorb again after release", given: released, cmd: domain.Absorb{SourceID: "c9", Identities: []domain.Identity{email}},
			want: events(domain.CustomerAbsorbed{CustomerID: "c1", SourceID: "c9", Identities: []domain.Identity{email}, At: now})},
	}
	runDecide(t, domain.Customer{ID: "c1"}, domain.EvolveCustomer, domain.DecideCustomer, cases)
}

// TestCustomerMergeAndUndo walks a whole merge of c1 into c2 and its undoing
// on both customers' streams and the identity's reservation stream.
func TestCustomerMergeAndUndo(t *testing.T) {
	decide := func(c domain.Customer, cmd domain.CustomerCommand) (domain.Customer, []domain.Event) {
		t.Helper()
		es, err := domain.DecideCustomer(c, cmd, now)
		if err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		return foldAll(c, domain.EvolveCustomer, es), es
	}
	source, _ := decide(domain.Customer{ID: "c1"}, domain.RegisterCustomer{CustomerID: "c1", DisplayName: "Li", Identity: &phone})
	target, _ := decide(domain.Customer{ID: "c2"}, domain.RegisterCustomer{CustomerID: "c2", DisplayName: "Li Lei", Identity: &email})
	reservation := foldAll(domain.IdentityReservation{}, domain.EvolveReservation,
		events(domain.IdentityReserved{Kind: phone.Kind, CustomerID: "c1", At: ago(hour)}))

	// Merge: the source records where it went and what it brought.
	source, es := decide(source, domain.MergeInto{TargetID: "c2"})
	merged := es[0].(domain.CustomerMerged)
	target, _ = decide(target, domain.Absorb{SourceID: "c1", Identities: merged.Identities})
	resEvents, err := domain.DecideReservation(reservation, domain.TransferIdentity{Kind: phone.Kind, From: "c1", To: "c2"}, now)
	if err != nil {
		t.Fatal(err)
	}
	reservation = foldAll(reservation, domain.EvolveReservation, resEvents)

	eq(t, "source.MergedInto", source.MergedInto, "c2")
	deepEq(t, "target.Identities", target.Identities, []domain.Identity{email, phone})
	eq(t, "reservation owner", reservation.Owner, "c2")
	if _, err := domain.DecideCustomer(source, domain.LinkIdentity{Identity: wechat}, now); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("merged source accepted a link: %v", err)
	}
	// Retrying every step of the merge changes nothing.
	for _, step := range []struct {
		c   domain.Customer
		cmd domain.CustomerCommand
	}{{source, domain.MergeInto{TargetID: "c2"}}, {target, domain.Absorb{SourceID: "c1", Identities: merged.Identities}}} {
		if es, err := domain.DecideCustomer(step.c, step.cmd, now); err != nil || len(es) != 0 {
			t.Fatalf("retrying %T: %v %v", step.cmd, es, err)
		}
	}

	// Undo: the source is its own customer again and the target gives the
	// identities back.
	source, _ = decide(source, domain.UndoMerge{Reason: "different people"})
	target, _ = decide(target, domain.Release{SourceID: "c1"})
	resEvents, err = domain.DecideReservation(reservation, domain.TransferIdentity{Kind: phone.Kind, From: "c2", To: "c1"}, now)
	if err != nil {
		t.Fatal(err)
	}
	reservation = foldAll(reservation, domain.EvolveReservation, resEvents)

	eq(t, "source.MergedInto", source.MergedInto, "")
	deepEq(t, "source.Identities", source.Identities, []domain.Identity{phone})
	deepEq(t, "target.Identities", target.Identities, []domain.Identity{email})
	eq(t, "target absorbed", len(target.Absorbed), 0)
	eq(t, "reservation owner", reservation.Owner, "c1")
	if _, err := domain.DecideCustomer(source, domain.LinkIdentity{Identity: wechat}, now); err != nil {
		t.Fatalf("source after undo refused a link: %v", err)
	}
}

// TestEvolveCustomerDoesNotAlias checks that folding an event into a state
// leaves the states returned earlier unchanged (audit shows every prefix).
func TestEvolveCustomerDoesNotAlias(t *testing.T) {
	base := foldAll(domain.Customer{}, domain.EvolveCustomer, events(
		domain.CustomerRegistered{CustomerID: "c1", Tier: domain.TierStandard},
		domain.IdentityLinked{CustomerID: "c1", Identity: phone},
		domain.IdentityLinked{CustomerID: "c1", Identity: email},
		domain.CustomerTagged{CustomerID: "c1", Tag: "a"},
		domain.CustomerTagged{CustomerID: "c1", Tag: "b"},
		domain.CustomerAbsorbed{CustomerID: "c1", SourceID: "c9", Identities: []domain.Identity{wechat}},
	))
	snapshot := func(c domain.Customer) string {
		return strings.Join([]string{identities(c.Identities), strings.Join(c.Tags, ","), identities(c.Absorbed["c9"])}, "|")
	}
	before := snapshot(base)
	for _, e := range events(
		domain.IdentityLinked{CustomerID: "c1", Identity: phone2},
		domain.IdentityUnlinked{CustomerID: "c1", Identity: phone},
		domain.CustomerTagged{CustomerID: "c1", Tag: "c"},
		domain.CustomerUntagged{CustomerID: "c1", Tag: "a"},
		domain.CustomerReleased{CustomerID: "c1", SourceID: "c9", Identities: []domain.Identity{wechat}},
		domain.CustomerAbsorbed{CustomerID: "c1", SourceID: "c8", Identities: []domain.Identity{phone2}},
	) {
		_ = domain.EvolveCustomer(base, e)
		if after := snapshot(base); after != before {
			t.Fatalf("folding %s changed the earlier state: %s -> %s", e.EventType(), before, after)
		}
	}
}

func identities(ids []domain.Identity) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(id.String() + ";")
	}
	return b.String()
}
