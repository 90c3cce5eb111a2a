package analytics

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/interactionledger/ledger/domain"
)

// The sink links each interaction to its customer's other contacts: the
// start of the previous contact, of the next one, and of the next one on
// each channel (the link columns of fact_interactions). Reports then tell
// a repeat from a row alone, for any window: fcr and repeat contacts for
// the price of any other aggregation, with no join.
//
// A new contact moves the links of its neighbours, whose rows are written
// again stamped with the new contact's position: a row's version is still
// the last event that changed it, so a batch folded again after a restart
// (cut into other batches, perhaps) writes rows that are either the same
// or newer.
//
// To link, the sink keeps the contacts of the customers it has met. After
// a restart, or once it has dropped them to bound its memory, it reads a
// customer's earlier contacts back from fact_customer_contacts, up to the
// position after which it has met every contact itself.

// contact is one interaction of a customer.
type contact struct {
	startedAt int64
	position  uint64 // of its InteractionStarted
	id        string
	channel   string
	lane      int // index of channel in domain.Channels, -1 for another
}

func newContact(startedAt int64, position uint64, id, channel string) contact {
	lane, ok := channelIndex[channel]
	if !ok {
		lane = -1
	}
	return contact{startedAt: startedAt, position: position, id: id, channel: channel, lane: lane}
}

// customerContacts are a customer's contacts, ordered by start (ties by
// position; the links do not depend on their order).
type customerContacts []contact

// contactLinks are an interaction's link columns; 0 means none.
type contactLinks struct {
	prev, next int64
	nextOn     []int64 // by index in domain.Channels
}

func newContactLinks() *contactLinks {
	return &contactLinks{nextOn: make([]int64, len(domain.Channels))}
}

// channelIndex maps a channel to its index in domain.Channels (the order
// of the next_<channel>_at columns).
var channelIndex = func() map[string]int {
	m := make(map[string]int, len(domain.Channels))
	for i, ch := range domain.Channels {
		m[string(ch)] = i
	}
	return m
}()

// around returns the index of the first contact starting at or after at
// and of the first starting after it.
func (cs customerContacts) around(at int64) (lo, hi int) {
	lo = sort.Search(len(cs), func(i int) bool { return cs[i].startedAt >= at })
	hi = lo
	for hi < len(cs) && cs[hi].startedAt == at {
		hi++
	}
	return lo, hi
}

// links fills l with the links of a contact that started at at: the
// contacts strictly before and after it, so neither itself nor a contact
// starting at the same instant counts.
func (cs customerContacts) links(at int64, l *contactLinks) {
	lo, hi := cs.around(at)
	l.prev, l.next = 0, 0
	clear(l.nextOn)
	if lo > 0 {
		l.prev = cs[lo-1].startedAt
	}
	if hi < len(cs) {
		l.next = cs[hi].startedAt
	}
	missing := len(l.nextOn)
	for j := hi; j < len(cs) && missing > 0; j++ {
		if k := cs[j].lane; k >= 0 && l.nextOn[k] == 0 {
			l.nextOn[k] = cs[j].startedAt
			missing--
		}
	}
}

// add inserts c (unless it holds it already) and calls moved with every
// other contact whose links c may change: before c, those whose next
// contact, or next contact on c's channel, c becomes; after c, those whose
// previous contact it becomes. A contact starting at the same instant as c
// already links its neighbours as c would.
func (cs *customerContacts) add(c contact, moved func(id string)) {
	list := *cs
	lo, hi := list.around(c.startedAt)
	tie, tieOnChannel := false, false
	for _, x := range list[lo:hi] {
		if x.id == c.id {
			return
		}
		tie = true
		tieOnChannel = tieOnChannel || x.channel == c.channel
	}
	// Walking back: the next contact moves for the latest contacts before
	// c; the next one on c's channel moves for every contact with none on
	// that channel between it and c.
	blocked, blockedBelow := tieOnChannel, c.startedAt
	for j := lo - 1; j >= 0; j-- {
		x := list[j]
		nextMoves := !tie && x.startedAt == list[lo-1].startedAt
		nextOnMoves := !blocked || x.startedAt >= blockedBelow
		if !nextMoves && !nextOnMoves {
			break
		}
		moved(x.id)
		if !blocked && x.channel == c.channel {
			blocked, blockedBelow = true, x.startedAt
		}
	}
	if !tie {
		for j := hi; j < len(list) && list[j].startedAt == list[hi].startedAt; j++ {
			moved(list[j].id)
		}
	}
	*cs = slices.Insert(list, hi, c)
}

// startedContact is a contact met since the last flush.
type startedContact struct {
	customer int64
	contact
}

// contactLoader reads from the back end the contacts of customers started
// up to position upTo.
type contactLoader func(ctx context.Context, customers []int64, upTo uint64) (map[int64]customerContacts, error)

