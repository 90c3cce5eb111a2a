package domain

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Customer is the state of one customer, folded from customer-<id>.
type Customer struct {
	ID          string
	Registered  bool
	DisplayName string
	Tier        Tier
	Tags        []string
	Identities  []Identity
	// MergedInto is set once the customer was merged into another one;
	// the merged customer takes no further commands until the merge is
	// undone.
	MergedInto string
	// Absorbed lists customers merged into this one and the identities each
	// brought, so a merge can be undone.
	Absorbed map[string][]Identity
	// Erasing is set while the customer is being erased
	// (CustomerErasureStarted): it takes no command but the erasure.
	Erasing bool
	// Erased is set once the customer's personal data was erased; an
	// erased customer takes no further commands.
	Erased bool
}

// HasIdentity reports whether the customer holds id.
func (c Customer) HasIdentity(id Identity) bool { return slices.Contains(c.Identities, id) }

// Customer events.
type (
	// CustomerRegistered starts a customer.
	CustomerRegistered struct {
		CustomerID  string    `json:"customerId"`
		DisplayName string    `json:"displayName"`
		Tier        Tier      `json:"tier"`
		At          time.Time `json:"at"`
	}
	// IdentityLinked attaches a handle to a customer.
	IdentityLinked struct {
		CustomerID string    `json:"customerId"`
		Identity   Identity  `json:"identity"`
		At         time.Time `json:"at"`
	}
	// IdentityUnlinked detaches a handle from a customer.
	IdentityUnlinked struct {
		CustomerID string    `json:"customerId"`
		Identity   Identity  `json:"identity"`
		Reason     string    `json:"reason,omitempty"`
		At         time.Time `json:"at"`
	}
	// CustomerRenamed changes the display name.
	CustomerRenamed struct {
		CustomerID  string    `json:"customerId"`
		DisplayName string    `json:"displayName"`
		At          time.Time `json:"at"`
	}
	// CustomerTierChanged moves a customer to another tier.
	CustomerTierChanged struct {
		CustomerID string    `json:"customerId"`
		From       Tier      `json:"from"`
		To         Tier      `json:"to"`
		At         time.Time `json:"at"`
	}
	// CustomerTagged adds a tag.
	CustomerTagged struct {
		CustomerID string    `json:"customerId"`
		Tag        string    `json:"tag"`
		At         time.Time `json:"at"`
	}
	// CustomerUntagged removes a tag.
	CustomerUntagged struct {
		CustomerID string    `json:"customerId"`
		Tag        string    `json:"tag"`
		At         time.Time `json:"at"`
	}
	// CustomerMerged is recorded on the source customer: it now lives on
	// as part of TargetID.
	CustomerMerged struct {
		CustomerID string     `json:"customerId"`
		TargetID   string     `json:"targetId"`
		Identities []Identity `json:"identities"`
		Reason     string     `json:"reason,omitempty"`
		At         time.Time  `json:"at"`
	}
	// CustomerAbsorbed is recorded on the target customer of a merge.
	CustomerAbsorbed struct {
		CustomerID string     `json:"customerId"`
		SourceID   string     `json:"sourceId"`
		Identities []Identity `json:"identities"`
		At         time.Time  `json:"at"`
	}
	// CustomerMergeUndone is recorded on the source customer when a wrong
	// merge is reverted: it becomes a customer of its own again.
	CustomerMergeUndone struct {
		CustomerID string    `json:"customerId"`
		TargetID   string    `json:"targetId"`
		Reason     string    `json:"reason,omitempty"`
		At         time.Time `json:"at"`
	}
	// CustomerReleased is recorded on the target customer when a merge is
	// undone: the source's identities leave it.
	CustomerReleased struct {
		CustomerID string     `json:"customerId"`
		SourceID   string     `json:"sourceId"`
		Identities []Identity `json:"identities"`
		At         time.Time  `json:"at"`
	}
)

