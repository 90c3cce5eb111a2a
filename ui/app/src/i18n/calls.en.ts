// The screen pop's strings (English); calls.zh-CN.ts has the same keys.
export const callsEn = {
  "screenPop.title": "Incoming call from {caller}",
  "screenPop.ringing": "Ringing: answer on your phone",
  "screenPop.answered": "On the call",
  "screenPop.ended": "The call has ended",
  "identity.claimed": "Number not verified: confirm who is calling before sharing account details",
  "identity.unverified": "Sender not verified: their mail domain vouches for nobody; confirm who is writing before sharing account details",
  "identity.failed": "Sender failed verification (DMARC): this mail may be forged, so it is kept apart from the customer who owns the address; do not share account details",
  "identity.verified": "Sender verified (DMARC pass)",
} as const;
