package graphql

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/golang-jwt/jwt/v5"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/blobs"
	"github.com/interactionledger/ledger/eventstore/datakeys"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

// An agent attaches a file in two steps: the upload endpoint keeps the
// file under the customer of the interaction or ticket it is for and
// answers a token; replyToInteraction or commentOnTicket names the token
// in files, and the event records the file. The token is signed, names
// the file's hash, size and sniffed type, what it is for and who uploaded
// it, so a mutation records only files the server kept for that purpose.

// UploadPattern is the upload endpoint's route: POST
// /files/uploads?interaction=ID&name=NAME (or ticket=ID) with the file as
// the body.
const UploadPattern = "POST /files/uploads"

// Files attached by agents, limits.
const (
	// MaxUploadBytes bounds one uploaded file.
	MaxUploadBytes = 25 << 20
	// uploadTTL is how long an upload's token may be attached.
	uploadTTL = time.Hour
	// maxRawFileName bounds the name an upload gives (longer ones are
	// refused; commands.CleanFileName cuts what it keeps to 255 bytes).
	maxRawFileName = 1024
)

// uploadClaims are what an upload token vouches for.
type uploadClaims struct {
	// For is "interaction:<id>" or "ticket:<id>".
	For         string `json:"for"`
	Customer    string `json:"cus"`
	SHA256      string `json:"sha"`
	Size        int64  `json:"size"`
	ContentType string `json:"type"`
	Name        string `json:"name"`
	jwt.RegisteredClaims
}

// uploads signs and checks upload tokens with a key of the process's own:
// a token outlives neither the hour nor the server (the desktop uploads
// again after a restart).
type uploads struct{ key []byte }

func newUploads() *uploads {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails (crypto/rand)
	return &uploads{key: key}
}

const uploadAudience = "ledger-upload"

func (u *uploads) mint(c uploadClaims, subject string, now time.Time) (string, error) {
	c.RegisteredClaims = jwt.RegisteredClaims{Subject: subject, Audience: jwt.ClaimStrings{uploadAudience},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(uploadTTL))}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(u.key)
	if err != nil {
		return "", fmt.Errorf("sign upload: %w", err)
	}
	return token, nil
}

// attachment checks a token for a file attached to target by subject
// and returns the file's description.
func (u *uploads) attachment(token, target, subject string, now time.Time) (domain.Attachment, error) {
	var c uploadClaims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return u.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithAudience(uploadAudience),
		jwt.WithSubject(subject), jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return domain.Attachment{}, apierror.BadInput("a file's upload token is not valid (%v): upload the file again", err)
	}
	if c.For != target {
		return domain.Attachment{}, apierror.BadInput("the file %q was uploaded for %s, not for %s", c.Name, c.For, target)
	}
	return domain.Attachment{Name: c.Name, ContentType: c.ContentType, Size: c.Size, SHA256: c.SHA256, Owner: c.Customer}, nil
}