func (CustomerRegistered) EventType() string  { return "CustomerRegistered" }
func (IdentityLinked) EventType() string      { return "IdentityLinked" }
func (IdentityUnlinked) EventType() string    { return "IdentityUnlinked" }
func (CustomerRenamed) EventType() string     { return "CustomerRenamed" }
func (CustomerTierChanged) EventType() string { return "CustomerTierChanged" }
func (CustomerTagged) EventType() string      { return "CustomerTagged" }
func (CustomerUntagged) EventType() string    { return "CustomerUntagged" }
func (CustomerMerged) EventType() string      { return "CustomerMerged" }
func (CustomerAbsorbed) EventType() string    { return "CustomerAbsorbed" }
func (CustomerMergeUndone) EventType() string { return "CustomerMergeUndone" }
func (CustomerReleased) EventType() string    { return "CustomerReleased" }

func init() {
	register[CustomerRegistered]()
	register[IdentityLinked]()
	register[IdentityUnlinked]()
	register[CustomerRenamed]()
	register[CustomerTierChanged]()
	register[CustomerTagged]()
	register[CustomerUntagged]()
	register[CustomerMerged]()
	register[CustomerAbsorbed]()
	register[CustomerMergeUndone]()
	register[CustomerReleased]()
}

// CustomerCommand is a request to change a customer.
type CustomerCommand interface{ customerCommand() }

// Customer commands. Identities must already be normalised
// (NormalizeIdentity); Decide rejects values that are not.
type (
	// RegisterCustomer creates a customer, optionally with a first identity.
	RegisterCustomer struct {
		CustomerID  string
		DisplayName string
		Tier        Tier
		Identity    *Identity
	}
	// LinkIdentity attaches an identity.
	LinkIdentity struct{ Identity Identity }
	// UnlinkIdentity detaches an identity.
	UnlinkIdentity struct {
		Identity Identity
		Reason   string
	}
	// RenameCustomer changes the display name.
	RenameCustomer struct{ DisplayName string }
	// ChangeTier moves the customer to another tier.
	ChangeTier struct{ Tier Tier }
	// TagCustomer adds a tag.
	TagCustomer struct{ Tag string }
	// UntagCustomer removes a tag.
	UntagCustomer struct{ Tag string }
	// MergeInto marks this (source) customer as merged into TargetID.
	MergeInto struct {
		TargetID string
		Reason   string
	}
	// Absorb records on the target that SourceID and its identities joined.
	Absorb struct {
		SourceID   string
		Identities []Identity
	}
	// UndoMerge reverts this (source) customer's merge.
	UndoMerge struct{ Reason string }
	// Release records on the target that SourceID left again.
	Release struct{ SourceID string }
)

func (RegisterCustomer) customerCommand() {}
func (LinkIdentity) customerCommand()     {}
func (UnlinkIdentity) customerCommand()   {}
func (RenameCustomer) customerCommand()   {}
func (ChangeTier) customerCommand()       {}
func (TagCustomer) customerCommand()      {}
func (UntagCustomer) customerCommand()    {}
func (MergeInto) customerCommand()        {}
func (Absorb) customerCommand()           {}
func (UndoMerge) customerCommand()        {}
func (Release) customerCommand()          {}

