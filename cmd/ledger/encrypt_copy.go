package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/datakeys"
)

// migrationMapFile records, in an encrypted copy, where each event of the
// ledger in clear went: auditors match old tree heads and bundles with it.
const migrationMapFile = "migration-map.jsonl"

// migratedToEncryption reports whether the ledger in dir is an encrypted
// copy made by migrate --encrypt (its migration map is there): the server
// then looks for conversations begun before the migration under their
// clear names too (commands.WithMigratedConversations).
func migratedToEncryption(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, migrationMapFile))
	return err == nil
}

// encryptCopy is `ledger migrate --encrypt`: it writes an encrypted copy
// of a ledger kept in clear (README, "Erasure"). Each event keeps its id,
// type, metadata, recording time, place in $all and version; its personal
// fields are sealed with its customer's data key, streams named by a
// digest of an identity are renamed by the HMAC, and every chain is
// hashed anew over the ciphertext.
type encryptCopy struct {
	src, dst eventstore.Store
	keys     *datakeys.Store
	clear    domain.StreamNames
	keyed    domain.StreamNames
	// renamed maps streams named by a digest of an identity value to
	// their HMAC names.
	renamed map[string]string
	// owners are the customers of interactions and tickets, as met.
	owners map[string]string
	// left are the streams left out of the copy.
	left  map[string]bool
	quiet bool
}

// encryptedCopyCounts is what an encrypted copy wrote.
type encryptedCopyCounts struct {
	events, sealed, renamedStreams int
	// orphans are reservation streams left out (encryptCopy.newStream),
	// with their events.
	orphans, orphanEvents int
}

