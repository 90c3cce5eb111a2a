package commands

import (
	"context"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/domain"
)

// knowledgeItems are the knowledge base's articles and reply templates.
// Their events hold no customer's data: nothing of theirs is sealed.
var knowledgeItems = aggregate[domain.KnowledgeItem, domain.KnowledgeCommand]{
	stream:  domain.KnowledgeStream,
	initial: func(id string) domain.KnowledgeItem { return domain.KnowledgeItem{ID: id} },
	evolve:  domain.EvolveKnowledge,
	clone:   domain.KnowledgeItem.Clone,
	decide:  domain.DecideKnowledge,
}

// Knowledge applies a command to a knowledge item and returns the item
// after it. Drafting an item that does not exist creates it; an id is
// made when itemID is empty (derived from the idempotency key when there
// is one, so a retried creation names the same item).
func (h *Handler) Knowledge(ctx context.Context, itemID string, cmd domain.KnowledgeCommand, meta Meta) (Result, domain.KnowledgeItem, error) {
	if itemID == "" {
		if _, ok := cmd.(domain.DraftKnowledge); !ok {
			return Result{}, domain.KnowledgeItem{}, domain.Errorf(domain.EINVALID, "which knowledge item? an id is needed for %s", commandName(cmd))
		}
		itemID = NewID()
		if meta.IdempotencyKey != "" {
			itemID = DeriveID("knowledge", meta.IdempotencyKey)
		}
	}
	return execute(ctx, h, knowledgeItems, itemID, meta, byActor(cmd, meta.Actor))
}

// byActor names the caller as the command's author when it names none.
func byActor(cmd domain.KnowledgeCommand, actor string) domain.KnowledgeCommand {
	switch c := cmd.(type) {
	case domain.DraftKnowledge:
		if c.By == "" {
			c.By = actor
		}
		return c
	case domain.PublishKnowledge:
		if c.By == "" {
			c.By = actor
		}
		return c
	case domain.RetireKnowledge:
		if c.By == "" {
			c.By = actor
		}
		return c
	}
	return cmd
}

// TemplateCategory checks that a reply may be recorded as written from
// the template use names (a published version of a template that is not
// retired: domain.KnowledgeItem.UsableTemplate) and returns that
// version's category, for domain.SendMessage.
func (h *Handler) TemplateCategory(ctx context.Context, use domain.TemplateUse) (string, error) {
	if use.TemplateID == "" {
		return "", domain.Errorf(domain.EINVALID, "which reply template? an id is needed")
	}
	cur, err := load(ctx, h, knowledgeItems, use.TemplateID, uuid.Nil)
	if err != nil {
		return "", err
	}
	content, err := cur.state.UsableTemplate(use.Version)
	if err != nil {
		return "", err
	}
	return content.Category, nil
}
