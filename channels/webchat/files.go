package webchat

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"

	"github.com/interactionledger/ledger/channels/internal/edge"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/blobs"
	"github.com/interactionledger/ledger/eventstore/datakeys"
	"github.com/interactionledger/ledger/internal/filehttp"
)

// Files over HTTP, beside the socket: the widget uploads a file as a
// message of its own, and downloads the files of its conversation.
//
//	POST /channels/webchat/files?id=c-3&name=photo.png  (body: the file)
//	GET  /channels/webchat/files/{sha256}[?inline=1]
//
// Both carry the visitor id in X-Visitor-Id (and a verified visitor's
// assertion in X-Identity-Assertion), as the hello does: never in the URL,
// which ends up in logs. The upload is recorded like a message frame with
// that id (a retry with the same id records it once) and answers the ack
// frame as JSON; the conversation's sockets see it as a message with an
// attachment. Its type is sniffed from its first bytes and must be one of
// UploadTypes; it is at most Config.MaxFileBytes. A download serves a
// file of the conversation's current interaction, in either direction.

// Headers of the file endpoints.
const (
	VisitorHeader   = "X-Visitor-Id"
	AssertionHeader = "X-Identity-Assertion"
)

// UploadTypes are the sniffed types a customer may upload: pictures,
// PDFs and plain text.
var UploadTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "text/plain; charset=utf-8": true,
}

// FileStore keeps and opens the files of web chat (a *blobs.Store).
type FileStore interface {
	Open(ctx context.Context, customerID, sha string) (io.ReadCloser, error)
}

// FileAttachment is a file as a message frame carries it.
type FileAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	// Quarantined: the file matched a malware signature and is not
	// served.
	Quarantined bool `json:"quarantined,omitempty"`
}

func frameAttachments(as []domain.Attachment) []FileAttachment {
	if len(as) == 0 {
		return nil
	}
	out := make([]FileAttachment, len(as))
	for i, a := range as {
		out[i] = FileAttachment{Name: a.Name, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256, Quarantined: a.Quarantined != ""}
	}
	return out
}

// ServeFiles answers the file endpoints (and their CORS preflights).
func (s *Server) ServeFiles(w http.ResponseWriter, r *http.Request) {
	if !s.allowCORS(w, r) {
		edge.WriteJSON(w, r, s.cfg.Logger, edge.Errorf(http.StatusForbidden, "this origin may not use the web chat"))
		return
	}
	var err error
	switch {
	case r.Method == http.MethodOptions:
		w.WriteHeader(http.StatusNoContent)
		return
	case r.Method == http.MethodPost && r.PathValue("sha256") == "":
		err = s.upload(w, r)
	case r.Method == http.MethodGet && r.PathValue("sha256") != "":
		err = s.download(w, r)
	default:
		err = edge.Errorf(http.StatusMethodNotAllowed, "POST a file to /channels/webchat/files, GET one from /channels/webchat/files/{sha256}")
	}
	if err != nil {
		edge.WriteJSON(w, r, s.cfg.Logger, err)
	}
}

// allowCORS answers for the origins that may open a socket: the widget
// runs on the company's pages, not the ledger's.
func (s *Server) allowCORS(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if !s.checkOrigin(r) {
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Allow-Methods", "GET, POST")
	h.Set("Access-Control-Allow-Headers", VisitorHeader+", "+AssertionHeader+", Content-Type")
	h.Set("Access-Control-Expose-Headers", "Content-Disposition, Retry-After") // the widget waits as told
	h.Set("Access-Control-Max-Age", "600")
	return true
}

// visitor identifies the caller from the headers, as the hello does.
func (s *Server) visitor(r *http.Request) (domain.Identity, string, bool, error) {
	hello := ClientFrame{Type: frameHello, VisitorID: r.Header.Get(VisitorHeader), Identity: r.Header.Get(AssertionHeader)}
	if err := hello.validateHello(); err != nil {
		return domain.Identity{}, "", false, err
	}
	id, _, verified, err := s.identify(hello)
	if err != nil {
		return domain.Identity{}, "", false, err
	}
	norm, err := s.cfg.Ledger.NormalizeIdentity(id)
	return norm, VisitorDigest(s.cfg.VisitorKey, hello.VisitorID), verified, err
}

// upload records the body as a message with one file.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Files == nil {
		return edge.Errorf(http.StatusServiceUnavailable, "this ledger does not keep files")
	}
	id, device, _, err := s.visitor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if err := checkFrameID(q.Get("id")); err != nil {
		return err
	}
	name, err := cleanUploadName(q.Get("name"))
	if err != nil {
		return err
	}
	if err := s.cfg.Limits.SourceKey(s.sourceKey(r.RemoteAddr)); err != nil {
		return err
	}
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxFileBytes+1)
	msg := commands.InboundMessage{
		Channel: domain.ChannelWebchat, From: id, ProviderMessageID: device + ":" + q.Get("id"), ConversationKey: ConversationKey(id),
		Files: func(each func(string, io.Reader) error) error { return each(name, typeChecked(body)) }, MaxFileBytes: s.cfg.MaxFileBytes,
	}
	res, err := edge.ReceiveWithin(r.Context(), s.cfg.Ledger, s.cfg.Limits, r.RemoteAddr, msg)
	if err != nil {
		return uploadError(err, s.cfg.MaxFileBytes)
	}
	s.echoUpload(r.Context(), id, msg.ProviderMessageID, res.Position)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	return json.NewEncoder(w).Encode(AckFrame{Type: "ack", ID: q.Get("id"), InteractionID: res.InteractionID, Position: res.Position})
}

