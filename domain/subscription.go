package domain

import "time"

// CategorySubscription holds whether a customer follows a channel account
// (a WeChat official account), one stream per channel and identity.
const CategorySubscription = "subscription"

// SubscriptionStream names the stream recording whether the holder of id
// follows the contact centre's account on channel. Like identity streams,
// the name is a digest so it carries no personal data.
func SubscriptionStream(channel Channel, id Identity) string {
	return StreamNames{}.Subscription(channel, id)
}

// Subscription is whether one identity follows the account on one channel,
// folded from its SubscriptionStream. Following matters to agents: WeChat
// refuses customer-service messages to someone who unfollowed.
type Subscription struct {
	Known      bool // false until the first event
	Subscribed bool
	CustomerID string
	Since      time.Time
}

// Subscription events.
type (
	// ChannelSubscribed records that a customer followed the account.
	ChannelSubscribed struct {
		Channel    Channel   `json:"channel"`
		Identity   Identity  `json:"identity"`
		CustomerID string    `json:"customerId"`
		At         time.Time `json:"at"`
	}
	// ChannelUnsubscribed records that a customer unfollowed the account.
	ChannelUnsubscribed struct {
		Channel    Channel   `json:"channel"`
		Identity   Identity  `json:"identity"`
		CustomerID string    `json:"customerId"`
		At         time.Time `json:"at"`
	}
)

func (ChannelSubscribed) EventType() string   { return "ChannelSubscribed" }
func (ChannelUnsubscribed) EventType() string { return "ChannelUnsubscribed" }

func init() {
	register[ChannelSubscribed]()
	register[ChannelUnsubscribed]()
}

// ChangeSubscription records a follow (Subscribed) or an unfollow.
type ChangeSubscription struct {
	Channel    Channel
	Identity   Identity
	CustomerID string
	Subscribed bool
}

// DecideSubscription decides the event of a follow or unfollow; repeating
// the current state is a no-op, so a provider's redelivery changes nothing.
func DecideSubscription(s Subscription, cmd ChangeSubscription, now time.Time) ([]Event, error) {
	if !cmd.Channel.Valid() {
		return nil, invalid("unknown channel %q", cmd.Channel)
	}
	if err := requireNormalized(cmd.Identity); err != nil {
		return nil, err
	}
	if cmd.CustomerID == "" {
		return nil, invalid("a subscription belongs to a customer")
	}
	if s.Known && s.Subscribed == cmd.Subscribed {
		return nil, nil
	}
	if cmd.Subscribed {
		return []Event{ChannelSubscribed{Channel: cmd.Channel, Identity: cmd.Identity, CustomerID: cmd.CustomerID, At: now}}, nil
	}
	return []Event{ChannelUnsubscribed{Channel: cmd.Channel, Identity: cmd.Identity, CustomerID: cmd.CustomerID, At: now}}, nil
}

// EvolveSubscription folds one event.
func EvolveSubscription(s Subscription, e Event) Subscription {
	switch e := e.(type) {
	case ChannelSubscribed:
		return Subscription{Known: true, Subscribed: true, CustomerID: e.CustomerID, Since: e.At}
	case ChannelUnsubscribed:
		return Subscription{Known: true, Subscribed: false, CustomerID: e.CustomerID, Since: e.At}
	}
	return s
}
