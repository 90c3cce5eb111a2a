package email

import (
	"fmt"
	"io"
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
	// Files are the reply's attachments, opened as they are written.
	Files []ReplyFile
}

// ReplyFile is an attachment of a reply: its name and sniffed type, and
// its content, opened before the message is handed over (so that a file
// that cannot be read fails the attempt before the relay sees a byte).
type ReplyFile struct {
	Name        string
	ContentType string
	Content     io.Reader
}

// compose writes the reply as an RFC 5322 message to w: one text/plain
// part in UTF-8, quoted-printable (lines stay short whatever the agent
// typed), the subject RFC 2047-encoded when it is not ASCII; with files, a
// multipart/mixed of the text and each file (base64, streamed from Open).
func compose(w io.Writer, r Reply) error {
	h := replyHeader(r)
	if len(r.Files) == 0 {
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		body, err := gomail.CreateSingleInlineWriter(w, h)
		if err != nil {
			return fmt.Errorf("compose reply header: %w", err)
		}
		return writeText(body, r.Text)
	}
	mw, err := gomail.CreateWriter(w, h)
	if err != nil {
		return fmt.Errorf("compose reply header: %w", err)
	}
	var th gomail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	tw, err := mw.CreateSingleInline(th)
	if err != nil {
		return fmt.Errorf("compose reply body: %w", err)
	}
	if err := writeText(tw, r.Text); err != nil {
		return err
	}
	for _, f := range r.Files {
		if err := writeFile(mw, f); err != nil {
			return err
		}
	}
	if err := mw.Close(); err != nil {
		return fmt.Errorf("compose reply: %w", err)
	}
	return nil
}

func replyHeader(r Reply) gomail.Header {
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
	return h
}

// writeText writes the reply's text with CRLF line breaks and closes w.
func writeText(w io.WriteCloser, text string) error {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\n", "\r\n")
	if !strings.HasSuffix(text, "\r\n") {
		text += "\r\n" // a body ends with a line break
	}
	if _, err := w.Write([]byte(text)); err != nil {
		return fmt.Errorf("compose reply body: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("compose reply body: %w", err)
	}
	return nil
}

// writeFile streams one attachment into the message.
func writeFile(mw *gomail.Writer, f ReplyFile) error {
	var ah gomail.AttachmentHeader
	ah.SetContentType(mediaTypeOf(f.ContentType), nil)
	ah.SetFilename(f.Name)
	aw, err := mw.CreateAttachment(ah)
	if err != nil {
		return fmt.Errorf("compose attachment %q: %w", f.Name, err)
	}
	if _, err := io.Copy(aw, f.Content); err != nil {
		return fmt.Errorf("attach %q: %w", f.Name, err)
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("attach %q: %w", f.Name, err)
	}
	return nil
}

// mediaTypeOf is the media type of a sniffed type without its parameters
// ("text/plain; charset=utf-8" is text/plain), application/octet-stream
// when there is none.
func mediaTypeOf(contentType string) string {
	if t, _, err := mime.ParseMediaType(contentType); err == nil {
		return t
	}
	return "application/octet-stream"
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