// echoUpload shows the uploaded file on the conversation's sockets, as
// the ledger recorded it (name, sniffed type, hash).
func (s *Server) echoUpload(ctx context.Context, id domain.Identity, messageID string, pos uint64) {
	key := ConversationKey(id)
	t, err := loadTranscript(ctx, s.cfg.Ledger.Store(), s.cfg.Ledger.StreamNames(), key, s.cfg.HistoryLimit)
	if err != nil {
		s.cfg.Logger.Warn("web chat upload recorded but not shown live", "err", err)
		return
	}
	for _, f := range t.messages {
		if f.ID == messageID {
			s.hub.offer(key, encode(f), pos, nil)
		}
	}
}

// errUploadType refuses a file of a type customers may not upload.
type errUploadType struct{ sniffed string }

func (e *errUploadType) Error() string {
	return fmt.Sprintf("files of type %s cannot be sent here: send a picture, a PDF or a text file", e.sniffed)
}

// typeChecked reads through r, failing before the first byte goes
// anywhere when the sniffed type is not one of UploadTypes.
func typeChecked(r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, 512)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return errReader{err}
	}
	if sniffed := http.DetectContentType(head); !UploadTypes[sniffed] {
		return errReader{&errUploadType{sniffed: sniffed}}
	}
	return br
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func uploadError(err error, limit int64) error {
	var typ *errUploadType
	var tooBig *http.MaxBytesError
	var tooLarge *blobs.TooLargeError
	switch {
	case errors.As(err, &typ):
		return edge.Errorf(http.StatusUnsupportedMediaType, "%s", typ.Error())
	case errors.As(err, &tooBig), errors.As(err, &tooLarge), domain.ErrorCode(err) == domain.EINVALID && strings.Contains(err.Error(), "larger than"):
		return edge.Errorf(http.StatusRequestEntityTooLarge, "a file is at most %d MiB", limit>>20)
	case errors.Is(err, blobs.ErrScanUnavailable):
		return &edge.Error{Status: http.StatusServiceUnavailable, Message: "the file cannot be checked for malware now: send it again in a minute", Err: err}
	}
	return err
}

// download serves a file of the conversation's current interaction.
func (s *Server) download(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Files == nil {
		return edge.Errorf(http.StatusServiceUnavailable, "this ledger does not keep files")
	}
	id, _, _, err := s.visitor(r)
	if err != nil {
		return err
	}
	a, err := s.conversationFile(r.Context(), id, r.PathValue("sha256"))
	if err != nil {
		return err
	}
	content, err := s.cfg.Files.Open(r.Context(), a.Owner, a.SHA256)
	switch {
	case errors.Is(err, datakeys.ErrErased):
		return &edge.Error{Status: http.StatusGone, Message: "this file was erased", Err: err}
	case errors.Is(err, blobs.ErrNotFound):
		return &edge.Error{Status: http.StatusNotFound, Message: "this file can no longer be read", Err: err}
	case err != nil:
		return &edge.Error{Status: http.StatusServiceUnavailable, Message: "the file cannot be read now: try again shortly", Err: err}
	}
	defer content.Close()
	filehttp.SetHeaders(w.Header(), a.Name, a.ContentType, a.Size, r.URL.Query().Get("inline") == "1")
	if _, err := io.Copy(w, content); err != nil {
		s.cfg.Logger.Warn("web chat file download cut", "err", err)
		panic(http.ErrAbortHandler) // the announced length makes the cut visible
	}
	return nil
}

// conversationFile finds a kept file among the messages of the
// conversation's current interaction.
func (s *Server) conversationFile(ctx context.Context, id domain.Identity, sha string) (domain.Attachment, error) {
	as, err := currentAttachments(ctx, s.cfg.Ledger.Store(), s.cfg.Ledger.StreamNames(), ConversationKey(id))
	if err != nil {
		return domain.Attachment{}, err
	}
	for _, a := range as {
		if a.SHA256 == sha && a.Kept() {
			return a, nil
		}
	}
	return domain.Attachment{}, edge.Errorf(http.StatusNotFound, "no such file in this conversation")
}

// maxRawFileName bounds the name an upload gives (longer ones are
// refused; commands.CleanFileName cuts what it keeps to 255 bytes).
const maxRawFileName = 1024

// cleanUploadName is the name the widget sends, as the ledger records it
// (commands.CleanFileName); nothing left of it is refused.
func cleanUploadName(name string) (string, error) {
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", edge.Errorf(http.StatusBadRequest, "a file name holds no control characters")
	}
	if len(name) > maxRawFileName {
		return "", edge.Errorf(http.StatusBadRequest, "a file name is at most %d bytes", maxRawFileName)
	}
	clean := commands.CleanFileName(name)
	if clean == "" || clean == "." || clean == ".." {
		return "", edge.Errorf(http.StatusBadRequest, "the upload needs the file's name: ?name=...")
	}
	return clean, nil
}
