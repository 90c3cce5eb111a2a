package domain_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// personalKeys are the JSON keys that hold text about a customer. Every
// string under one of them must be mapped by MapPersonal, unless the
// event type and key are listed in notPersonal with the reason why.
var personalKeys = map[string]bool{
	"displayName": true, "value": true, "text": true, "subject": true, "description": true,
	"summary": true, "comment": true, "reason": true, "resolution": true, "name": true, "note": true,
	"detail": true, "phrase": true,
}

var notPersonal = map[string]string{
	"AgentRegistered/name":         "an employee's name, not a customer's",
	"AgentStatusChanged/reason":    "an agent's own status reason",
	"InteractionAbandoned/reason":  "written by the channel (hang-up, timeout)",
	"TicketEscalated/reason":       "written by the SLA policy",
	"MessageDeliveryFailed/reason": "the provider's error, numbers and addresses blanked (channels/outbound)",
	"MessageDelivered/detail":      "the provider's answer",
	"QaScored/phrase":              "a phrase of the scorecard's rule",
	"QaScored/note":                "written by the QA rules",
	"QaOverridden/reason":          "a supervisor's judgement of an agent",
	"AgentWorkReleased/reason":     "routing's own reason",
	"CustomerErased/reason":        "the erasure's own record, which outlives the key; say what was asked, not who asked",
	"CustomerDataAccessed/subject": "the user who read, not the customer read",
	"AgentPresenceChanged/reason":  "an agent's own presence reason",
	"KnowledgeRetired/reason":      "why an author retired an article or a template, about no customer",
}

func TestMapPersonalCoversEveryPersonalField(t *testing.T) {
	const mark = "\x00sealed"
	for _, e := range sampleEvents() {
		fields := map[string]bool{}
		mapped := domain.MapPersonal(e, func(field, v string) string { fields[field] = true; return mark })
		if mapped.EventType() != e.EventType() {
			t.Fatalf("%s mapped to %s", e.EventType(), mapped.EventType())
		}
		data, err := json.Marshal(mapped)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		walkStrings(doc, "", func(key, v string) {
			if personalKeys[key] && v != mark && v != "" {
				if _, ok := notPersonal[e.EventType()+"/"+key]; !ok {
					t.Errorf("%s.%s = %q is not mapped by MapPersonal", e.EventType(), key, v)
				}
			}
		})
		original, _ := json.Marshal(e)
		if strings.Contains(string(original), mark) {
			t.Errorf("%s: MapPersonal changed the event it was given", e.EventType())
		}
	}
}

func TestMapPersonalLeavesEmptyFieldsAlone(t *testing.T) {
	e := domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelSMS, Identity: phone}
	got := domain.MapPersonal(e, func(field, v string) string { return field + ":" + v }).(domain.InteractionStarted)
	if got.Subject != "" {
		t.Errorf("empty subject mapped to %q", got.Subject)
	}
	if got.Identity.Value != "identity:"+phone.Value {
		t.Errorf("identity = %q", got.Identity.Value)
	}
}

func walkStrings(v any, key string, f func(key, v string)) {
	switch v := v.(type) {
	case string:
		f(key, v)
	case map[string]any:
		for k, x := range v {
			walkStrings(x, k, f)
		}
	case []any:
		for _, x := range v {
			walkStrings(x, key, f)
		}
	}
}