// contactHistory is what the sink knows of its customers' contacts.
type contactHistory struct {
	load      contactLoader
	customers map[int64]*customerContacts
	size      int // contacts held
	// storedUpTo is the position up to which the back end holds every
	// contact of a customer missing from customers: the sink met every
	// contact after it itself.
	storedUpTo uint64
	started    []startedContact
}

func newContactHistory(load contactLoader) *contactHistory {
	return &contactHistory{load: load, customers: map[int64]*customerContacts{}}
}

// forget drops every customer's contacts: the back end holds them up to
// position upTo.
func (h *contactHistory) forget(upTo uint64) {
	h.customers = map[int64]*customerContacts{}
	h.size = 0
	h.storedUpTo = upTo
}

// start notes a contact met in the current batch.
func (h *contactHistory) start(customer int64, c contact) {
	h.started = append(h.started, startedContact{customer: customer, contact: c})
}

// holds reports whether the contacts of customer are held.
func (h *contactHistory) holds(customer int64) bool {
	_, ok := h.customers[customer]
	return ok
}

// ensure makes the contacts of customers (not held yet) held, reading
// them from the back end in one go.
func (h *contactHistory) ensure(ctx context.Context, customers map[int64]bool) error {
	if len(customers) == 0 {
		return nil
	}
	missing := make([]int64, 0, len(customers))
	for k := range customers {
		missing = append(missing, k)
	}
	var loaded map[int64]customerContacts
	if h.storedUpTo > 0 {
		var err error
		if loaded, err = h.load(ctx, missing, h.storedUpTo); err != nil {
			return fmt.Errorf("read back the contacts of %d customers: %w", len(missing), err)
		}
	}
	for _, k := range missing {
		cs := loaded[k]
		h.customers[k] = &cs
		h.size += len(cs)
	}
	return nil
}

// addStarted adds the contacts met since the last flush, in the order
// they started in the ledger, calling moved(id, position) for every
// contact whose links one of them may change. Adding them again (after a
// flush failed) changes nothing and calls nothing.
func (h *contactHistory) addStarted(moved func(id string, position uint64)) {
	for _, s := range h.started {
		cs := h.customers[s.customer]
		before := len(*cs)
		cs.add(s.contact, func(id string) { moved(id, s.position) })
		h.size += len(*cs) - before
	}
}

// links fills l with the links of a contact of customer started at at.
func (h *contactHistory) links(customer, at int64, l *contactLinks) {
	if cs := h.customers[customer]; cs != nil {
		cs.links(at, l)
		return
	}
	customerContacts(nil).links(at, l)
}

// rows returns the contacts met since the last flush as rows of
// fact_customer_contacts, and forgets them.
func (h *contactHistory) rows() *Columns {
	c := NewColumnsCap(ContactsTable, len(h.started))
	for _, s := range h.started {
		c.Row().I(s.customer).I(s.startedAt).S(s.id).S(s.channel).I(int64(s.position)).End()
	}
	h.started = h.started[:0]
	return c
}

// loadContacts is the sink's contactLoader: it waits until everything up
// to upTo is written, then reads the contacts from fact_customer_contacts,
// without FINAL (a row never changes; one written twice is dropped here).
func (s *Sink) loadContacts(ctx context.Context, customers []int64, upTo uint64) (map[int64]customerContacts, error) {
	if err := s.WaitFor(ctx, upTo); err != nil {
		return nil, err
	}
	out := map[int64]customerContacts{}
	for chunk := range slices.Chunk(customers, 1000) {
		args := []any{int64(upTo)}
		for _, k := range chunk {
			args = append(args, k)
		}
		query := "SELECT customer_key, started_at, interaction_id, channel, version FROM " + ContactsTable.Name +
			" WHERE version <= ? AND customer_key IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ") + ")"
		if err := scanContacts(ctx, s.backend, query, args, out); err != nil {
			return nil, err
		}
	}
	for k, cs := range out {
		slices.SortFunc(cs, func(a, b contact) int {
			if a.startedAt != b.startedAt {
				return cmp.Compare(a.startedAt, b.startedAt)
			}
			if a.position != b.position {
				return cmp.Compare(a.position, b.position)
			}
			return strings.Compare(a.id, b.id)
		})
		out[k] = slices.CompactFunc(cs, func(a, b contact) bool { return a.id == b.id && a.position == b.position })
	}
	return out, nil
}

func scanContacts(ctx context.Context, b Backend, query string, args []any, out map[int64]customerContacts) error {
	rows, err := b.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key, at, pos int64
		var id, channel string
		if err := rows.Scan(&key, &at, &id, &channel, &pos); err != nil {
			return err
		}
		out[key] = append(out[key], newContact(at, uint64(pos), id, channel))
	}
	return rows.Err()
}
