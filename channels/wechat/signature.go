package wechat

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"sort"
	"strings"
)

// Signature is the hex SHA-1 of token, timestamp and nonce, sorted and
// concatenated, as WeChat signs its requests to the server.
func Signature(token, timestamp, nonce string) string {
	parts := []string{token, timestamp, nonce}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// ValidSignature reports, in constant time, whether signature signs
// timestamp and nonce with token.
func ValidSignature(token, signature, timestamp, nonce string) bool {
	want := Signature(token, timestamp, nonce)
	return subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(signature))) == 1
}
