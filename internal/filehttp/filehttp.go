// Package filehttp owns how the ledger hands a kept file to a browser:
// the headers that make opening it safe, whoever asks (an agent through
// the API, a customer through the web chat widget).
package filehttp

import (
	"mime"
	"net/http"
	"strconv"
)

// inlineTypes are the sniffed types a browser may show in the page when
// asked to: images and PDFs. Anything else is only ever downloaded.
var inlineTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "image/bmp": true,
	"application/pdf": true,
}

// Inline reports whether a file of the sniffed contentType may be shown
// in the page.
func Inline(contentType string) bool { return inlineTypes[contentType] }

// SetHeaders sets what makes a download safe to open: the type the ledger
// sniffed (never the sender's), nosniff, a CSP that sandboxes the document
// and lets it load nothing, no caching or referrer, and the name as an
// attachment unless inline is asked for a type that may be shown.
func SetHeaders(h http.Header, name, contentType string, size int64, inline bool) {
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Referrer-Policy", "no-referrer")
	disposition := "attachment"
	if inline && Inline(contentType) {
		disposition = "inline"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": name}))
}
