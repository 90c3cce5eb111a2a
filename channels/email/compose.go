package email

import (
	"bytes"
	"fmt"
	"mime"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

// Reply is an agent's reply as it goes out by email.
type Reply struct {
	From       *gomail.Address
	To         *gomail.Address
	Subject    string
	Text       string
	MessageID  string // without angle brackets
	InReplyTo  string
	References []string
	Date       time.Time
}

// compose renders the reply as an RFC 5322 message: one text/plain part in
// UTF-8, quoted-printable (lines stay short whatever the agent typed), the
// subject RFC 2047-encoded when it is not ASCII.
func compose(r Reply) ([]byte, error) {
	var h gomail.Header
	h.SetDate(r.Date)
	h.SetAddressList("From", []*gomail.Address{r.From})
	h.SetAddressList("To", []*gomail.Address{r.To})
	setSubject(&h, r.Subject)
	h.SetMessageID(r.MessageID)
	if r.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{r.InReplyTo})
	}
	if len(r.References) > 0 {
		h.SetMsgIDList("References", r.References)
	}
	h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	var buf bytes.Buffer
	w, err := gomail.CreateSingleInlineWriter(&buf, h)
	if err != nil {
		return nil, fmt.Errorf("compose reply header: %w", err)
	}
	text := strings.ReplaceAll(r.Text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\n", "\r\n")
	if !strings.HasSuffix(text, "\r\n") {
		text += "\r\n" // a body ends with a line break
	}
	if _, err := w.Write([]byte(text)); err != nil {
		return nil, fmt.Errorf("compose reply body: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("compose reply body: %w", err)
	}
	return buf.Bytes(), nil
}

// setSubject writes the subject, RFC 2047-encoded when it is not ASCII.
// Encoded words are put on lines of their own (the first after "Subject:"),
// since RFC 2047 limits lines holding encoded words to 76 characters and a
// 75-character word after "Subject: " would overrun it.
func setSubject(h *gomail.Header, subject string) {
	encoded := mime.QEncoding.Encode("utf-8", subject)
	if encoded == subject {
		h.SetSubject(subject)
		return
	}
	h.AddRaw([]byte("Subject:\r\n " + strings.ReplaceAll(encoded, " =?", "\r\n =?") + "\r\n"))
}

// replySubject is "Re: <subject>", without stacking prefixes: a subject
// that already starts with a reply prefix (Re:, RE:, 回复:, 答复:) is kept.
func replySubject(subject string) string {
	s := strings.TrimSpace(subject)
	if s == "" {
		return "Re: your message"
	}
	lower := strings.ToLower(s)
	for _, p := range []string{"re:", "re :", "回复:", "回复：", "答复:", "答复："} {
		if strings.HasPrefix(lower, p) {
			return s
		}
	}
	return "Re: " + s
}
