package graphql

import (
	"context"
	"unicode"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/internal/textseg"
	"github.com/interactionledger/ledger/projections"
)

// Suggestions: how many of each kind, and how the conversation's texts
// weigh. The agent's draft says most about the reply being written; of
// the customer's messages the newest counts most.
const (
	suggestFirst      = 3
	suggestMaxFirst   = 10
	suggestMessages   = 3
	draftWeight       = 2.0
	newestWeight      = 1.5
	olderWeightFactor = 0.75
)

// SuggestReplies answers Query.suggestReplies.
func (r *resolver) SuggestReplies(ctx context.Context, args struct {
	InteractionID gql.ID
	Draft         *string
	First         *int32
}) (*replySuggestionsResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpActOnInteraction); err != nil {
		return nil, err
	}
	first := suggestFirst
	if args.First != nil {
		if *args.First < 1 || *args.First > suggestMaxFirst {
			return nil, apierror.BadInput("first must be 1 to %d", suggestMaxFirst)
		}
		first = int(*args.First)
	}
	it, err := r.interactionRecord(ctx, string(args.InteractionID))
	if err != nil {
		return nil, err
	}
	texts, err := r.suggestionTexts(ctx, it.ID, deref(args.Draft))
	if err != nil {
		return nil, err
	}
	out := &replySuggestionsResolver{language: suggestionLanguage(texts)}
	if out.language == "" {
		return out, nil
	}
	q := projections.SuggestQuery{Texts: texts, Language: out.language, Channel: it.Channel, Limit: first}
	q.Kind = domain.KnowledgeTemplate
	templates, err := r.db.SuggestKnowledge(ctx, q)
	if err != nil {
		return nil, err
	}
	q.Kind, q.Channel = domain.KnowledgeArticle, ""
	articles, err := r.db.SuggestKnowledge(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(templates) > 0 {
		values, err := r.templateValues(ctx, it, out.language)
		if err != nil {
			return nil, err
		}
		for _, h := range templates {
			s, err := fillSuggestion(h, values)
			if err != nil {
				return nil, err
			}
			out.templates = append(out.templates, s)
		}
	}
	for _, h := range articles {
		out.articles = append(out.articles, &knowledgeHitResolver{h: h})
	}
	return out, nil
}

// suggestionTexts are the agent's draft and the customer's last messages
// on the interaction, weighted.
func (r *resolver) suggestionTexts(ctx context.Context, interactionID, draft string) ([]projections.SuggestionText, error) {
	var texts []projections.SuggestionText
	if draft != "" {
		texts = append(texts, projections.SuggestionText{Text: draft, Weight: draftWeight})
	}
	msgs, err := r.db.Messages(ctx, interactionID)
	if err != nil {
		return nil, err
	}
	weight := newestWeight
	for i := len(msgs) - 1; i >= 0 && len(texts) < suggestMessages+1; i-- {
		if msgs[i].Direction != projections.DirectionIn || msgs[i].Text == "" {
			continue
		}
		texts = append(texts, projections.SuggestionText{Text: excerpt(msgs[i].Text), Weight: weight})
		weight *= olderWeightFactor
	}
	return texts, nil
}

// excerpt keeps a message within what a search takes: its start says
// what it is about.
func excerpt(text string) string {
	const maxRunes = 1000
	if r := []rune(text); len(r) > maxRunes {
		return string(r[:maxRunes])
	}
	return text
}

// suggestionLanguage is the language of the first text with letters (the
// draft's when there is one): zh when it holds Chinese.
func suggestionLanguage(texts []projections.SuggestionText) string {
	for _, t := range texts {
		switch {
		case textseg.HasHan(t.Text):
			return "zh"
		case hasLetter(t.Text):
			return "en"
		}
	}
	return ""
}

