package app

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/interactionledger/ledger/channels/internal/edge"
	"github.com/interactionledger/ledger/commands"
)

// DefaultMaxFileBytes bounds one file an app posts.
const DefaultMaxFileBytes = 20 << 20

// formMessagePart names the multipart part holding the message's JSON.
const formMessagePart = "message"

// readForm reads a multipart/form-data post: its first part, "message",
// is the message as JSON (the same as a JSON post, attachments aside),
// and every later part with a file name is a file of the message,
// streamed into the ledger's blob store as the request arrives (never
// held whole). The whole request is bounded by the files' limit.
func (h *Handler) readForm(w http.ResponseWriter, r *http.Request, boundary string) (Message, commands.InboundFiles, error) {
	if boundary == "" {
		return Message{}, nil, edge.Errorf(http.StatusBadRequest, "a multipart post needs its boundary")
	}
	body := http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes+maxAttachments*(h.cfg.MaxFileBytes+4<<10))
	mr := multipart.NewReader(body, boundary)
	first, err := mr.NextPart()
	if err != nil {
		return Message{}, nil, formError(err, "the message part")
	}
	if first.FormName() != formMessagePart {
		return Message{}, nil, edge.Errorf(http.StatusBadRequest, "the first part of a multipart post is %q (the message as JSON), not %q", formMessagePart, first.FormName())
	}
	raw, err := io.ReadAll(io.LimitReader(first, h.cfg.MaxBodyBytes+1))
	if err != nil {
		return Message{}, nil, formError(err, "the message part")
	}
	if int64(len(raw)) > h.cfg.MaxBodyBytes {
		return Message{}, nil, edge.Errorf(http.StatusRequestEntityTooLarge, "the message part is larger than %d bytes", h.cfg.MaxBodyBytes)
	}
	m, err := parseFormMessage(raw)
	if err != nil {
		return Message{}, nil, err
	}
	return m, formFiles(mr), nil
}

// parseFormMessage parses the message part; a message with files may have
// no text, and carries no attachment descriptions of its own.
func parseFormMessage(raw []byte) (Message, error) {
	m, err := decodeMessage(raw)
	if err != nil {
		return Message{}, err
	}
	if len(m.Attachments) > 0 {
		return Message{}, invalid("a multipart post carries its files as parts, not as attachments in the message")
	}
	return m, m.validate(false)
}

// formFiles hands over the form's file parts in order.
func formFiles(mr *multipart.Reader) commands.InboundFiles {
	return func(each func(string, io.Reader) error) error {
		for n := 0; ; n++ {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return formError(err, fmt.Sprintf("file %d", n+1))
			}
			if n >= maxAttachments {
				return invalid("at most %d files", maxAttachments)
			}
			if part.FileName() == "" {
				return invalid("part %q after the message is not a file (it has no file name)", part.FormName())
			}
			if err := each(part.FileName(), part); err != nil {
				return err
			}
		}
	}
}

func formError(err error, what string) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return edge.Errorf(http.StatusRequestEntityTooLarge, "the post is larger than %d bytes", tooBig.Limit)
	}
	return edge.Errorf(http.StatusBadRequest, "reading %s of the multipart post: %v", what, err)
}