// DecideCustomer decides which events a command produces on customer c.
// A command that would change nothing (linking an identity already linked)
// yields no events, so retries are harmless.
func DecideCustomer(c Customer, cmd CustomerCommand, now time.Time) ([]Event, error) {
	if reg, ok := cmd.(RegisterCustomer); ok {
		return decideRegisterCustomer(c, reg, now)
	}
	if !c.Registered {
		return nil, notFound("customer %s does not exist", c.ID)
	}
	if c.Erased {
		switch cmd.(type) {
		case StartErasure, EraseCustomer:
			return nil, nil // a retried erasure changes nothing
		}
		return nil, conflict("customer %s was erased", c.ID)
	}
	if c.Erasing {
		return decideErasing(c, cmd, now)
	}
	if c.MergedInto != "" {
		switch cmd.(type) {
		case EraseCustomer, StartErasure:
			return nil, conflict("customer %s was merged into %s: erase that customer", c.ID, c.MergedInto)
		}
		if undo, ok := cmd.(UndoMerge); ok {
			return []Event{CustomerMergeUndone{CustomerID: c.ID, TargetID: c.MergedInto, Reason: undo.Reason, At: now}}, nil
		}
		if merge, ok := cmd.(MergeInto); ok && merge.TargetID == c.MergedInto {
			return nil, nil // a retried merge changes nothing
		}
		return nil, conflict("customer %s was merged into %s", c.ID, c.MergedInto)
	}
	switch cmd := cmd.(type) {
	case LinkIdentity:
		return decideLinkIdentity(c, cmd.Identity, now)
	case UnlinkIdentity:
		if !c.HasIdentity(cmd.Identity) {
			return nil, nil
		}
		return []Event{IdentityUnlinked{CustomerID: c.ID, Identity: cmd.Identity, Reason: cmd.Reason, At: now}}, nil
	case RenameCustomer:
		return decideRename(c, cmd.DisplayName, now)
	case ChangeTier:
		return decideChangeTier(c, cmd.Tier, now)
	case TagCustomer:
		return decideTag(c, cmd.Tag, true, now)
	case UntagCustomer:
		return decideTag(c, cmd.Tag, false, now)
	case MergeInto:
		return decideMergeInto(c, cmd, now)
	case Absorb:
		return decideAbsorb(c, cmd, now)
	case UndoMerge:
		return nil, conflict("customer %s is not merged into another customer", c.ID)
	case Release:
		return decideRelease(c, cmd, now)
	case StartErasure:
		return decideStartErasure(c, now)
	case EraseCustomer:
		return decideErase(c, cmd, now)
	default:
		return nil, invalid("unknown customer command %T", cmd)
	}
}

func decideRegisterCustomer(c Customer, cmd RegisterCustomer, now time.Time) ([]Event, error) {
	if c.Registered {
		return nil, conflict("customer %s already exists", c.ID)
	}
	if cmd.CustomerID == "" {
		return nil, invalid("customer id is required")
	}
	if err := sameID("customer", c.ID, cmd.CustomerID); err != nil {
		return nil, err
	}
	tier := cmd.Tier
	if tier == "" {
		tier = TierStandard
	}
	if !tier.Valid() {
		return nil, invalid("unknown tier %q", cmd.Tier)
	}
	name, err := cleanDisplayName(cmd.DisplayName)
	if err != nil {
		return nil, err
	}
	events := []Event{CustomerRegistered{CustomerID: cmd.CustomerID, DisplayName: name, Tier: tier, At: now}}
	if cmd.Identity != nil {
		if err := requireNormalized(*cmd.Identity); err != nil {
			return nil, err
		}
		events = append(events, IdentityLinked{CustomerID: cmd.CustomerID, Identity: *cmd.Identity, At: now})
	}
	return events, nil
}

func decideLinkIdentity(c Customer, id Identity, now time.Time) ([]Event, error) {
	if err := requireNormalized(id); err != nil {
		return nil, err
	}
	if c.HasIdentity(id) {
		return nil, nil
	}
	return []Event{IdentityLinked{CustomerID: c.ID, Identity: id, At: now}}, nil
}

func decideRename(c Customer, displayName string, now time.Time) ([]Event, error) {
	name, err := cleanDisplayName(displayName)
	if err != nil {
		return nil, err
	}
	if name == c.DisplayName {
		return nil, nil
	}
	return []Event{CustomerRenamed{CustomerID: c.ID, DisplayName: name, At: now}}, nil
}

func decideChangeTier(c Customer, tier Tier, now time.Time) ([]Event, error) {
	if !tier.Valid() {
		return nil, invalid("unknown tier %q", tier)
	}
	if tier == c.Tier {
		return nil, nil
	}
	return []Event{CustomerTierChanged{CustomerID: c.ID, From: c.Tier, To: tier, At: now}}, nil
}

func decideTag(c Customer, tag string, add bool, now time.Time) ([]Event, error) {
	tag = strings.TrimSpace(tag)
	if tag == "" || utf8.RuneCountInString(tag) > 64 || !utf8.ValidString(tag) {
		return nil, invalid("a tag must be 1 to 64 characters of valid UTF-8")
	}
	has := slices.Contains(c.Tags, tag)
	switch {
	case add && !has:
		return []Event{CustomerTagged{CustomerID: c.ID, Tag: tag, At: now}}, nil
	case !add && has:
		return []Event{CustomerUntagged{CustomerID: c.ID, Tag: tag, At: now}}, nil
	}
	return nil, nil
}

