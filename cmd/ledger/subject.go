package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/projections"
)

// openReadModels opens the read models in dir to read them as they are
// (`ledger serve` keeps them current).
func openReadModels(ctx context.Context, dir string) (*projections.ReadDB, error) {
	path := filepath.Join(dir, readModelsFile)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no read models at %s (run ledger serve or ledger projections rebuild): %w", path, err)
	}
	return projections.OpenReadDB(ctx, path)
}

// runAccessLog prints who read a customer's personal data, a JSON object
// a line, oldest first.
func runAccessLog(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("access-log", out)
	customer := fs.String("customer", "", "the customer")
	from := fs.String("from", "", "only reads at or after this time (RFC 3339)")
	to := fs.String("to", "", "only reads at or before this time (RFC 3339)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *customer == "" {
		return &exitError{code: 2, err: errors.New("ledger access-log: give --customer")}
	}
	lo, hi, err := timeWindow(*from, *to)
	if err != nil {
		return err
	}
	db, err := openReadModels(ctx, *data)
	if err != nil {
		return err
	}
	defer db.Close()
	log, err := db.AccessLog(ctx, *customer, lo, hi, 1<<30)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	for _, a := range log {
		if err := enc.Encode(a); err != nil {
			return err
		}
	}
	return nil
}

// subjectExport is a customer's own data and who read it, for a
// data-subject request (PIPL art. 45, GDPR art. 15).
type subjectExport struct {
	ExportedAt   time.Time            `json:"exportedAt"`
	Customer     projections.Customer `json:"customer"`
	Interactions []subjectInteraction `json:"interactions"`
	Tickets      []projections.Ticket `json:"tickets"`
	// BusinessContext is what CRMs and order systems recorded about
	// the customer: their plans, recent orders, devices and contracts.
	BusinessContext projections.BusinessContext `json:"businessContext"`
	AccessLog       []domain.DataAccess         `json:"accessLog"`
}

type subjectInteraction struct {
	projections.Interaction
	Messages []projections.Message `json:"messages"`
}

// runExportSubject prints a customer's data and access report as JSON.
func runExportSubject(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("export-subject", out)
	customer := fs.String("customer", "", "the customer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *customer == "" {
		return &exitError{code: 2, err: errors.New("ledger export-subject: give --customer")}
	}
	db, err := openReadModels(ctx, *data)
	if err != nil {
		return err
	}
	defer db.Close()
	export, err := exportSubject(ctx, db, *customer)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(export)
}

func exportSubject(ctx context.Context, db *projections.ReadDB, customerID string) (subjectExport, error) {
	c, err := db.Customer(ctx, customerID)
	if err != nil {
		return subjectExport{}, err
	}
	export := subjectExport{ExportedAt: time.Now().UTC(), Customer: c}
	for after := ""; ; {
		page, err := db.CustomerInteractions(ctx, customerID, 100, after)
		if err != nil {
			return subjectExport{}, err
		}
		for _, it := range page.Interactions {
			msgs, err := db.Messages(ctx, it.ID)
			if err != nil {
				return subjectExport{}, err
			}
			export.Interactions = append(export.Interactions, subjectInteraction{Interaction: it, Messages: msgs})
		}
		if !page.HasNextPage {
			break
		}
		after = page.EndCursor
	}
	for after := ""; ; {
		page, err := db.Tickets(ctx, projections.TicketFilter{CustomerID: customerID}, projections.TicketOrder{}, 100, after)
		if err != nil {
			return subjectExport{}, err
		}
		export.Tickets = append(export.Tickets, page.Tickets...)
		if !page.HasNextPage {
			break
		}
		after = page.EndCursor
	}
	if export.BusinessContext, err = db.CustomerContextAll(ctx, customerID); err != nil {
		return subjectExport{}, err
	}
	if export.AccessLog, err = db.AccessLog(ctx, customerID, time.Time{}, time.Time{}, 1<<30); err != nil {
		return subjectExport{}, err
	}
	return export, nil
}
