package projections

import (
	"path/filepath"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

var (
	phone1  = domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138000"}
	email1  = domain.Identity{Kind: domain.IdentityEmail, Value: "ann@example.com"}
	wechat2 = domain.Identity{Kind: domain.IdentityWeChat, Value: "oABCdef123"}
	phone2  = domain.Identity{Kind: domain.IdentityPhone, Value: "+8613900139000"}
)

func registered(id, name string, ids ...domain.Identity) []domain.Event {
	events := []domain.Event{domain.CustomerRegistered{CustomerID: id, DisplayName: name, Tier: domain.TierStandard, At: at(0)}}
	for _, ident := range ids {
		events = append(events, domain.IdentityLinked{CustomerID: id, Identity: ident, At: at(0)})
	}
	return events
}

// merge is what the commands write for merging source into target.
func merge(source, target string, ids ...domain.Identity) []domain.Event {
	return []domain.Event{
		domain.CustomerMerged{CustomerID: source, TargetID: target, Identities: ids, At: at(60)},
		domain.CustomerAbsorbed{CustomerID: target, SourceID: source, Identities: ids, At: at(60)},
	}
}

func undoMerge(source, target string, ids ...domain.Identity) []domain.Event {
	return []domain.Event{
		domain.CustomerMergeUndone{CustomerID: source, TargetID: target, Reason: "wrong merge", At: at(90)},
		domain.CustomerReleased{CustomerID: target, SourceID: source, Identities: ids, At: at(90)},
	}
}

func concat(lists ...[]domain.Event) []domain.Event {
	var out []domain.Event
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func TestIdentityIndex(t *testing.T) {
	tests := []struct {
		name   string
		events []domain.Event
		want   map[domain.Identity]string // "" means not found
	}{
		{
			name:   "linked identities find their customer",
			events: concat(registered("c1", "Ann", phone1, email1), registered("c2", "Bo", wechat2)),
			want:   map[domain.Identity]string{phone1: "c1", email1: "c1", wechat2: "c2", phone2: ""},
		},
		{
			name: "unlinking removes the identity",
			events: concat(registered("c1", "Ann", phone1, email1),
				[]domain.Event{domain.IdentityUnlinked{CustomerID: "c1", Identity: email1, At: at(5)}}),
			want: map[domain.Identity]string{phone1: "c1", email1: ""},
		},
		{
			name: "an unlink by a customer who no longer holds it changes nothing",
			events: concat(registered("c1", "Ann", phone1), registered("c2", "Bo"),
				[]domain.Event{
					domain.IdentityLinked{CustomerID: "c2", Identity: phone1, At: at(5)}, // corrected link
					domain.IdentityUnlinked{CustomerID: "c1", Identity: phone1, At: at(6)},
				}),
			want: map[domain.Identity]string{phone1: "c2"},
		},
		{
			name:   "a merge moves the source's identities to the target",
			events: concat(registered("c1", "Ann", phone1, email1), registered("c2", "Ann Lee", wechat2), merge("c1", "c2", phone1, email1)),
			want:   map[domain.Identity]string{phone1: "c2", email1: "c2", wechat2: "c2"},
		},
		{
			name: "undoing the merge moves them back",
			events: concat(registered("c1", "Ann", phone1, email1), registered("c2", "Ann Lee", wechat2),
				merge("c1", "c2", phone1, email1), undoMerge("c1", "c2", phone1, email1)),
			want: map[domain.Identity]string{phone1: "c1", email1: "c1", wechat2: "c2"},
		},
		{
			// The target unlinks one of the source's phones while merged
			// (its reservation is released): undoing the merge gives the
			// source back only what the target still holds of it.
			name: "undoing a merge does not give back an identity unlinked meanwhile",
			events: concat(registered("c1", "Ann", phone1, phone2), registered("c2", "Ann Lee", wechat2),
				merge("c1", "c2", phone1, phone2),
				[]domain.Event{domain.IdentityUnlinked{CustomerID: "c2", Identity: phone2, At: at(70)}},
				undoMerge("c1", "c2", phone1, phone2)),
			want: map[domain.Identity]string{phone1: "c1", phone2: "", wechat2: "c2"},
		},
		{
			name: "undoing a merge leaves an identity relinked meanwhile with its new holder",
			events: concat(registered("c1", "Ann", phone1, phone2), registered("c2", "Ann Lee"), registered("c3", "Bo"),
				merge("c1", "c2", phone1, phone2),
				[]domain.Event{
					domain.IdentityUnlinked{CustomerID: "c2", Identity: phone2, At: at(70)},
					domain.IdentityLinked{CustomerID: "c3", Identity: phone2, At: at(71)},
				},
				undoMerge("c1", "c2", phone1, phone2)),
			want: map[domain.Identity]string{phone1: "c1", phone2: "c3"},
		},
		{
			name: "a merge chain ends at the last target",
			events: concat(registered("c1", "Ann", phone1), registered("c2", "Ann Lee", email1), registered("c3", "A. Lee", wechat2),
				merge("c1", "c2", phone1), merge("c2", "c3", phone1, email1)),
			want: map[domain.Identity]string{phone1: "c3", email1: "c3", wechat2: "c3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			r := h.start(h.db)
			h.emit(r, tt.events...)
			for ident, want := range tt.want {
				got, found, err := h.db.CustomerByIdentity(h.ctx, ident)
				if err != nil {
					t.Fatal(err)
				}
				if found != (want != "") || got != want {
					t.Errorf("CustomerByIdentity(%s) = %q, %v; want %q", ident, got, found, want)
				}
			}
		})
	}
}

func TestCustomerByIdentityNormalises(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	h.emit(r, registered("c1", "Ann", phone1, email1)...)
	for _, typed := range []domain.Identity{
		{Kind: domain.IdentityPhone, Value: "138 0013 8000"},
		{Kind: domain.IdentityPhone, Value: "+86 138-0013-8000"},
		{Kind: domain.IdentityEmail, Value: "Ann@Example.com"},
	} {
		if got, found, err := h.db.CustomerByIdentity(h.ctx, typed); err != nil || !found || got != "c1" {
			t.Errorf("CustomerByIdentity(%s) = %q, %v, %v; want c1", typed, got, found, err)
		}
	}
}

func TestLookupsUseTheConfiguredCallingCode(t *testing.T) {
	h := newHarness(t)
	db, err := OpenReadDB(h.ctx, filepath.Join(h.dir, "us.db"), WithCallingCode("1"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	us := domain.Identity{Kind: domain.IdentityPhone, Value: "+14155552671"}
	r := h.start(db)
	h.emit(r, registered("c1", "Ann", us)...)
	national := domain.Identity{Kind: domain.IdentityPhone, Value: "(415) 555-2671"}
	if got, found, err := db.CustomerByIdentity(h.ctx, national); err != nil || !found || got != "c1" {
		t.Errorf("CustomerByIdentity(%s) with calling code 1 = %q, %v, %v; want c1", national, got, found, err)
	}
	page, err := db.Customers(h.ctx, "415 555 2671", 10, "")
	if err != nil || len(page.Customers) != 1 {
		t.Fatalf("Customers(national number) = %+v, %v; want c1", page, err)
	}
	// The default (86) would read the same digits as a Chinese number.
	if _, found, _ := h.db.CustomerByIdentity(h.ctx, national); found {
		t.Error("a read DB with the default calling code found a US national number")
	}
}
