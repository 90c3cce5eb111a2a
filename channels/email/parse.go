package email

import (
	"bytes"
	"io"

	"mime"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // GB2312, GBK, GB18030, Big5, ISO-8859-*, ... for bodies and RFC 2047 words
	gomail "github.com/emersion/go-message/mail"

	"github.com/interactionledger/ledger/domain"
)

// Message is an inbound email as the ledger records it.
type Message struct {
	// MessageID is the Message-ID without angle brackets; Derived is true
	// when the message had none and the id was derived from its content.
	MessageID string
	Derived   bool
	// InReplyTo is the first id of In-Reply-To; References the ids of
	// References in order (trimmed to the first and the latest).
	InReplyTo  string
	References []string
	// From is the sender's address as written; FromName the display name,
	// decoded from RFC 2047 if it was encoded.
	From     string
	FromName string
	Subject  string
	// Date is the Date field; zero when missing or unreadable.
	Date time.Time
	// Text is the message's text: its text/plain parts, else its HTML made
	// readable, in UTF-8. Truncated is true when it was cut to fit
	// Limits.MaxTextBytes.
	Text      string
	Truncated bool
	// Attachments describe every other part; their bytes are not kept.
	Attachments []domain.Attachment
}

// Limits bound the work one message can cause. Zero values pick defaults.
type Limits struct {
	// MaxTextBytes bounds the recorded text (default domain.MaxMessageBytes,
	// the most one message event holds); a longer text is cut at a
	// character boundary and marked as cut.
	MaxTextBytes int
	// MaxParts bounds the MIME parts of one message (default 100).
	MaxParts int
	// MaxDepth bounds multipart nesting (default 8).
	MaxDepth int
}

func (l Limits) withDefaults() Limits {
	if l.MaxTextBytes <= 0 {
		l.MaxTextBytes = domain.MaxMessageBytes
	}
	if l.MaxParts <= 0 {
		l.MaxParts = 100
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 8
	}
	return l
}

// maxSubjectBytes is the longest subject an interaction records.
const maxSubjectBytes = 998

// Parse reads a raw RFC 5322 message. It returns a *ParseError when the
// message is not acceptable MIME; a message whose charset is unknown is not
// refused (its text is kept as far as it is valid UTF-8).
func Parse(raw []byte, lim Limits) (*Message, error) {
	lim = lim.withDefaults()
	entity, err := message.Read(bytes.NewReader(raw))
	if err != nil && !lenient(err) {
		return nil, parseErr(err, "header")
	}
	h := gomail.Header{Header: entity.Header}
	m := &Message{Subject: headerText(h.Header, "Subject", maxSubjectBytes)}
	m.From, m.FromName = fromAddress(h)
	if ids := parseMsgIDs(h.Get("Message-Id")); len(ids) > 0 {
		m.MessageID = ids[0]
	} else {
		m.MessageID, m.Derived = derivedMessageID(entity.Header, bodyOf(raw)), true
	}
	if ids := parseMsgIDs(h.Get("In-Reply-To")); len(ids) > 0 {
		m.InReplyTo = ids[0]
	}
	m.References = trimReferences(parseMsgIDs(h.Get("References")))
	if d, err := h.Date(); err == nil {
		m.Date = d.UTC()
	}

	c := collector{lim: lim}
	if err := c.entity(entity, 0); err != nil {
		return nil, err
	}
	m.Text, m.Truncated = c.text(lim.MaxTextBytes)
	m.Attachments = c.attachments
	return m, nil
}

// Files walks raw's MIME tree again (Parse accepted it) and hands each
// attachment's decoded content to each, streaming: parts and inline
// images alike, in the order Parse described them. An error of each stops
// the walk and is returned as it is.
func Files(raw []byte, lim Limits, each func(name string, content io.Reader) error) error {
	lim = lim.withDefaults()
	entity, err := message.Read(bytes.NewReader(raw))
	if err != nil && !lenient(err) {
		return parseErr(err, "header")
	}
	var eachErr error
	c := collector{lim: lim, file: func(name string, content io.Reader) error {
		eachErr = each(name, content)
		return eachErr
	}}
	if err := c.entity(entity, 0); err != nil {
		if eachErr != nil {
			return eachErr
		}
		return err
	}
	return nil
}

// lenient reports whether a go-message error still leaves a readable
// entity: an unknown charset or transfer encoding. Such a part is kept as
// it is rather than refused, since refusing it would bounce a customer's
// message for a label we do not know.
func lenient(err error) bool {
	return message.IsUnknownCharset(err) || message.IsUnknownEncoding(err)
}

// bodyOf returns what follows the header block of raw.
func bodyOf(raw []byte) []byte {
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		return raw[i+4:]
	}
	if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		return raw[i+2:]
	}
	return nil
}

// headerText decodes an unstructured field (RFC 2047 words in any charset
// the charset package knows) into one clean line of at most maxBytes.
func headerText(h message.Header, key string, maxBytes int) string {
	v, err := h.Text(key)
	if err != nil {
		v = h.Get(key) // unknown charset: the raw text is the best there is
	}
	return cleanLine(v, maxBytes)
}

// cleanLine makes s valid UTF-8 on one line, without control characters,
// runs of spaces collapsed, cut to maxBytes at a character boundary.
func cleanLine(s string, maxBytes int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	return cutUTF8(s, maxBytes)
}

// cutUTF8 returns the longest prefix of s of at most n bytes that ends on
// a character boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// maxNameRunes is the longest display name a customer record takes.
const maxNameRunes = 200

// displayName cleans a sender's display name and cuts it to what a
// customer record takes, so a long name never costs the message.
func displayName(name string) string {
	name = cleanLine(name, 4*maxNameRunes)
	if utf8.RuneCountInString(name) <= maxNameRunes {
		return name
	}
	return string([]rune(name)[:maxNameRunes])
}

// fromAddress returns the address and display name of the first From
// mailbox. It falls back to the bare address in angle brackets when the
// field does not parse as a whole (a display name with unquoted specials
// is common in the wild).
func fromAddress(h gomail.Header) (addr, name string) {
	field := h.Get("From")
	if field == "" {
		return "", ""
	}
	if list, err := h.AddressList("From"); err == nil && len(list) > 0 {
		return list[0].Address, displayName(list[0].Name)
	}
	if open := strings.LastIndexByte(field, '<'); open >= 0 {
		if end := strings.IndexByte(field[open:], '>'); end > 0 {
			addr = strings.TrimSpace(field[open+1 : open+end])
			dec := mime.WordDecoder{CharsetReader: message.CharsetReader}
			name, err := dec.DecodeHeader(strings.Trim(strings.TrimSpace(field[:open]), `"`))
			if err != nil {
				name = ""
			}
			return addr, displayName(name)
		}
	}
	if a, err := mail.ParseAddress(strings.TrimSpace(field)); err == nil {
		return a.Address, ""
	}
	return strings.TrimSpace(field), ""
}
