package domain

import "time"

// TemplateUse names the reply template (and its version) an agent's reply
// was written from: the agent picked a suggestion and sent it, edited or
// not.
type TemplateUse struct {
	TemplateID string
	Version    int
}

// ReplyTemplateUsed records that an agent's reply on an interaction was
// written from a reply template. It follows the MessageSent it belongs to
// in the interaction's stream. Category is the template version's, kept
// so reports and QA need not read the knowledge base back.
type ReplyTemplateUsed struct {
	InteractionID string    `json:"interactionId"`
	MessageID     string    `json:"messageId"`
	TemplateID    string    `json:"templateId"`
	Version       int       `json:"version"`
	Category      string    `json:"category,omitempty"`
	AgentID       string    `json:"agentId"`
	At            time.Time `json:"at"`
}

func (ReplyTemplateUsed) EventType() string { return "ReplyTemplateUsed" }

func init() { register[ReplyTemplateUsed]() }

// UsableTemplate returns the content of the given version of a reply
// template an agent may reply from: the item is a template that is not
// retired, and the version was published (the live one, or one live
// before: an agent who picked a suggestion just before a revision still
// sends approved wording).
func (k KnowledgeItem) UsableTemplate(version int) (KnowledgeContent, error) {
	if !k.Exists() {
		return KnowledgeContent{}, notFound("reply template %s does not exist", k.ID)
	}
	if k.Kind != KnowledgeTemplate {
		return KnowledgeContent{}, invalid("knowledge item %s is an article, not a reply template", k.ID)
	}
	if k.Retired {
		return KnowledgeContent{}, conflict("reply template %s is retired", k.ID)
	}
	v, ok := k.Version(version)
	if !ok || v.PublishedAt.IsZero() {
		return KnowledgeContent{}, invalid("reply template %s has no published version %d", k.ID, version)
	}
	return v.Content, nil
}
