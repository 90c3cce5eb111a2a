package domain

// ErasedText stands in, on every read path, for a personal field whose
// customer was erased: the field's data key is destroyed, so the sealed
// value it replaces can no longer be opened.
const ErasedText = "[erased]"

// MapPersonal returns e with f applied to each of its non-empty personal
// fields: what identifies or describes a customer, and the free text
// customers and agents write about them (display names, identity values,
// message text and subjects, attachment names, notes, summaries,
// comments, reasons, the attribute values of business facts). f is told which field it is given.
//
// Events not listed carry no personal data: ids, times, enums, counts,
// queue and agent names, QA evidence (which points to messages and never
// copies their text), and the reasons machines write. The command layer
// seals the listed fields with the customer's data key; whoever adds a
// personal field to an event adds it here, and the table test fails
// until they do.
func MapPersonal(e Event, f func(field, value string) string) Event {
	m := func(field string, v *string) {
		if *v != "" {
			*v = f(field, *v)
		}
	}
	switch e := e.(type) {
	case CustomerRegistered:
		m("displayName", &e.DisplayName)
		return e
	case CustomerRenamed:
		m("displayName", &e.DisplayName)
		return e
	case IdentityLinked:
		e.Identity = mapIdentity(e.Identity, m)
		return e
	case IdentityUnlinked:
		e.Identity = mapIdentity(e.Identity, m)
		m("reason", &e.Reason)
		return e
	case CustomerMerged:
		e.Identities = mapIdentities(e.Identities, m)
		m("reason", &e.Reason)
		return e
	case CustomerAbsorbed:
		e.Identities = mapIdentities(e.Identities, m)
		return e
	case CustomerReleased:
		e.Identities = mapIdentities(e.Identities, m)
		return e
	case CustomerMergeUndone:
		m("reason", &e.Reason)
		return e
	}
	return mapWorkPersonal(e, m)
}

// mapWorkPersonal is MapPersonal for interaction and ticket events.
func mapWorkPersonal(e Event, m func(string, *string)) Event {
	switch e := e.(type) {
	case InteractionStarted:
		e.Identity = mapIdentity(e.Identity, m)
		m("subject", &e.Subject)
		return e
	case MessageReceived:
		m("text", &e.Text)
		e.Attachments = mapAttachments(e.Attachments, m)
		return e
	case MessageSent:
		m("text", &e.Text)
		e.Attachments = mapAttachments(e.Attachments, m)
		return e
	case InteractionTransferred:
		m("reason", &e.Reason)
		return e
	case InteractionClosed:
		m("summary", &e.Summary)
		return e
	case CsatRecorded:
		m("comment", &e.Comment)
		return e
	case TicketOpened:
		m("subject", &e.Subject)
		m("description", &e.Description)
		return e
	case TicketNoteAdded:
		m("text", &e.Text)
		e.Attachments = mapAttachments(e.Attachments, m)
		return e
	case TicketResolved:
		m("resolution", &e.Resolution)
		return e
	case TicketStatusChanged:
		m("reason", &e.Reason)
		return e
	case TicketPriorityChanged:
		m("reason", &e.Reason)
		return e
	case TicketReopened:
		m("reason", &e.Reason)
		return e
	case ChannelSubscribed:
		e.Identity = mapIdentity(e.Identity, m)
		return e
	case ChannelUnsubscribed:
		e.Identity = mapIdentity(e.Identity, m)
		return e
	case BusinessFactRecorded:
		e.Attributes = mapAttributes(e.Attributes, m)
		return e
	}
	return e
}

// mapAttributes maps the values of a copy of a business fact's
// attributes; their names are the CRM's vocabulary, not personal.
func mapAttributes(attrs map[string]string, m func(string, *string)) map[string]string {
	if len(attrs) == 0 {
		return attrs
	}
	out := make(map[string]string, len(attrs))
	for k, v := range attrs {
		m("attribute", &v)
		out[k] = v
	}
	return out
}

func mapIdentity(id Identity, m func(string, *string)) Identity {
	m("identity", &id.Value)
	return id
}

// mapIdentities maps a copy: events may share their slices with states.
func mapIdentities(ids []Identity, m func(string, *string)) []Identity {
	if len(ids) == 0 {
		return ids
	}
	out := make([]Identity, len(ids))
	for i, id := range ids {
		out[i] = mapIdentity(id, m)
	}
	return out
}

func mapAttachments(as []Attachment, m func(string, *string)) []Attachment {
	if len(as) == 0 {
		return as
	}
	out := make([]Attachment, len(as))
	for i, a := range as {
		m("attachment", &a.Name)
		out[i] = a
	}
	return out
}
