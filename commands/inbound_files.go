package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/blobs"
)

// FileStore keeps the contents of attachments (a *blobs.Store): sealed
// with the customer's data key, addressed by their hash.
type FileStore interface {
	Put(ctx context.Context, customerID string, r io.Reader, limit int64) (blobs.Ref, error)
	Erase(ctx context.Context, customerID string) error
}

// WithFiles makes the handler keep the contents of inbound messages'
// files (InboundMessage.Files) in files; without it only their
// descriptions (InboundMessage.Attachments) are recorded.
func WithFiles(files FileStore) Option { return func(h *Handler) { h.files = files } }

// KeepsFiles reports whether the handler keeps attachments' contents.
func (h *Handler) KeepsFiles() bool { return h.files != nil }

// ErrFileGone, wrapped in an error of InboundFiles, says the provider no
// longer has a file (an expired media id): the message is recorded with
// the channel's description of its files (Attachments) instead, rather
// than refused forever.
var ErrFileGone = errors.New("the provider no longer has the file")

// DefaultMaxFileBytes bounds one inbound file when the channel sets no
// limit of its own.
const DefaultMaxFileBytes = 25 << 20

// InboundFiles hands a message's files over one at a time: it calls each
// with a file's name and its content, which each must read before the next
// file is handed over, and stops at the first error each returns. It is
// called at most once per ReceiveInbound, so a request body can be
// streamed through it.
type InboundFiles func(each func(name string, content io.Reader) error) error

// storeFiles keeps the message's files under the customer's key and
// describes them as the message's attachments. A file over the limit
// refuses the message (EINVALID): the channel says so to the sender
// rather than dropping the file quietly. Infected files are described as
// quarantined; their bytes are not kept.
func (h *Handler) storeFiles(ctx context.Context, customerID string, msg *InboundMessage) error {
	msg.Attachments = described(msg.Attachments)
	if msg.Files == nil || h.files == nil && len(msg.Attachments) > 0 {
		return nil // described by the channel, or nothing to keep
	}
	put := h.putFile
	if h.files == nil {
		put = describeFile // a ledger in clear keeps descriptions only
	}
	limit := msg.MaxFileBytes
	if limit <= 0 {
		limit = DefaultMaxFileBytes
	}
	var kept []domain.Attachment
	err := msg.Files(func(name string, content io.Reader) error {
		if len(kept) >= domain.MaxAttachments {
			return domain.Errorf(domain.EINVALID, "a message carries at most %d attachments", domain.MaxAttachments)
		}
		name = CleanFileName(name)
		ref, err := put(ctx, customerID, content, limit)
		if err != nil {
			return fileError(name, err)
		}
		a := attachmentOf(name, customerID, ref)
		if h.files == nil {
			a.Owner = "" // described, not kept
		}
		kept = append(kept, a)
		return nil
	})
	if errors.Is(err, ErrFileGone) {
		h.logger.WarnContext(ctx, "an inbound file is gone from its provider: the message is recorded with its description only",
			"channel", msg.Channel, "message", msg.ProviderMessageID, "err", err)
		return nil
	}
	if err != nil {
		return err
	}
	msg.Attachments = kept
	return nil
}

func (h *Handler) putFile(ctx context.Context, customerID string, r io.Reader, limit int64) (blobs.Ref, error) {
	return h.files.Put(ctx, customerID, r, limit)
}

// describeFile reads a file through for its description.
func describeFile(_ context.Context, _ string, r io.Reader, limit int64) (blobs.Ref, error) {
	return blobs.DescribeContent(r, limit)
}

// described keeps what a channel may say of a file it does not hand
// over: its name, type, size and hash. Whose key seals kept bytes, and
// whether a scanner quarantined them, only the ledger says (storeFiles):
// a sender naming an owner would have agents open another customer's
// file in their conversation.
func described(as []domain.Attachment) []domain.Attachment {
	if len(as) == 0 {
		return as
	}
	out := make([]domain.Attachment, len(as))
	for i, a := range as {
		out[i] = domain.Attachment{Name: CleanFileName(a.Name), ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256}
	}
	return out
}

// maxFileName bounds a file name, in bytes.
const maxFileName = 255

// CleanFileName is a file name as the ledger records it, whatever the
// sender wrote: its last path element, without control or bidirectional
// formatting characters (which can disguise "exe.pdf" as "fdp.exe"), at
// most maxFileName bytes.
func CleanFileName(name string) string {
	name = strings.ReplaceAll(strings.ToValidUTF8(name, "\uFFFD"), `\`, "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > maxFileName {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// attachmentOf describes a kept (or quarantined) file.
func attachmentOf(name, customerID string, ref blobs.Ref) domain.Attachment {
	a := domain.Attachment{Name: name, ContentType: ref.ContentType, Size: ref.Size, SHA256: ref.SHA256, Owner: customerID}
	if ref.Infected != "" {
		a.Owner, a.Quarantined = "", ref.Infected
	}
	if a.Name == "" {
		a.Name = "attachment"
	}
	return a
}

func fileError(name string, err error) error {
	var tooLarge *blobs.TooLargeError
	if errors.As(err, &tooLarge) {
		return domain.Errorf(domain.EINVALID, "attachment %q is larger than the channel's limit of %d bytes", name, tooLarge.Limit)
	}
	return fmt.Errorf("keep attachment %q: %w", name, err)
}
