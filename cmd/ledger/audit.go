package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/treehead"
)

// runAudit dispatches `ledger audit export|verify`.
func runAudit(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return &exitError{code: 2, err: errors.New("usage: ledger audit export (--stream S | --customer ID) [--from T] [--to T] --out FILE | ledger audit verify [--key treehead.pub] FILE")}
	}
	switch args[0] {
	case "export":
		return runAuditExport(ctx, args[1:], out)
	case "verify":
		return runAuditVerify(args[1:], out)
	}
	return &exitError{code: 2, err: fmt.Errorf("ledger audit %s: want export or verify", args[0])}
}

// auditSelection is what an export takes: a stream's events, or a
// customer's (their own stream, their interactions and tickets, with the
// SLA clocks, deliveries and QA scores of those), recorded in [from, to].
type auditSelection struct {
	stream, customer string
	from, to         time.Time
}

func (s auditSelection) String() string {
	what := "stream " + s.stream
	if s.customer != "" {
		what = "customer " + s.customer
	}
	if !s.from.IsZero() || !s.to.IsZero() {
		what += fmt.Sprintf(", recorded from %s to %s", formatOpen(s.from), formatOpen(s.to))
	}
	return what
}

func formatOpen(t time.Time) string {
	if t.IsZero() {
		return "(open)"
	}
	return t.UTC().Format(time.RFC3339)
}

func runAuditExport(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("audit export", out)
	var sel auditSelection
	fs.StringVar(&sel.stream, "stream", "", "the stream to export")
	fs.StringVar(&sel.customer, "customer", "", "the customer whose events to export")
	from := fs.String("from", "", "only events recorded at or after this time (RFC 3339)")
	to := fs.String("to", "", "only events recorded at or before this time (RFC 3339)")
	file := fs.String("out", "", "the bundle file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (sel.stream == "") == (sel.customer == "") || *file == "" {
		return &exitError{code: 2, err: errors.New("ledger audit export: give --stream or --customer, and --out")}
	}
	var err error
	if sel.from, sel.to, err = timeWindow(*from, *to); err != nil {
		return err
	}
	store, err := openExistingStore(ctx, *data)
	if err != nil {
		return err
	}
	defer store.Close()
	bundle, head, err := exportBundle(ctx, store, *data, sel)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(bundle, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(*file, append(b, '\n'), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d events of %s written to %s, proved in a tree head of %d events\n", len(bundle.Events), sel, *file, head.Size)
	return nil
}

// timeWindow parses --from and --to, each optional (zero: open).
func timeWindow(from, to string) (time.Time, time.Time, error) {
	lo, err := optionalTime("--from", from)
	if err != nil {
		return time.Time{}, time.Time{}, &exitError{code: 2, err: err}
	}
	hi, err := optionalTime("--to", to)
	if err != nil {
		return time.Time{}, time.Time{}, &exitError{code: 2, err: err}
	}
	return lo, hi, nil
}

func optionalTime(flag, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: want an RFC 3339 time: %w", flag, v, err)
	}
	return t, nil
}

// exportBundle signs a head over the whole ledger and proves the
// selected events in it.
func exportBundle(ctx context.Context, store eventstore.Store, dir string, sel auditSelection) (treehead.Bundle, treehead.Head, error) {
	tree, err := signTree(ctx, store, dir)
	if err != nil {
		return treehead.Bundle{}, treehead.Head{}, err
	}
	defer tree.log.Close()
	events, err := selectEvents(ctx, store, sel)
	if err != nil {
		return treehead.Bundle{}, treehead.Head{}, err
	}
	if len(events) == 0 {
		return treehead.Bundle{}, treehead.Head{}, &exitError{code: 1, err: fmt.Errorf("no events of %s", sel)}
	}
	bundle := treehead.Bundle{Format: treehead.BundleFormat, Selection: sel.String(), SignedHead: string(tree.signed), PublicKey: tree.key}
	for _, e := range events {
		index, proof, err := tree.prove(e.ID)
		if err != nil {
			return treehead.Bundle{}, treehead.Head{}, err
		}
		bundle.Events = append(bundle.Events, treehead.NewBundleEvent(e, index, proof))
	}
	return bundle, tree.head, nil
}

// selectEvents walks $all for the selection's events, in order.
func selectEvents(ctx context.Context, store eventstore.Store, sel auditSelection) ([]eventstore.RecordedEvent, error) {
	streams := map[string]bool{sel.stream: true}
	if sel.customer != "" {
		streams = map[string]bool{domain.CustomerStream(sel.customer): true}
	}
	var out []eventstore.RecordedEvent
	after := uint64(0)
	for {
		page, err := store.ReadAll(ctx, after, 1000)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			return out, nil
		}
		for _, e := range page {
			if sel.customer != "" {
				addCustomerStreams(streams, sel.customer, e)
			}
			inTime := (sel.from.IsZero() || !e.RecordedAt.Before(sel.from)) && (sel.to.IsZero() || !e.RecordedAt.After(sel.to))
			if streams[e.Stream] && inTime {
				out = append(out, e)
			}
		}
		after = page[len(page)-1].Position
	}
}

// addCustomerStreams adds the streams an event opens for the customer:
// an interaction or a ticket of theirs, with its clocks, deliveries and
// scores.
func addCustomerStreams(streams map[string]bool, customer string, e eventstore.RecordedEvent) {
	if e.Type != "InteractionStarted" && e.Type != "TicketOpened" {
		return
	}
	ev, err := domain.DecodeEvent(e.Type, e.Schema, e.Data)
	if err != nil {
		return
	}
	switch ev := ev.(type) {
	case domain.InteractionStarted:
		if ev.CustomerID == customer {
			for _, s := range []string{domain.InteractionStream(ev.InteractionID), domain.SlaStream(ev.InteractionID), domain.DeliveryStream(ev.InteractionID), domain.QaStream(ev.InteractionID)} {
				streams[s] = true
			}
		}
	case domain.TicketOpened:
		if ev.CustomerID == customer {
			streams[domain.TicketStream(ev.TicketID)], streams[domain.SlaStream(ev.TicketID)] = true, true
		}
	}
}

// runAuditVerify checks a bundle offline.
func runAuditVerify(args []string, out io.Writer) error {
	raw, keyFile, err := offlineCheck("audit verify", "BUNDLE.json", args, out)
	if err != nil {
		return err
	}
	var b treehead.Bundle
	if err := json.Unmarshal(raw, &b); err != nil {
		fmt.Fprintf(out, "FAILED: the bundle is not readable: %v\n", err)
		return &exitError{code: 1, err: err}
	}
	key, err := trustedKey(keyFile, b.PublicKey)
	if err != nil {
		return err
	}
	verifier, err := treehead.ParseVerifier(key)
	if err != nil {
		return err
	}
	head, err := b.Verify(verifier)
	if err != nil {
		fmt.Fprintf(out, "FAILED: %v\n", err)
		return &exitError{code: 1, err: err}
	}
	streams := map[string]bool{}
	for _, e := range b.Events {
		streams[e.Stream] = true
	}
	fmt.Fprintf(out, "OK: %d events of %d streams (%s), each intact and in the tree of %d events signed at %s\n",
		len(b.Events), len(streams), b.Selection, head.Size, head.Time.UTC().Format(time.RFC3339))
	return nil
}
