package email

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"

	"github.com/interactionledger/ledger/domain"
)

// collector walks a message's MIME tree, gathering its text parts and the
// metadata of its attachments.
type collector struct {
	lim         Limits
	parts       int
	plain, html []textRun
	attachments []domain.Attachment
	// file, when set, is handed each attachment's decoded content instead
	// of it being hashed (Files).
	file func(name string, content io.Reader) error
}

// entity visits one MIME entity and, for a multipart one, its parts.
func (c *collector) entity(e *message.Entity, depth int) error {
	c.parts++
	if c.parts > c.lim.MaxParts {
		return parseErr(nil, "more than %d MIME parts", c.lim.MaxParts)
	}
	mediaType, params := contentType(e.Header)
	if strings.HasPrefix(mediaType, "multipart/") {
		return c.multipart(e, params, depth)
	}
	disposition, dparams := contentDisposition(e.Header)
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	isText := mediaType == "text/plain" || mediaType == "text/html"
	if !isText || disposition == "attachment" || name != "" {
		return c.attachment(e.Body, mediaType, name)
	}
	return c.textPart(e.Body, mediaType)
}

func (c *collector) multipart(e *message.Entity, params map[string]string, depth int) error {
	if depth >= c.lim.MaxDepth {
		return parseErr(nil, "multipart nested more than %d deep", c.lim.MaxDepth)
	}
	boundary := params["boundary"]
	if boundary == "" {
		return parseErr(nil, "multipart without a boundary")
	}
	// The multipart reader is built here rather than by go-message, which
	// would treat a multipart whose Content-Type has a malformed parameter
	// as a single opaque part.
	mr := textproto.NewMultipartReader(e.Body, boundary)
	for n := 0; ; n++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			if n == 0 {
				return parseErr(nil, "multipart with no parts")
			}
			return nil
		}
		if err != nil {
			return parseErr(err, "multipart boundary %q", boundary)
		}
		child, err := message.New(message.Header{Header: p.Header}, p)
		if err != nil && !lenient(err) {
			return parseErr(err, "part %d", n+1)
		}
		if err := c.entity(child, depth+1); err != nil {
			return err
		}
	}
}

// attachment records a part's metadata, hashing its decoded bytes as they
// stream past; a transfer-encoding error is broken MIME.
func (c *collector) attachment(body io.Reader, mediaType, name string) error {
	if c.file != nil {
		return c.keep(body, mediaType, name)
	}
	sum := sha256.New()
	n, err := io.Copy(sum, body)
	if err != nil {
		return parseErr(err, "attachment")
	}
	c.attachments = append(c.attachments, domain.Attachment{
		Name:        cleanLine(name, 255),
		ContentType: mediaType,
		Size:        n,
		SHA256:      hex.EncodeToString(sum.Sum(nil)),
	})
	return nil
}

// keep hands an attachment's content to c.file, then reads what it left,
// so that a transfer-encoding error anywhere in the part is still noticed.
func (c *collector) keep(body io.Reader, mediaType, name string) error {
	name = cleanLine(name, 255)
	if name == "" {
		name = unnamedPart(len(c.attachments)+1, mediaType)
	}
	c.attachments = append(c.attachments, domain.Attachment{Name: name})
	if err := c.file(name, body); err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, body); err != nil {
		return parseErr(err, "attachment")
	}
	return nil
}

// unnamedPart names a part sent without a file name (an inline image
// usually): "part-2.png".
func unnamedPart(n int, mediaType string) string {
	ext := ""
	if exts, _ := mime.ExtensionsByType(mediaType); len(exts) > 0 {
		ext = exts[0]
	}
	return fmt.Sprintf("part-%d%s", n, ext)
}

// textRun is one text part as read: its text, and whether bytes past what
// could be kept were dropped.
type textRun struct {
	text string
	cut  bool
}

