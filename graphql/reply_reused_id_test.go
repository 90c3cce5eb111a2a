package graphql

import (
	"slices"
	"testing"

	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

// TestReplyIdempotencyKeyReusedForOtherText: an agent's reply under an
// idempotency key already used for another text is a CONFLICT, not the
// first reply's answer (which would tell the agent the new text was sent);
// nothing is recorded. The same reply again is still a retry.
func TestReplyIdempotencyKeyReusedForOtherText(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	agent := e.token(auth.RoleAgent, f.agentID)
	const q = `mutation($i: ID!, $t: String!) { replyToInteraction(interactionId: $i, text: $t, idempotencyKey: "k-1") { position } }`
	var first, again struct{ ReplyToInteraction struct{ Position int64 } }
	e.post(agent, q, map[string]any{"i": f.interactionID, "t": "on it"}).ok(t).decode(t, &first)
	e.post(agent, q, map[string]any{"i": f.interactionID, "t": "on it"}).ok(t).decode(t, &again)
	if again.ReplyToInteraction.Position != first.ReplyToInteraction.Position {
		t.Errorf("the retry wrote at %d, the first at %d", again.ReplyToInteraction.Position, first.ReplyToInteraction.Position)
	}
	r := e.post(agent, q, map[string]any{"i": f.interactionID, "t": "refund approved"})
	if !slices.Equal(r.codes(), []string{apierror.CodeConflict}) {
		t.Fatalf("a reused key with other text: errors %+v, want CONFLICT", r.Errors)
	}
	e.settle()
	msgs, err := e.db.Messages(e.ctx, f.interactionID)
	must(t, err, "messages")
	if len(msgs) != 2 { // the customer's and the one reply
		t.Errorf("%d messages, want 2", len(msgs))
	}
}
