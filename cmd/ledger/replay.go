package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// runReplay prints a stream's events recorded up to --as-of, and the state
// those events fold into: what the ledger knew at that moment.
func runReplay(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("replay", out)
	stream := fs.String("stream", "", "stream to replay, e.g. ticket-<id> (required)")
	asOf := fs.String("as-of", "", "RFC 3339 time; default now")
	masterKeyFile := addMasterKeyFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *stream == "" {
		return &exitError{code: 2, err: errors.New("replay: --stream is required")}
	}
	at, err := parseAsOf(*asOf)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	store, err := openExistingSealed(ctx, keySource{dir: *data, file: *masterKeyFile})
	if err != nil {
		return err
	}
	defer store.Close()
	report, err := replayStream(ctx, store, *stream, at)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(report)
}

func parseAsOf(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--as-of %q: want RFC 3339, e.g. 2026-01-02T15:04:05Z", s)
	}
	return t.UTC(), nil
}

// replayReport is what replay prints.
type replayReport struct {
	Stream string         `json:"stream"`
	AsOf   time.Time      `json:"asOf"`
	Events []replayedItem `json:"events"`
	State  any            `json:"state"`
}

type replayedItem struct {
	Position   uint64          `json:"position"`
	Version    int64           `json:"version"`
	Type       string          `json:"type"`
	RecordedAt time.Time       `json:"recordedAt"`
	Data       json.RawMessage `json:"data"`
	Metadata   json.RawMessage `json:"metadata"`
	Hash       string          `json:"hash"`
}

// replayStream reads stream up to asOf and folds it.
func replayStream(ctx context.Context, store eventstore.Store, stream string, asOf time.Time) (replayReport, error) {
	rep := replayReport{Stream: stream, AsOf: asOf, Events: []replayedItem{}}
	var events []domain.Event
	for from := int64(0); ; {
		page, err := store.ReadStream(ctx, stream, from, 1000)
		if err != nil {
			return rep, fmt.Errorf("replay %s: %w", stream, err)
		}
		for _, rec := range page {
			if rec.RecordedAt.After(asOf) {
				return finishReplay(rep, events)
			}
			e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
			if err != nil {
				return rep, fmt.Errorf("replay %s version %d: %w", stream, rec.Version, err)
			}
			events = append(events, e)
			rep.Events = append(rep.Events, replayedItem{
				Position: rec.Position, Version: rec.Version, Type: rec.Type, RecordedAt: rec.RecordedAt,
				Data: rec.Data, Metadata: rec.Metadata, Hash: rec.Hash,
			})
		}
		if len(page) < 1000 {
			return finishReplay(rep, events)
		}
		from = page[len(page)-1].Version + 1
	}
}

func finishReplay(rep replayReport, events []domain.Event) (replayReport, error) {
	if len(events) == 0 {
		return rep, domain.Errorf(domain.ENOTFOUND, "stream %s has no events recorded by %s", rep.Stream, rep.AsOf.Format(time.RFC3339))
	}
	state, err := domain.FoldStream(rep.Stream, events)
	if err != nil {
		return rep, err
	}
	rep.State = state
	return rep, nil
}