func decideMergeInto(c Customer, cmd MergeInto, now time.Time) ([]Event, error) {
	if cmd.TargetID == "" || cmd.TargetID == c.ID {
		return nil, invalid("a customer must be merged into another customer")
	}
	if _, absorbed := c.Absorbed[cmd.TargetID]; absorbed {
		// The target is itself being merged into this customer: two
		// opposite merges racing. Refusing here keeps them from each
		// marking the other merged.
		return nil, conflict("customer %s was merged into %s; undo that merge first", cmd.TargetID, c.ID)
	}
	ids := slices.Clone(c.Identities)
	return []Event{CustomerMerged{CustomerID: c.ID, TargetID: cmd.TargetID, Identities: ids, Reason: cmd.Reason, At: now}}, nil
}

func decideAbsorb(c Customer, cmd Absorb, now time.Time) ([]Event, error) {
	if cmd.SourceID == "" || cmd.SourceID == c.ID {
		return nil, invalid("a customer cannot absorb itself")
	}
	if _, done := c.Absorbed[cmd.SourceID]; done {
		return nil, nil
	}
	for _, id := range cmd.Identities {
		if err := requireNormalized(id); err != nil {
			return nil, err
		}
	}
	return []Event{CustomerAbsorbed{CustomerID: c.ID, SourceID: cmd.SourceID, Identities: slices.Clone(cmd.Identities), At: now}}, nil
}

func decideRelease(c Customer, cmd Release, now time.Time) ([]Event, error) {
	ids, ok := c.Absorbed[cmd.SourceID]
	if !ok {
		return nil, nil
	}
	return []Event{CustomerReleased{CustomerID: c.ID, SourceID: cmd.SourceID, Identities: ids, At: now}}, nil
}

func cleanDisplayName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > 200 {
		return "", invalid("a display name must be valid UTF-8 of at most 200 characters")
	}
	return name, nil
}

// requireNormalized refuses identities that are not in canonical form, so
// two spellings of one phone number can never become two identities.
func requireNormalized(id Identity) error {
	norm, err := NormalizeIdentity(id, DefaultCallingCode)
	if err != nil {
		return err
	}
	if norm != id {
		return invalid("%s identity is not normalised", id.Kind)
	}
	return nil
}

// EvolveCustomer folds one event into the customer's state.
func EvolveCustomer(c Customer, e Event) Customer {
	switch e := e.(type) {
	case CustomerRegistered:
		c.ID, c.Registered, c.DisplayName, c.Tier = e.CustomerID, true, e.DisplayName, e.Tier
	case IdentityLinked:
		c.Identities = appendUnique(c.Identities, e.Identity)
	case IdentityUnlinked:
		c.Identities = removeAll(c.Identities, e.Identity)
	case CustomerRenamed:
		c.DisplayName = e.DisplayName
	case CustomerTierChanged:
		c.Tier = e.To
	case CustomerTagged:
		c.Tags = appendUnique(c.Tags, e.Tag)
	case CustomerUntagged:
		c.Tags = removeAll(c.Tags, e.Tag)
	case CustomerMerged:
		c.MergedInto = e.TargetID
	case CustomerMergeUndone:
		c.MergedInto = ""
	case CustomerAbsorbed:
		c.Absorbed = cloneMap(c.Absorbed)
		c.Absorbed[e.SourceID] = e.Identities
		for _, id := range e.Identities {
			c.Identities = appendUnique(c.Identities, id)
		}
	case CustomerReleased:
		c.Absorbed = cloneMap(c.Absorbed)
		delete(c.Absorbed, e.SourceID)
		for _, id := range e.Identities {
			c.Identities = removeAll(c.Identities, id)
		}
	case CustomerErasureStarted:
		c.Erasing = true
	case CustomerErased:
		c = evolveErased(c)
	}
	return c
}

func appendUnique[T comparable](s []T, v T) []T {
	if slices.Contains(s, v) {
		return s
	}
	return append(slices.Clone(s), v)
}

func removeAll[T comparable](s []T, v T) []T {
	return slices.DeleteFunc(slices.Clone(s), func(x T) bool { return x == v })
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
