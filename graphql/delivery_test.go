package graphql

import (
	"testing"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/auth"
)

// TestMessageDelivery: the agent's replies read how they reached the
// customer, from the attempts recorded on delivery-<interactionId>: one
// delivered, one that failed for good (with the provider's reason as a
// sentence), one being retried and one not attempted yet; the customer's
// own message has no delivery.
func TestMessageDelivery(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	agent := e.token(auth.RoleAgent, f.agentID)
	const reply = `mutation($i: ID!, $t: String!, $k: String!) { replyToInteraction(interactionId: $i, text: $t, idempotencyKey: $k) { position } }`
	for _, text := range []string{"delivered", "failed", "retrying", "pending"} {
		e.post(agent, reply, map[string]any{"i": f.interactionID, "t": text, "k": text}).ok(t)
	}
	e.settle()
	msgs, err := e.db.Messages(e.ctx, f.interactionID)
	must(t, err, "messages")
	ids := map[string]string{}
	for _, m := range msgs {
		ids[m.Text] = m.MessageID
	}
	record := func(text string, attempt int, failure string, gaveUp bool) {
		t.Helper()
		_, _, err := e.cmds.RecordDeliveryAttempt(e.ctx, f.interactionID, domain.RecordDeliveryAttempt{
			SourceEventID: "sent-" + text, MessageID: ids[text], Channel: domain.ChannelWebchat, Attempt: attempt, Err: failure, GaveUp: gaveUp,
		}, commands.Meta{Actor: "system:test"})
		must(t, err, "record delivery of %s", text)
	}
	record("delivered", 1, "", false)
	record("failed", 1, "provider timed out", false)
	record("failed", 2, "number is not reachable", true)
	record("retrying", 1, "provider timed out", false)

	var got struct {
		Interaction struct {
			Messages []struct {
				Text      string
				Direction string
				Delivery  *struct {
					State     string
					Attempts  int
					LastError *string
				}
			}
		}
	}
	e.post(agent, `query($i: ID!) { interaction(id: $i) { messages { text direction delivery { state attempts lastError } } } }`,
		map[string]any{"i": f.interactionID}).ok(t).decode(t, &got)
	type want struct {
		state     string
		attempts  int
		lastError string
	}
	wants := map[string]want{
		"delivered": {"DELIVERED", 1, ""},
		"failed":    {"FAILED", 2, "Number is not reachable."},
		"retrying":  {"RETRYING", 1, "Provider timed out."},
		"pending":   {"PENDING", 0, ""},
	}
	seen := 0
	for _, m := range got.Interaction.Messages {
		if m.Direction == "IN" {
			if m.Delivery != nil {
				t.Errorf("the customer's message has a delivery: %+v", *m.Delivery)
			}
			continue
		}
		w, ok := wants[m.Text]
		if !ok || m.Delivery == nil {
			t.Errorf("reply %q: delivery %+v", m.Text, m.Delivery)
			continue
		}
		seen++
		lastError := ""
		if m.Delivery.LastError != nil {
			lastError = *m.Delivery.LastError
		}
		if m.Delivery.State != w.state || m.Delivery.Attempts != w.attempts || lastError != w.lastError {
			t.Errorf("reply %q: %s after %d attempts (%q), want %s after %d (%q)",
				m.Text, m.Delivery.State, m.Delivery.Attempts, lastError, w.state, w.attempts, w.lastError)
		}
	}
	if seen != len(wants) {
		t.Errorf("%d replies read, want %d", seen, len(wants))
	}
}
