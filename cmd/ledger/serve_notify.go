package main

import (
	"context"
	"flag"
	"log/slog"
	"path/filepath"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/policies/notify"
	"github.com/interactionledger/ledger/projections"
)

// notifyCheckpointFile is the notification policy's position in the data
// directory.
const notifyCheckpointFile = "notify-policy.checkpoint"

// notifyComponent runs the notification policy in `ledger serve`: the
// customer is told about their tickets on their preferred or last-used
// written channel, and status queries by SMS or WeChat are answered. It
// writes messages to the ledger; the outbound component delivers them,
// so it must start after the channel components (it only writes to
// channels that have a sender) and before the outbound one.
type notifyComponent struct{ enabled bool }

func newNotifyComponent() serveComponent { return &notifyComponent{} }

func (c *notifyComponent) addFlags(fs *flag.FlagSet) {
	fs.BoolVar(&c.enabled, "notify", true, "tell customers about their tickets on their channel, and answer status queries sent by SMS or WeChat")
}

func (c *notifyComponent) start(core *serveCore, o offers) error {
	if !c.enabled {
		return nil
	}
	finder := newReadSideContacts(core.readDB, o.senders)
	channels := finder.channels()
	policy := notify.NewPolicy(core.handler, finder, filepath.Join(core.dataDir, notifyCheckpointFile), slog.Default(),
		follow.Options{Lease: core.lease, Metrics: core.followMetrics,
			Checkpoint: core.singletons.checkpoint("notify", follow.FileCheckpoint(filepath.Join(core.dataDir, notifyCheckpointFile)))})
	policy.WaitForReadSide(core.runner.WaitFor)
	if core.registry != nil {
		if err := core.registry.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ledger_notify_policy_position", Help: "$all position the notification policy has handled.",
		}, func() float64 { return float64(policy.Position()) })); err != nil {
			return err
		}
	}
	core.goRun(func() { runFollower(core.ctx, "notify", policy.Run) })
	slog.Info("ticket notifications enabled", "channels", channels)
	return nil
}

// newReadSideContacts returns the finder of where to write to customers,
// on the channels that have a sender.
func newReadSideContacts(db *projections.ReadDB, senders map[domain.Channel]outbound.Sender) *readSideContacts {
	channels := make([]domain.Channel, 0, len(senders))
	for ch := range senders {
		channels = append(channels, ch)
	}
	slices.Sort(channels)
	return &readSideContacts{db: db, written: channels}
}

// readSideContacts finds where to write to a customer from the customer
// 360 read model: the preferred channel when it is a written one we can
// deliver on, else the written channels in the order the customer last
// used them, at the address of their latest interaction there; else a
// phone number by SMS or an address by email from their identities.
type readSideContacts struct {
	db      *projections.ReadDB
	written []domain.Channel // the channels with a sender, sorted
}

// channels lists the channels with a sender, sorted.
func (f *readSideContacts) channels() []domain.Channel { return f.written }

// recentInteractions bounds how far back the customer's channels are
// looked for.
const recentInteractions = 50

func (f *readSideContacts) FindContact(ctx context.Context, customerID string) (commands.Contact, error) {
	c, err := f.db.Customer(ctx, customerID)
	if err != nil {
		return commands.Contact{}, err
	}
	page, err := f.db.CustomerInteractions(ctx, customerID, recentInteractions, "")
	if err != nil {
		return commands.Contact{}, err
	}
	return chooseContact(c, page.Interactions, f.channels())
}

// chooseContact picks the contact among the customer's recent
// interactions (newest first) and identities.
func chooseContact(c projections.Customer, recent []projections.Interaction, deliverable []domain.Channel) (commands.Contact, error) {
	usable := func(ch domain.Channel) bool { return domain.WrittenChannel(ch) && slices.Contains(deliverable, ch) }
	order := []domain.Channel{c.PreferredChannel}
	for _, it := range recent {
		order = append(order, it.Channel)
	}
	for _, ch := range order {
		if !usable(ch) {
			continue
		}
		for _, it := range recent {
			if it.Channel == ch && writable(it.Identity) {
				return commands.Contact{Channel: ch, Identity: it.Identity}, nil
			}
		}
	}
	for _, id := range c.Identities {
		switch {
		case !writable(id):
			continue
		case id.Kind == domain.IdentityPhone && usable(domain.ChannelSMS):
			return commands.Contact{Channel: domain.ChannelSMS, Identity: id}, nil
		case id.Kind == domain.IdentityEmail && usable(domain.ChannelEmail):
			return commands.Contact{Channel: domain.ChannelEmail, Identity: id}, nil
		case id.Kind == domain.IdentityWeChat && usable(domain.ChannelWeChat):
			return commands.Contact{Channel: domain.ChannelWeChat, Identity: id}, nil
		}
	}
	return commands.Contact{}, domain.Errorf(domain.ENOTFOUND, "customer %s has no written channel we can deliver on", c.ID)
}

// writable reports whether an address can be written to: one that reads
// as erased is gone with its customer's key.
func writable(id domain.Identity) bool {
	return id.Value != "" && id.Value != domain.ErasedText
}
