// The screen pop's strings (English); calls.zh-CN.ts has the same keys.
export const callsEn = {
  "screenPop.title": "Incoming call from {caller}",
  "screenPop.ringing": "Ringing: answer on your phone",
  "screenPop.answered": "On the call",
  "screenPop.ended": "The call has ended",
  "identity.claimed": "Number not verified: confirm who is calling before sharing account details",
} as const;