// attachments checks the tokens of a mutation's files.
func (r *resolver) attachments(ctx context.Context, tokens *[]string, target string) ([]domain.Attachment, error) {
	if tokens == nil || len(*tokens) == 0 {
		return nil, nil
	}
	if len(*tokens) > domain.MaxAttachments {
		return nil, apierror.BadInput("at most %d files at once", domain.MaxAttachments)
	}
	v, _ := auth.ViewerFrom(ctx)
	out := make([]domain.Attachment, 0, len(*tokens))
	for _, t := range *tokens {
		a, err := r.uploads.attachment(t, target, v.Subject, r.now())
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// fileChannels are the channels whose replies carry files to the
// customer: email (attachments) and web chat (the widget downloads them).
// SMS, WeChat and app replies are text: a file on one would be recorded
// as sent and never reach the customer.
var fileChannels = map[domain.Channel]bool{domain.ChannelEmail: true, domain.ChannelWebchat: true}

// channelCarriesFiles refuses files on a reply whose channel cannot carry
// them.
func (r *resolver) channelCarriesFiles(ctx context.Context, interactionID string, files []domain.Attachment) error {
	if len(files) == 0 {
		return nil
	}
	it, err := r.db.Interaction(ctx, interactionID)
	if err != nil {
		return err
	}
	if !fileChannels[it.Channel] {
		return apierror.BadInput("a %s reply carries no files: send them by email or web chat", strings.ToLower(string(it.Channel)))
	}
	return nil
}

// uploadAnswer is the upload endpoint's JSON answer.
type uploadAnswer struct {
	Token       string `json:"token"`
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// ServeUpload answers UploadPattern: it keeps the body under the customer
// of the interaction or ticket named, scanned when the server scans, and
// answers the token to attach it with. A file over MaxUploadBytes gets
// 413, an infected one 422, and neither is kept.
func (s *Server) ServeUpload(w http.ResponseWriter, r *http.Request) {
	if err := s.serveUpload(w, r); err != nil {
		writeFileError(w, err, s.log)
	}
}

func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) error {
	ctx, v, err := s.fileCaller(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	name, err := cleanFileName(q.Get("name"))
	if err != nil {
		return err
	}
	target, customer, err := s.uploadTarget(ctx, q.Get("interaction"), q.Get("ticket"))
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBytes+1)
	ref, err := s.root.files.Put(ctx, customer, r.Body, MaxUploadBytes)
	if err != nil {
		return uploadError(err)
	}
	if ref.Infected != "" {
		return apierror.New(codeInfected, "the file matched the malware signature %s: it was not kept", ref.Infected)
	}
	token, err := s.root.uploads.mint(uploadClaims{For: target, Customer: customer, SHA256: ref.SHA256, Size: ref.Size,
		ContentType: ref.ContentType, Name: name}, v.Subject, s.root.now())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(uploadAnswer{Token: token, Name: name, ContentType: ref.ContentType, Size: ref.Size, SHA256: ref.SHA256})
}

// uploadTarget checks the caller may act on what the file is for and
// returns it ("interaction:<id>") with its customer.
func (s *Server) uploadTarget(ctx context.Context, interactionID, ticketID string) (string, string, error) {
	switch {
	case interactionID != "" && ticketID == "":
		if _, err := auth.Authorize(ctx, auth.OpActOnInteraction); err != nil {
			return "", "", err
		}
		i, err := s.root.db.Interaction(ctx, interactionID)
		if err != nil {
			return "", "", err
		}
		return "interaction:" + interactionID, i.CustomerID, nil
	case ticketID != "" && interactionID == "":
		if _, err := auth.Authorize(ctx, auth.OpActOnTicket); err != nil {
			return "", "", err
		}
		t, err := s.root.db.Ticket(ctx, ticketID)
		if err != nil {
			return "", "", err
		}
		return "ticket:" + ticketID, t.CustomerID, nil
	}
	return "", "", apierror.BadInput("name the interaction or the ticket the file is for: ?interaction=ID or ?ticket=ID")
}

// cleanFileName is the name the desktop sends, as the ledger records it
// (commands.CleanFileName); nothing left of it is refused.
func cleanFileName(name string) (string, error) {
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", apierror.BadInput("a file name holds no control characters")
	}
	if len(name) > maxRawFileName {
		return "", apierror.BadInput("a file name is at most %d bytes", maxRawFileName)
	}
	clean := commands.CleanFileName(name)
	if clean == "" || clean == "." || clean == ".." {
		return "", apierror.BadInput("the upload needs the file's name: ?name=...")
	}
	return clean, nil
}

func uploadError(err error) error {
	var tooLarge *blobs.TooLargeError
	var maxBytes *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge) || errors.As(err, &maxBytes):
		return apierror.New(codeTooLarge, "a file is at most %d MiB", MaxUploadBytes>>20)
	case errors.Is(err, blobs.ErrScanUnavailable):
		return apierror.New(apierror.CodeUnavailable, "the malware scanner does not answer: try again shortly")
	case errors.Is(err, datakeys.ErrErased):
		return apierror.New(codeGone, "the customer was erased: no file can be kept for them")
	}
	return fmt.Errorf("keep upload: %w", err)
}
