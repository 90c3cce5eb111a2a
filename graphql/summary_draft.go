package graphql

import (
	"context"

	"github.com/interactionledger/ledger/internal/summarize"
	"github.com/interactionledger/ledger/projections"
)

// SummaryDraft drafts the interaction's closing summary from its
// conversation; null for a masked caller (a draft is the conversation's
// own words) and when there is nothing to summarise.
func (i *interactionResolver) SummaryDraft(ctx context.Context) (*string, error) {
	if i.masked {
		return nil, nil
	}
	msgs, err := i.r.db.Messages(ctx, i.i.ID)
	if err != nil {
		return nil, err
	}
	noteAccess(ctx, i.i.CustomerID, "interaction.summaryDraft", false)
	lines := make([]summarize.Line, len(msgs))
	for k, m := range msgs {
		lines[k] = summarize.Line{FromAgent: m.Direction == projections.DirectionOut, Text: m.Text}
	}
	draft, err := summarize.Draft(lines)
	if err != nil {
		return nil, err
	}
	return strOf(draft), nil
}
