package esdbserver

import (
	"fmt"
	"regexp"
	"strings"

	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"

	"github.com/interactionledger/ledger/eventstore"
)

// filter is a server-side filter on $all: by stream name or by event
// type, with prefixes or a regular expression. A nil filter keeps every
// event.
type filter struct {
	byType   bool
	prefixes []string
	re       *regexp.Regexp
	// every is how many scanned events a filtered subscription goes
	// without sending a checkpoint: the window times its multiplier.
	every int
}

// defaultWindow is the search window when the client leaves it to the
// server (EventStoreDB's default).
const defaultWindow = 32

func newFilter(o *api.ReadReq_Options_FilterOptions) (*filter, error) {
	if o == nil {
		return nil, nil
	}
	f := &filter{}
	expr := o.GetStreamIdentifier()
	if t := o.GetEventType(); t != nil {
		f.byType, expr = true, t
	}
	if expr == nil {
		return nil, fmt.Errorf("filter: neither stream nor event type")
	}
	f.prefixes = expr.GetPrefix()
	if re := expr.GetRegex(); re != "" {
		var err error
		if f.re, err = regexp.Compile(re); err != nil {
			return nil, fmt.Errorf("filter regex %q: %w", re, err)
		}
	}
	if len(f.prefixes) == 0 && f.re == nil {
		return nil, fmt.Errorf("filter: no prefix and no regex")
	}
	window := int(o.GetMax())
	if window <= 0 {
		window = defaultWindow
	}
	f.every = window * max(1, int(o.GetCheckpointIntervalMultiplier()))
	return f, nil
}

// matches reports whether the filter keeps e.
func (f *filter) matches(e *eventstore.RecordedEvent) bool {
	if f == nil {
		return true
	}
	subject := e.Stream
	if f.byType {
		subject = e.Type
	}
	if f.re != nil && f.re.MatchString(subject) {
		return true
	}
	for _, p := range f.prefixes {
		if strings.HasPrefix(subject, p) {
			return true
		}
	}
	return false
}

// keep returns the events the filter keeps, in order.
func (f *filter) keep(events []eventstore.RecordedEvent) []eventstore.RecordedEvent {
	if f == nil {
		return events
	}
	out := events[:0:0]
	for i := range events {
		if f.matches(&events[i]) {
			out = append(out, events[i])
		}
	}
	return out
}
