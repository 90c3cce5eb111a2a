package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/config"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/textseg"
)

// demoTemplateShare is the percentage of the demo's first replies written
// from a reply template, when one fits the topic, language and channel.
const demoTemplateShare = 40

// demoTemplate is a published reply template the demo's agents answer
// with.
type demoTemplate struct {
	id       string
	version  int
	category string
	language string
	channels []domain.Channel
	body     string
}

// publishKnowledge imports the knowledge files (an hour before the first
// contact, as the agents are registered) and keeps the published
// templates for the agents' replies.
func (d *demoTraffic) publishKnowledge(ctx context.Context) error {
	if len(d.cfg.Knowledge) == 0 {
		return nil
	}
	h := commands.NewHandler(d.store, commands.WithClock(d.beforeFirstContact().now))
	for _, f := range d.cfg.Knowledge {
		_, item, err := importKnowledgeFile(ctx, h, d.store, f, "system:demo")
		if err != nil {
			return fmt.Errorf("knowledge %s: %w", f.ID, err)
		}
		if item.Kind == domain.KnowledgeTemplate && item.Live > 0 {
			v, _ := item.Version(item.Live)
			d.templates = append(d.templates, demoTemplate{id: item.ID, version: item.Live, category: v.Content.Category,
				language: v.Content.Language, channels: v.Content.Channels, body: v.Content.Body})
		}
	}
	return nil
}

// beforeFirstContact is a clock an hour before the first contact.
func (d *demoTraffic) beforeFirstContact() *demoClock {
	clock := &demoClock{}
	clock.set(d.slotTime(0).Add(-time.Hour))
	return clock
}

// templateReply turns a reply into one written from a template, for
// demoTemplateShare of the replies whose topic has a template in the
// customer's language and worded for the channel: its text filled with
// the customer's and the agent's names.
func (d *demoTraffic) templateReply(rng *rand.Rand, reply domain.SendMessage, topic demoTopic, opening string, channel domain.Channel, c *demoCustomer, agent demoAgent) (domain.SendMessage, error) {
	if len(d.templates) == 0 {
		return reply, nil
	}
	language := "en"
	if textseg.HasHan(opening) {
		language = "zh"
	}
	var fits []demoTemplate
	for _, t := range d.templates {
		if t.category == topic.domain && t.language == language && (len(t.channels) == 0 || slices.Contains(t.channels, channel)) {
			fits = append(fits, t)
		}
	}
	if len(fits) == 0 || rng.IntN(100) >= demoTemplateShare {
		return reply, nil
	}
	t := fits[rng.IntN(len(fits))]
	text, err := domain.FillTemplate(t.body, map[domain.TemplateVariable]string{
		domain.VarCustomerName: c.name, domain.VarAgentName: agent.name, domain.VarInteractionChannel: string(channel),
	})
	if err != nil {
		return reply, fmt.Errorf("template %s: %w", t.id, err)
	}
	reply.Text, reply.Template, reply.TemplateCategory = text, &domain.TemplateUse{TemplateID: t.id, Version: t.version}, t.category
	return reply, nil
}

// readDemoKnowledge parses the knowledge files of dir ("" for none).
func readDemoKnowledge(dir string) ([]config.KnowledgeFile, error) {
	if dir == "" {
		return nil, nil
	}
	sources, err := readKnowledgeDir(dir)
	if err != nil {
		return nil, err
	}
	files := make([]config.KnowledgeFile, len(sources))
	for i, s := range sources {
		files[i] = s.file
	}
	return files, nil
}