func runEncryptCopy(ctx context.Context, from, to, masterFile string, quiet bool, out io.Writer) error {
	if encrypted(from) {
		return &exitError{code: 2, err: fmt.Errorf("migrate --encrypt: the ledger in %s is encrypted already", from)}
	}
	src, err := openExistingStore(ctx, from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := openStore(ctx, to, nil)
	if err != nil {
		return err
	}
	defer dst.Close()
	if head, err := dst.HeadPosition(ctx); err != nil || head > 0 {
		return errors.Join(err, &exitError{code: 2, err: fmt.Errorf("migrate --encrypt: %s already holds a ledger; give an empty directory", to)})
	}
	master, err := keySource{dir: to, file: masterFile}.master(true)
	if err != nil {
		return err
	}
	keys, err := datakeys.Open(ctx, filepath.Join(to, dataKeysFile), master)
	if err != nil {
		return err
	}
	defer keys.Close()
	nameKey, err := master.StreamNameKey()
	if err != nil {
		return err
	}
	c := &encryptCopy{src: src, dst: dst, keys: keys, keyed: domain.KeyedStreamNames(nameKey),
		renamed: map[string]string{}, owners: map[string]string{}, left: map[string]bool{}, quiet: quiet}
	if err := c.learnIdentities(ctx); err != nil {
		return err
	}
	counts, err := c.copy(ctx, filepath.Join(to, migrationMapFile))
	if err != nil {
		return err
	}
	if err := c.check(ctx, master, to); err != nil {
		return err
	}
	fmt.Fprintf(out, "OK: copied %d events into an encrypted ledger in %s: %d personal fields sealed, %d streams renamed; every chain verifies and every event reads as before.\n"+
		"The map from old to new events is %s. Signed tree heads start afresh: copy treehead.key and treehead.pub over to keep the auditors' key, then see README, \"Erasure\", for the next steps.\n",
		counts.events, to, counts.sealed, counts.renamedStreams, filepath.Join(to, migrationMapFile))
	if counts.orphans > 0 {
		fmt.Fprintf(out, "Left out: %d events of %d identity reservations that no identity in the ledger names (links given back or never completed); those identities are free in the copy. The map lists them with no new stream.\n",
			counts.orphanEvents, counts.orphans)
	}
	return nil
}

// forEach calls f with every event of s in $all order, decoded.
func forEach(ctx context.Context, s eventstore.Store, f func(eventstore.RecordedEvent, domain.Event) error) error {
	for after := uint64(0); ; {
		page, err := s.ReadAll(ctx, after, migratePage)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		for _, r := range page {
			e, err := domain.DecodeEvent(r.Type, r.Schema, r.Data)
			if err != nil {
				return fmt.Errorf("%s@%d: %w", r.Stream, r.Version, err)
			}
			if err := f(r, e); err != nil {
				return err
			}
		}
		after = page[len(page)-1].Position
	}
}

// learnIdentities finds every identity value the ledger holds, to rename
// the streams named by a digest of one: reservations, subscriptions, and
// the conversations keyed by the sender (channels without a conversation
// key of their own). Conversations keyed by call ids, email threads and
// chat sessions keep their names: random tokens, not personal data.
func (c *encryptCopy) learnIdentities(ctx context.Context) error {
	add := func(id domain.Identity) {
		c.renamed[c.clear.Identity(id)] = c.keyed.Identity(id)
	}
	return forEach(ctx, c.src, func(_ eventstore.RecordedEvent, e domain.Event) error {
		switch e := e.(type) {
		case domain.IdentityLinked:
			add(e.Identity)
		case domain.IdentityUnlinked:
			add(e.Identity)
		case domain.CustomerMerged:
			for _, id := range e.Identities {
				add(id)
			}
		case domain.CustomerAbsorbed:
			for _, id := range e.Identities {
				add(id)
			}
		case domain.CustomerReleased:
			for _, id := range e.Identities {
				add(id)
			}
		case domain.InteractionStarted:
			add(e.Identity)
			c.renamed[c.clear.Conversation(e.Channel, e.Identity.String())] = c.keyed.Conversation(e.Channel, e.Identity.String())
		case domain.ChannelSubscribed:
			c.renamed[c.clear.Subscription(e.Channel, e.Identity)] = c.keyed.Subscription(e.Channel, e.Identity)
		case domain.ChannelUnsubscribed:
			// An unfollow may come with no follow before it.
			c.renamed[c.clear.Subscription(e.Channel, e.Identity)] = c.keyed.Subscription(e.Channel, e.Identity)
		}
		return nil
	})
}

// newStream is the stream's name in the copy.
func (c *encryptCopy) newStream(stream string) (string, error) {
	if name, ok := c.renamed[stream]; ok {
		return name, nil
	}
	switch category, _ := domain.StreamCategory(stream); category {
	case domain.CategoryIdentity:
		// A reservation no identity in the ledger names: a link given
		// back when the customer refused it, or one never completed.
		// Nobody holds that identity, so the copy leaves it out (which
		// frees the identity) rather than keep it under a name nobody
		// will look for.
		return "", nil
	case domain.CategorySubscription:
		return "", fmt.Errorf("migrate --encrypt: no identity in the ledger names stream %s, so it cannot be renamed", stream)
	}
	return stream, nil
}

// customerOf is the customer whose key seals e, as the command layer
// finds it (commands/aggregates.go).
func (c *encryptCopy) customerOf(stream string, e domain.Event) string {
	category, id := domain.StreamCategory(stream)
	switch e := e.(type) {
	case domain.InteractionStarted:
		c.owners[stream] = e.CustomerID
	case domain.TicketOpened:
		c.owners[stream] = e.CustomerID
	case domain.ChannelSubscribed:
		return e.CustomerID
	case domain.ChannelUnsubscribed:
		return e.CustomerID
	case domain.BusinessFactRecorded:
		return e.CustomerID
	}
	if category == domain.CategoryCustomer {
		return id
	}
	return c.owners[stream]
}

// mappedEvent is one line of the migration map.
type mappedEvent struct {
	ID          string `json:"id"`
	OldStream   string `json:"oldStream"`
	OldPosition uint64 `json:"oldPosition"`
	OldHash     string `json:"oldHash"`
	NewStream   string `json:"newStream"`
	NewPosition uint64 `json:"newPosition"`
	NewHash     string `json:"newHash"`
	// LeftOut says why an event is not in the copy.
	LeftOut string `json:"leftOut,omitempty"`
}

func (c *encryptCopy) copy(ctx context.Context, mapPath string) (encryptedCopyCounts, error) {
	var counts encryptedCopyCounts
	f, err := os.OpenFile(mapPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return counts, err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	imp := c.dst.(eventstore.Importer)
	head, err := c.src.HeadPosition(ctx)
	if err != nil {
		return counts, err
	}
	bar := newProgress(int64(head), "encrypting", c.quiet)
	defer bar.Finish()
	lastHash := map[string]string{}
	renamed := map[string]bool{}
	var page []eventstore.RecordedEvent
	var lines []mappedEvent
	flush := func() error {
		if len(lines) == 0 {
			return nil
		}
		var res eventstore.AppendResult
		if len(page) > 0 {
			if res, err = imp.Import(ctx, page); err != nil {
				return fmt.Errorf("migrate --encrypt: write events %d to %d: %w", lines[0].OldPosition, lines[len(lines)-1].OldPosition, err)
			}
		}
		next := res.FirstPosition
		for i := range lines {
			if lines[i].LeftOut == "" {
				lines[i].NewPosition = next
				next++
			}
			if err := enc.Encode(lines[i]); err != nil {
				return err
			}
		}
		_ = bar.Set64(int64(lines[len(lines)-1].OldPosition))
		page, lines = page[:0], lines[:0]
		return nil
	}
	err = forEach(ctx, c.src, func(r eventstore.RecordedEvent, e domain.Event) error {
		stream, err := c.newStream(r.Stream)
		if err != nil {
			return err
		}
		if stream == "" {
			if !c.left[r.Stream] {
				c.left[r.Stream] = true
				counts.orphans++
			}
			counts.orphanEvents++
			lines = append(lines, mappedEvent{ID: r.ID.String(), OldStream: r.Stream, OldPosition: r.Position, OldHash: r.Hash,
				LeftOut: "a reservation no identity in the ledger names"})
			return nil
		}
		if stream != r.Stream {
			renamed[r.Stream] = true
		}
		sealed, n, err := c.seal(ctx, c.customerOf(r.Stream, e), e)
		if err != nil {
			return fmt.Errorf("migrate --encrypt: %s@%d: %w", r.Stream, r.Version, err)
		}
		counts.sealed += n
		// The copy is written in the current shape (sealed was decoded,
		// and so upcast), so it carries the current schema, not r's.
		_, schema, data, err := domain.EncodeEvent(sealed)
		if err != nil {
			return err
		}
		copied := eventstore.RecordedEvent{ID: r.ID, Stream: stream, Version: r.Version, Type: r.Type, Schema: schema,
			Data: data, Metadata: r.Metadata, RecordedAt: r.RecordedAt, PrevHash: lastHash[stream]}
		copied.Hash = eventstore.ComputeHash(copied.PrevHash, copied)
		lastHash[stream] = copied.Hash
		page = append(page, copied)
		lines = append(lines, mappedEvent{ID: r.ID.String(), OldStream: r.Stream, OldPosition: r.Position, OldHash: r.Hash, NewStream: stream, NewHash: copied.Hash})
		counts.events++
		if len(page) == migratePage {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil {
		err = w.Flush()
	}
	counts.renamedStreams = len(renamed)
	return counts, err
}

// seal seals e's personal fields for customer and says how many it sealed.
func (c *encryptCopy) seal(ctx context.Context, customer string, e domain.Event) (domain.Event, int, error) {
	if customer == "" {
		return e, 0, nil
	}
	var n int
	var err error
	out := domain.MapPersonal(e, func(_, v string) string {
		sealed, serr := c.keys.Seal(ctx, customer, v)
		if serr != nil && err == nil {
			err = serr
		}
		n++
		return sealed
	})
	return out, n, err
}

// check verifies the copy's chains, then reads it through its keys and
// compares every event with the source's: the same id, type and data.
func (c *encryptCopy) check(ctx context.Context, master *datakeys.LocalMaster, dir string) error {
	rep, err := eventstore.Verify(ctx, c.dst, nil)
	if err != nil {
		return fmt.Errorf("migrate --encrypt: verify the copy: %w", err)
	}
	if !rep.OK {
		return fmt.Errorf("migrate --encrypt: the copy fails verification at %s", rep.FirstBad)
	}
	opened, err := sealedStore(ctx, nopClose{c.dst}, dir, master)
	if err != nil {
		return err
	}
	defer opened.Close()
	var copied []eventstore.RecordedEvent
	if err := forEach(ctx, opened, func(r eventstore.RecordedEvent, _ domain.Event) error {
		copied = append(copied, r)
		return nil
	}); err != nil {
		return err
	}
	i := 0
	err = forEach(ctx, c.src, func(r eventstore.RecordedEvent, _ domain.Event) error {
		if c.left[r.Stream] {
			return nil
		}
		if i >= len(copied) {
			return fmt.Errorf("migrate --encrypt: the copy lacks %s@%d", r.Stream, r.Version)
		}
		got := copied[i]
		i++
		if got.ID != r.ID || got.Type != r.Type || !sameJSON(got.Data, r.Data) {
			return fmt.Errorf("migrate --encrypt: %s@%d reads differently in the copy", r.Stream, r.Version)
		}
		return nil
	})
	if err == nil && i != len(copied) {
		err = fmt.Errorf("migrate --encrypt: the copy holds %d events, the ledger %d", len(copied), i)
	}
	return err
}

func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// nopClose keeps a store open when its wrapper closes.
type nopClose struct{ eventstore.Store }

func (nopClose) Close() error { return nil }
