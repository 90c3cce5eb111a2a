package domain

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

type cloneCase struct {
	name  string
	state any
	clone func() any
}

// TestCloneSharesNothing checks every Clone: the copy equals the original
// and no map or slice of it (at any depth) is the original's.
func TestCloneSharesNothing(t *testing.T) {
	at := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	phone := Identity{Kind: IdentityPhone, Value: "+8613800138000"}
	var cases []cloneCase
	customer := Customer{ID: "c1", Tags: []string{"vip"}, Identities: []Identity{phone}, Absorbed: map[string][]Identity{"c0": {phone}}}
	cases = append(cases, cloneCase{"Customer", customer, func() any { return customer.Clone() }})
	var seen messageSet
	for i := range 3*recentLimit + 5 { // levels and recent ids
		seen = seen.with(fmt.Sprintf("m%d", i), "f")
	}
	interaction := Interaction{ID: "i1", seenMessages: seen}
	cases = append(cases, cloneCase{"Interaction", interaction, func() any { return interaction.Clone() }})
	ticket := Ticket{ID: "t1", Collaborators: []Collaborator{{Department: "finance"}}, Interactions: []string{"i1"}}
	cases = append(cases, cloneCase{"Ticket", ticket, func() any { return ticket.Clone() }})
	agent := Agent{ID: "a1", Skills: map[string]int{"billing": 5}, Capacity: map[Channel]int{ChannelWebchat: 3}, Work: map[string]WorkHold{"i1": {Channel: ChannelWebchat, At: at}}}
	cases = append(cases, cloneCase{"Agent", agent, func() any { return agent.Clone() }})
	deliveries := Deliveries{InteractionID: "i1", Messages: map[string]MessageDelivery{"e1": {Attempts: 1}}}
	cases = append(cases, cloneCase{"Deliveries", deliveries, func() any { return deliveries.Clone() }})
	sla := SlaClocks{TicketID: "t1", Clocks: map[SlaMetric]SlaClock{"FIRST_RESPONSE": {Cycle: 1}}}
	cases = append(cases, cloneCase{"SlaClocks", sla, func() any { return sla.Clone() }})
	qa := QaReview{InteractionID: "i1", Scorecards: map[string]QaScored{"card": {Results: []QaCriterionResult{{CriterionID: "greet", Evidence: []QaEvidence{{MessageID: "m1"}}}}}}}
	cases = append(cases, cloneCase{"QaReview", qa, func() any { return qa.Clone() }})
	knowledge := KnowledgeItem{ID: "k1", Kind: KnowledgeTemplate, Live: 1, Versions: []KnowledgeVersion{{Number: 1,
		Content: KnowledgeContent{Title: "t", Body: "b", Language: "zh", Tags: []string{"delay"}, Channels: []Channel{ChannelWeChat}}, DraftedAt: at}}}
	cases = append(cases, cloneCase{"KnowledgeItem", knowledge, func() any { return knowledge.Clone() }})

	for _, c := range cases {
		got := c.clone()
		if !reflect.DeepEqual(got, c.state) {
			t.Errorf("%s: clone %+v differs from %+v", c.name, got, c.state)
		}
		if path, ok := shared(reflect.ValueOf(got), reflect.ValueOf(c.state), c.name); ok {
			t.Errorf("%s: clone shares %s with the original", c.name, path)
		}
	}
}

// shared finds a map or slice that a and b (of one type) both point to,
// but for the maps of a messageSet, which are never written once built
// (TestMessageSetKeepsEarlierStates) and so are shared on purpose; the
// slice of its levels must still be a copy.
func shared(a, b reflect.Value, path string) (string, bool) {
	if a.Type() == reflect.TypeFor[messageSet]() {
		levels, other := a.FieldByName("levels"), b.FieldByName("levels")
		if levels.Len() > 0 && levels.Pointer() == other.Pointer() {
			return path + ".levels", true
		}
		return "", false
	}
	switch a.Kind() {
	case reflect.Map:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path, true
		}
		for _, k := range a.MapKeys() {
			if bv := b.MapIndex(k); bv.IsValid() {
				if p, ok := shared(a.MapIndex(k), bv, path+"["+k.String()+"]"); ok {
					return p, true
				}
			}
		}
	case reflect.Slice:
		if a.Len() > 0 && b.Len() > 0 && a.Pointer() == b.Pointer() {
			return path, true
		}
		for i := range min(a.Len(), b.Len()) {
			if p, ok := shared(a.Index(i), b.Index(i), path+"[]"); ok {
				return p, true
			}
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if p, ok := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); ok {
				return p, true
			}
		}
	case reflect.Interface, reflect.Pointer:
		if !a.IsNil() && !b.IsNil() {
			return shared(a.Elem(), b.Elem(), path)
		}
	}
	return "", false
}