// textPart reads a text part, decoded to UTF-8 by go-message. Only as much
// as can be recorded is kept (HTML gets room for its markup); the rest is
// still read, so a transfer-encoding error anywhere in the part is noticed.
func (c *collector) textPart(body io.Reader, mediaType string) error {
	runs, room := &c.plain, c.lim.MaxTextBytes+1
	if mediaType == "text/html" {
		runs, room = &c.html, 8*c.lim.MaxTextBytes
	}
	for _, r := range *runs {
		room -= len(r.text)
	}
	data, err := io.ReadAll(io.LimitReader(body, int64(max(room, 0))))
	var rest int64
	if err == nil {
		rest, err = io.Copy(io.Discard, body)
	}
	if err != nil {
		return parseErr(err, "%s part", mediaType)
	}
	*runs = append(*runs, textRun{text: strings.ToValidUTF8(string(data), "\uFFFD"), cut: rest > 0})
	return nil
}

// text returns the message's text: its plain parts, else its HTML parts
// made readable, line endings normalised, cut to maxBytes with a note of it.
func (c *collector) text(maxBytes int) (string, bool) {
	runs, convert := c.plain, func(s string) string { return s }
	if len(runs) == 0 {
		runs, convert = c.html, htmlToText
	}
	parts := make([]string, 0, len(runs))
	cut := false
	for _, r := range runs {
		if t := strings.TrimSpace(convert(r.text)); t != "" {
			parts = append(parts, t)
		}
		cut = cut || r.cut
	}
	text := strings.Join(parts, "\n\n")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.Map(func(r rune) rune {
		if r == 0 {
			return -1
		}
		return r
	}, text)
	text = strings.TrimSpace(text)
	if len(text) > maxBytes {
		cut = true
	}
	if cut {
		note := fmt.Sprintf("\n\n[message cut to %d KiB by the email channel]", maxBytes>>10)
		text = strings.TrimSpace(cutUTF8(text, maxBytes-len(note))) + note
	}
	return text, cut
}

// contentType parses Content-Type leniently: a malformed parameter list
// still yields the media type (lower case) and whatever parameters parse.
// A missing field is text/plain (RFC 2045 section 5.2).
func contentType(h message.Header) (string, map[string]string) {
	v := h.Get("Content-Type")
	if strings.TrimSpace(v) == "" {
		return "text/plain", map[string]string{}
	}
	mediaType, params := parseParams(v)
	if mediaType == "" || !strings.Contains(mediaType, "/") {
		return "text/plain", params
	}
	return mediaType, params
}

func contentDisposition(h message.Header) (string, map[string]string) {
	return parseParams(h.Get("Content-Disposition"))
}

// parseParams parses "type; key=value; ..." with mime.ParseMediaType (which
// decodes RFC 2231 continuations and charsets), decoding RFC 2047 words in
// values as Chinese mail clients write file names (=?GB2312?B?...?=). When
// the whole does not parse, each parameter is tried on its own, so one
// malformed parameter does not hide a boundary or a file name.
func parseParams(v string) (string, map[string]string) {
	dec := mime.WordDecoder{CharsetReader: message.CharsetReader}
	decode := func(params map[string]string) map[string]string {
		for k, val := range params {
			if d, err := dec.DecodeHeader(val); err == nil {
				params[k] = d
			}
		}
		return params
	}
	if mediaType, params, err := mime.ParseMediaType(v); err == nil {
		return mediaType, decode(params)
	}
	fields := strings.Split(v, ";")
	mediaType := strings.ToLower(strings.TrimSpace(fields[0]))
	params := map[string]string{}
	for _, f := range fields[1:] {
		if _, p, err := mime.ParseMediaType("x/x;" + f); err == nil {
			for k, val := range p {
				params[k] = val
			}
			continue
		}
		// Unquoted value with spaces or specials: take it as written.
		if k, val, ok := strings.Cut(f, "="); ok {
			k = strings.ToLower(strings.TrimSpace(k))
			if k != "" && !strings.HasSuffix(k, "*") {
				params[k] = strings.Trim(strings.TrimSpace(val), `"`)
			}
		}
	}
	return mediaType, decode(params)
}
