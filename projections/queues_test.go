package projections

import (
	"fmt"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func started(id string, ch domain.Channel, minute float64) domain.InteractionStarted {
	return domain.InteractionStarted{InteractionID: id, CustomerID: "c-" + id, Channel: ch, Identity: phone1, At: at(minute)}
}

func queued(id, queue string, p domain.Priority, minute float64) domain.InteractionQueued {
	return domain.InteractionQueued{InteractionID: id, Queue: queue, Priority: p, At: at(minute)}
}

func TestQueues(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	h.emit(r,
		started("i1", domain.ChannelPhone, 0), queued("i1", "billing", domain.PriorityNormal, 0),
		started("i2", domain.ChannelWebchat, 1), queued("i2", "billing", domain.PriorityCritical, 1),
		started("i3", domain.ChannelEmail, 2), queued("i3", "billing", domain.PriorityNormal, 2),
		started("i4", domain.ChannelSMS, 3), queued("i4", "tech", domain.PriorityUrgent, 3),
		started("i5", domain.ChannelApp, 4), queued("i5", "tech", domain.PriorityNormal, 4),
		started("i6", domain.ChannelWeChat, 5), queued("i6", "vip", domain.PriorityUrgent, 5),
		// i5 is served, then sent back to another queue: it keeps its priority.
		domain.InteractionAssigned{InteractionID: "i5", AgentID: "a1", At: at(6)},
		domain.InteractionTransferred{InteractionID: "i5", FromAgentID: "a1", ToQueue: "billing", At: at(7)},
		// i4 goes to an agent directly by transfer after assignment.
		domain.InteractionAssigned{InteractionID: "i4", AgentID: "a1", At: at(8)},
		domain.InteractionTransferred{InteractionID: "i4", FromAgentID: "a1", ToAgentID: "a2", At: at(9)},
		// i6 is abandoned, i3 closed while waiting.
		domain.InteractionAbandoned{InteractionID: "i6", Reason: "hung up", At: at(10)},
		domain.InteractionClosed{InteractionID: "i3", Disposition: domain.DispositionSpam, At: at(11)},
	)
	queues, err := h.db.Queues(h.ctx, at(20))
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, q := range queues {
		got += fmt.Sprintf("%s longest=%.0f:", q.Name, q.LongestWaitSeconds)
		for _, e := range q.Waiting {
			got += fmt.Sprintf(" %s/%s/%s/%.0f", e.InteractionID, e.Priority, e.Channel, e.WaitSeconds)
		}
		got += "\n"
	}
	want := "billing longest=1200:" +
		" i2/CRITICAL/WEBCHAT/1140" +
		" i1/NORMAL/PHONE/1200" +
		" i5/NORMAL/APP/780\n" +
		"tech longest=0:\n" +
		"vip longest=0:\n"
	if got != want {
		t.Errorf("Queues:\n%s\nwant:\n%s", got, want)
	}
	if e := queues[0].Waiting[0]; e.CustomerID != "c-i2" || !e.QueuedAt.Equal(at(1)) {
		t.Errorf("entry %+v", e)
	}
}
