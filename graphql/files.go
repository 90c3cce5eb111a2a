package graphql

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/blobs"
	"github.com/interactionledger/ledger/eventstore/datakeys"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/transport"
	"github.com/interactionledger/ledger/internal/filehttp"
)

// Files keeps and opens attachments' contents (a *blobs.Store).
type Files interface {
	Open(ctx context.Context, customerID, sha string) (io.ReadCloser, error)
	Put(ctx context.Context, customerID string, r io.Reader, limit int64) (blobs.Ref, error)
}

// FilesPattern is the download endpoint's route (http.ServeMux):
// GET /files/interactions/{id}/{sha256} serves an attachment of one of the
// interaction's messages, GET /files/tickets/{id}/{sha256} one of the
// ticket's notes.
const FilesPattern = "GET /files/{kind}/{id}/{sha256}"

// The kinds of things files are attached to, as named in their URLs.
const (
	kindInteractions = "interactions"
	kindTickets      = "tickets"
)

// downloadURL is where an attachment of the interaction or ticket id is
// downloaded.
func downloadURL(kind, id string, a domain.Attachment) string {
	return "/files/" + kind + "/" + id + "/" + a.SHA256
}

// ServeFile answers FilesPattern: the caller must be allowed to download
// attachments (not analysts), the file must belong to the interaction,
// be kept and not quarantined. Every download is recorded in the access
// ledger before a byte is sent. The answer is built to be opened safely:
// the sniffed type, nosniff, a sandboxing CSP, and "attachment" unless an
// image or PDF is asked for inline.
func (s *Server) ServeFile(w http.ResponseWriter, r *http.Request) {
	if err := s.serveFile(w, r); err != nil {
		writeFileError(w, err, s.log)
	}
}

// fileCaller authenticates a request of the file endpoints (as /graphql
// does) on a server that keeps files.
func (s *Server) fileCaller(r *http.Request) (context.Context, auth.Viewer, error) {
	if s.root.files == nil {
		return nil, auth.Viewer{}, apierror.New(apierror.CodeUnavailable, "this server keeps no attachments' contents")
	}
	v, err := transport.AuthenticateRequest(s.auth, r)
	if err != nil {
		return nil, v, err
	}
	return auth.WithViewer(transport.WithClientIP(r.Context(), r), v), v, nil
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) error {
	ctx, v, err := s.fileCaller(r)
	if err != nil {
		return err
	}
	if _, err := auth.Authorize(ctx, auth.OpDownloadFiles); err != nil {
		return err
	}
	kind, id, sha := r.PathValue("kind"), r.PathValue("id"), r.PathValue("sha256")
	a, err := s.attachment(ctx, kind, id, sha)
	if err != nil {
		return err
	}
	content, err := s.root.files.Open(ctx, a.Owner, a.SHA256)
	if err != nil {
		return fileOpenError(err)
	}
	defer content.Close()
	s.access.record([]domain.DataAccess{{
		Subject: v.Subject, Role: string(v.Role), CustomerIDs: []string{a.Owner}, Fields: []string{"attachment"},
		Operation: "download " + kind + "/" + id + "/" + a.SHA256, ClientAddr: transport.ClientIP(ctx), At: s.root.now().UTC(),
	}})
	filehttp.SetHeaders(w.Header(), a.Name, a.ContentType, a.Size, r.URL.Query().Get("inline") == "1")
	if _, err := io.Copy(w, content); err != nil {
		// The length was announced: the client sees a cut download, not
		// a whole one.
		s.log.WarnContext(ctx, "attachment download cut", kind, id, "sha256", a.SHA256, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// attachment finds the attachment with hash sha among the files of the
// interaction's messages or the ticket's notes.
func (s *Server) attachment(ctx context.Context, kind, id, sha string) (domain.Attachment, error) {
	var lists [][]domain.Attachment
	switch kind {
	case kindInteractions:
		msgs, err := s.root.db.Messages(ctx, id)
		if err != nil {
			return domain.Attachment{}, err
		}
		for _, m := range msgs {
			lists = append(lists, m.Attachments)
		}
	case kindTickets:
		t, err := s.root.db.Ticket(ctx, id)
		if err != nil {
			return domain.Attachment{}, err
		}
		for _, n := range t.Notes {
			lists = append(lists, n.Attachments)
		}
	default:
		return domain.Attachment{}, apierror.NotFound("no files of %q", kind)
	}
	for _, list := range lists {
		for _, a := range list {
			if a.SHA256 == sha {
				return keptAttachment(a)
			}
		}
	}
	return domain.Attachment{}, apierror.NotFound("%s %s has no attachment %s", strings.TrimSuffix(kind, "s"), id, sha)
}

// keptAttachment refuses a file whose bytes cannot be served.
func keptAttachment(a domain.Attachment) (domain.Attachment, error) {
	switch {
	case a.Quarantined != "":
		return a, apierror.Forbidden("this file is quarantined: it matched the malware signature %s", a.Quarantined)
	case !a.Kept():
		return a, apierror.NotFound("the contents of this file were not kept (it was recorded by name, type and size only)")
	}
	return a, nil
}

func fileOpenError(err error) error {
	switch {
	case errors.Is(err, datakeys.ErrErased):
		return apierror.New(codeGone, "the customer was erased: their files can no longer be read")
	case errors.Is(err, blobs.ErrNotFound):
		return apierror.NotFound("the file's contents are missing from the blob store")
	}
	return fmt.Errorf("open attachment: %w", err)
}

// writeFileError answers an error as plain text with the status of its
// code.
func writeFileError(w http.ResponseWriter, err error, log *slog.Logger) {
	code, msg, _ := apierror.Classify(err)
	status, ok := fileStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusInternalServerError { // a client that went away is no server error
		log.Error("attachment download failed", "err", err)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

// Codes of the file endpoints' own: an erased customer's file, an upload
// over the limit, an infected upload.
const (
	codeGone     = "GONE"
	codeTooLarge = "TOO_LARGE"
	codeInfected = "INFECTED"
)

// fileStatus is the HTTP status of each error code of a download.
var fileStatus = map[string]int{
	apierror.CodeBadUserInput: http.StatusBadRequest, apierror.CodeNotFound: http.StatusNotFound,
	apierror.CodeForbidden: http.StatusForbidden, apierror.CodeUnauthenticated: http.StatusUnauthorized,
	apierror.CodeTimeout: http.StatusGatewayTimeout, apierror.CodeUnavailable: http.StatusServiceUnavailable,
	codeGone: http.StatusGone, codeTooLarge: http.StatusRequestEntityTooLarge, codeInfected: http.StatusUnprocessableEntity,
	apierror.CodeConflict: http.StatusConflict,
}
