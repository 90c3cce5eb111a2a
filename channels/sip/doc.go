// Package sip is the phone channel: the contact centre's call distributor
// for signalling, built on github.com/emiago/sipgo. Agents' softphones
// REGISTER to it with digest authentication; callers' INVITEs to the
// service number become interactions on channel PHONE, wait in a queue,
// and are put through to a chosen agent's registered phone. Every step is
// recorded through the command layer (commands.Handler) on the caller's
// interaction.
//
// # B2BUA, not a proxy
//
// The channel is a back-to-back user agent: it answers the caller's
// INVITE as a user agent server and calls the agent's phone as a user
// agent client, two dialogs with their own Call-IDs. A stateful proxy
// would only relay one dialog between the two phones, and could not
//
//   - hold a caller in the queue for minutes before any agent is chosen,
//     then try agent after agent when phones are not picked up;
//   - perform a blind transfer itself (REFER): with a proxy the agent's
//     phone would call the target directly and the ledger would learn of
//     the transfer only if it happened to route that new call;
//   - tell for certain who hung up, when, and whether the caller had been
//     answered (CANCEL before answer is an abandonment, BYE after it the
//     end of a call), which the events need.
//
// Media still flows end to end: the caller's SDP offer goes unchanged into
// the INVITE to the agent's phone, the phone's answer unchanged into the
// caller's 200 OK, and on a transfer the target's SDP reaches the caller
// in a re-INVITE. RTP never touches this process.
//
// # Call flow
//
//	caller            ledger (B2BUA)                   agent phone
//	INVITE (SDP) ----> 100 Trying
//	                   ReceiveInbound: customer by number, interaction
//	                   started and queued (InteractionStarted, Queued)
//	             <---- 182 Queued
//	                   AgentChooser picks an agent
//	                   (InteractionAssigned, CallOffered)
//	                   INVITE (caller's SDP) ------------>
//	             <---- 180 Ringing <---------------------- 180 Ringing
//	                   (CallRingingStarted)
//	             <---- 200 OK (phone's SDP) <------------- 200 OK
//	                   (CallAnswered)
//	ACK ------------->  ACK ------------------------------>
//	      ... media between the two phones ...
//	BYE ------------->  200 OK; BYE --------------------->
//	                   (CallEnded, ended by CUSTOMER, talk time)
//
// A CANCEL before the answer is answered 200 and 487, the ringing phone
// gets CANCEL, and the interaction is abandoned (InteractionAbandoned,
// CALLER_CANCELLED). A phone that does not answer within the ring timeout
// (or refuses) is cancelled and the call goes back to the queue at its
// old place (InteractionQueued); the next agent is tried. An agent's REFER
// (Refer-To naming another agent, or a queue with ;queue=NAME) is answered
// 202; the call is transferred (InteractionTransferred), the target's
// phone is called, the caller is re-INVITEd with the target's SDP once it
// answers, and the transferring agent hears the outcome by NOTIFY
// (message/sipfrag) before hanging up.
//
// # Idempotency
//
// The caller's Call-ID is the provider message id and the conversation
// key of the inbound call: INVITE retransmissions are absorbed by the
// transaction layer, a second INVITE with the Call-ID of a call in
// progress is a merged request (482), and an INVITE reusing the Call-ID of
// a call that ended is refused (481) instead of opening a new interaction.
// The events of each later step carry ids derived from the Call-ID and
// the step, and the domain treats a repeated offer, ring, answer or end as
// a no-op.
//
// # Credentials
//
// Agents' SIP passwords never enter the event log: the credentials file
// (CredentialsFileName in the data directory, managed by `ledger
// sip-credentials`) holds HA1 = md5(agent:realm:password) per agent in
// Apache's htdigest format, mode 0600. The SIP user name is the agent id;
// a REGISTER succeeds only for the agent's own address of record, with
// the right digest, for an agent registered in the ledger. Registrations
// live in memory: phones re-register every few minutes.
//
// # Replay
//
// The digest must use qop=auth, its uri must be the REGISTER's own
// Request-URI, and its nonce count must rise with every request under a
// nonce (counts are kept per nonce for the nonce's lifetime, in a bounded
// table). Nonces carry their issue time and an HMAC over it and the IP
// address they were issued to, so they are accepted only from that
// address and for Config.NonceTTL (5 minutes). A replayed REGISTER gets a
// fresh 401 challenge and changes nothing. Config.TLSAddr adds a SIP over
// TLS listener, where a REGISTER cannot be captured on the way.
//
// Malformed requests get 400 (or 403 for authentication failures, 433
// for a withheld caller number) and append nothing.
package sip