// templateValues are the values of a template's variables for an
// interaction, written in language. The customer's name is read as the
// caller may see it (and noted in the access ledger).
func (r *resolver) templateValues(ctx context.Context, it projections.Interaction, language string) (map[domain.TemplateVariable]string, error) {
	values := map[domain.TemplateVariable]string{domain.VarInteractionChannel: channelName(it.Channel, language)}
	access, err := auth.Authorize(ctx, auth.OpReadCustomers)
	if err != nil {
		return nil, err
	}
	c, err := r.customerRecord(ctx, it.CustomerID)
	switch {
	case err == nil:
		masked := access == auth.Masked
		noteAccess(ctx, c.ID, "displayName", masked)
		values[domain.VarCustomerName] = c.DisplayName
		if masked {
			values[domain.VarCustomerName] = auth.MaskName(c.DisplayName)
		}
		values[domain.VarCustomerTier] = tierName(c.Tier, language)
	case domain.ErrorCode(err) != domain.ENOTFOUND:
		return nil, err
	}
	if t, ok, err := r.db.TicketOfInteraction(ctx, it.CustomerID, it.ID); err != nil {
		return nil, err
	} else if ok {
		values[domain.VarTicketNumber], values[domain.VarTicketSubject] = t.Number, auth.MaskText(t.Subject, access == auth.Masked)
	}
	if v, ok := auth.ViewerFrom(ctx); ok {
		a, err := r.agentRecord(ctx, v.Subject)
		switch {
		case err == nil:
			values[domain.VarAgentName] = a.Name
		case domain.ErrorCode(err) != domain.ENOTFOUND: // a caller who is no agent: no name to sign with
			return nil, err
		}
	}
	return values, nil
}

// fillSuggestion fills a template hit with values.
func fillSuggestion(h projections.KnowledgeHit, values map[domain.TemplateVariable]string) (*templateSuggestionResolver, error) {
	text, err := domain.FillTemplate(h.Body, values)
	if err != nil {
		return nil, err
	}
	vars, err := domain.TemplateVariables(h.Body)
	if err != nil {
		return nil, err
	}
	missing := []string{}
	for _, v := range vars {
		if values[v] == "" {
			missing = append(missing, string(v))
		}
	}
	return &templateSuggestionResolver{hit: &knowledgeHitResolver{h: h}, text: text, missing: missing}, nil
}

// channelName is how a reply names a channel to the customer.
func channelName(ch domain.Channel, language string) string {
	names := map[domain.Channel][2]string{
		domain.ChannelPhone: {"phone", "电话"}, domain.ChannelWebchat: {"web chat", "在线客服"}, domain.ChannelEmail: {"email", "邮件"},
		domain.ChannelSMS: {"SMS", "短信"}, domain.ChannelWeChat: {"WeChat", "微信"}, domain.ChannelApp: {"app", "App"},
	}
	return localName(names[ch], language, string(ch))
}

// tierName is how a reply names a customer's tier.
func tierName(t domain.Tier, language string) string {
	names := map[domain.Tier][2]string{
		domain.TierStandard: {"Standard", "普通"}, domain.TierSilver: {"Silver", "银卡"}, domain.TierGold: {"Gold", "金卡"}, domain.TierVIP: {"VIP", "VIP"},
	}
	return localName(names[t], language, string(t))
}

func localName(names [2]string, language, fallback string) string {
	switch {
	case names[0] == "":
		return fallback
	case language == "zh":
		return names[1]
	default:
		return names[0]
	}
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// replySuggestionsResolver is a ReplySuggestions.
type replySuggestionsResolver struct {
	language  string
	templates []*templateSuggestionResolver
	articles  []*knowledgeHitResolver
}

func (s *replySuggestionsResolver) Language() string { return s.language }
func (s *replySuggestionsResolver) Templates() []*templateSuggestionResolver {
	return nonNil(s.templates)
}
func (s *replySuggestionsResolver) Articles() []*knowledgeHitResolver { return nonNil(s.articles) }

// templateSuggestionResolver is a TemplateSuggestion.
type templateSuggestionResolver struct {
	hit     *knowledgeHitResolver
	text    string
	missing []string
}

func (s *templateSuggestionResolver) Template() *knowledgeHitResolver { return s.hit }
func (s *templateSuggestionResolver) Text() string                    { return s.text }
func (s *templateSuggestionResolver) MissingVariables() []string      { return s.missing }
