// Package wechat owns the WeChat official account channel.
//
//   - Server verification: GET /channels/wechat?signature=&timestamp=&nonce=&echostr=
//     answers echostr when signature is the hex SHA-1 of token, timestamp
//     and nonce, sorted and concatenated.
//   - Inbound: POST /channels/wechat with the same signed query and an XML
//     body (plaintext mode): text, image, voice, video, location and link
//     messages become the customer's messages (MsgId is the provider
//     message id, so WeChat's retries append nothing); subscribe and
//     unsubscribe events are recorded as ChannelSubscribed and
//     ChannelUnsubscribed (deduplicated by FromUserName and CreateTime, as
//     WeChat advises for events). The sender's openid (FromUserName) is the
//     customer's WECHAT identity. The answer is "success": agents reply
//     later through the customer-service API, not in the webhook's answer.
//   - Outbound: a Sender POSTs replies to the customer-service message API,
//     /cgi-bin/message/custom/send?access_token=..., fetching and caching
//     the access token from /cgi-bin/token when an app id and secret are
//     configured.
//
// The plaintext mode's signature does not cover the body, so the endpoint
// also refuses timestamps more than a few minutes off and a reused
// (timestamp, nonce) with a different body: a captured signature cannot be
// replayed with a forged message. Every request is refused while no token
// is configured. The encrypted ("safe") mode is not supported and is
// refused with a clear error.
package wechat
