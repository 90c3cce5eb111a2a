// Package session signs people in to the desktop: POST /auth/login checks
// a subject and password against the accounts file and sets the session
// cookie (auth.SessionCookie) holding a token minted as `ledger token`
// mints one, for the account's role and that role's longest lifetime;
// POST /auth/logout revokes it and clears the cookie; GET /auth/me says
// who the cookie (or a bearer token) signs in. Failed sign-ins are
// limited per account and per client address.
package session

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime"
	"time"

	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/auth/accounts"
	"github.com/interactionledger/ledger/internal/limit"
)

// Default limits on failed sign-ins: per account a burst of 5, then one
// more every 3 minutes; per client address (an IPv6 /64) a burst of 20,
// then one a minute. The per-account limit is what stops guessing one
// password from many addresses; it also lets anyone hold an account's
// sign-ins back for minutes, never for good.
var (
	DefaultPerAccount = limit.Rate{PerSecond: 20.0 / 3600, Burst: 5}
	DefaultPerAddress = limit.Rate{PerSecond: 60.0 / 3600, Burst: 20}
)

// maxLoginBody bounds a login request's body.
const maxLoginBody = 4 << 10

// Config is what a Handler signs in with.
type Config struct {
	Auth     *auth.Authenticator
	Accounts *accounts.Store
	// PerAccount and PerAddress limit failed sign-ins (zero Rate: no
	// limit).
	PerAccount, PerAddress limit.Rate
	Logger                 *slog.Logger
}

// Handler serves /auth/login, /auth/logout and /auth/me.
type Handler struct {
	auth     *auth.Authenticator
	accounts *accounts.Store
	log      *slog.Logger

	sources     limit.Sources
	failAccount *limit.Limiter
	failAddress *limit.Limiter
	// hashing bounds the password hashes computed at once (each takes
	// ~19 MiB and a core for tens of milliseconds).
	hashing chan struct{}
}

// New returns a Handler on cfg.
func New(cfg Config) (*Handler, error) {
	if cfg.Auth == nil || cfg.Accounts == nil {
		return nil, errors.New("session: Auth and Accounts are required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Handler{
		auth: cfg.Auth, accounts: cfg.Accounts, log: log,
		failAccount: limit.NewLimiter(cfg.PerAccount, "failed sign-ins to this account", 0, nil),
		failAddress: limit.NewLimiter(cfg.PerAddress, "failed sign-ins from this address", 0, nil),
		hashing:     make(chan struct{}, max(1, runtime.GOMAXPROCS(0))),
	}, nil
}

// Register mounts the routes on mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /auth/login", h.login)
	mux.HandleFunc("POST /auth/logout", h.logout)
	mux.HandleFunc("GET /auth/me", h.me)
}

// Me is who a session signs in, as /auth/login and /auth/me answer.
type Me struct {
	Subject     string    `json:"subject"`
	Role        auth.Role `json:"role"`
	DisplayName string    `json:"displayName"`
	// ExpiresAt is when the session ends (sign in again then).
	ExpiresAt time.Time `json:"expiresAt"`
}

type credentials struct {
	Subject  string `json:"subject"`
	Password string `json:"password"`
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Origin") != "" && !auth.OriginMatchesHost(r) {
		writeError(w, http.StatusForbidden, apierror.CodeForbidden, "Sign in from a page of this server: the request's Origin names another site.")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, apierror.CodeBadUserInput, "Send the subject and password as a JSON object (Content-Type: application/json).")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxLoginBody))
	var c credentials
	if err == nil {
		err = json.Unmarshal(body, &c)
	}
	if err != nil || c.Subject == "" || c.Password == "" {
		writeError(w, http.StatusBadRequest, apierror.CodeBadUserInput, `Send {"subject": "...", "password": "..."}: both are required.`)
		return
	}
	addr := h.sources.Key(r.RemoteAddr)
	for _, check := range []error{h.failAddress.Check(addr), h.failAccount.Check(c.Subject)} {
		var le *limit.Error
		if errors.As(check, &le) {
			h.log.WarnContext(r.Context(), "sign-in refused: too many failures", "subject", c.Subject, "addr", addr, "limit", le.What)
			w.Header().Set("Retry-After", limit.RetryAfterSeconds(le.RetryAfter))
			writeError(w, http.StatusTooManyRequests, "RATE_LIMITED",
				"Too many failed sign-ins; try again in "+limit.RetryAfterSeconds(le.RetryAfter)+" seconds.")
			return
		}
	}
	select {
	case h.hashing <- struct{}{}:
	case <-r.Context().Done():
		return
	}
	acct, err := h.accounts.Authenticate(c.Subject, c.Password)
	<-h.hashing
	switch {
	case errors.Is(err, accounts.ErrBadCredentials), errors.Is(err, accounts.ErrDisabled):
		_ = h.failAccount.Allow(c.Subject)
		_ = h.failAddress.Allow(addr)
		h.log.InfoContext(r.Context(), "sign-in failed", "subject", c.Subject, "addr", addr, "err", err)
		msg := "The subject or the password is wrong."
		if errors.Is(err, accounts.ErrDisabled) {
			// Said only to whoever knows the password.
			msg = "This account is disabled; ask an administrator to enable it."
		}
		writeError(w, http.StatusUnauthorized, apierror.CodeUnauthenticated, msg)
		return
	case err != nil:
		h.log.ErrorContext(r.Context(), "sign-in: accounts unreadable", "err", err)
		writeError(w, http.StatusServiceUnavailable, apierror.CodeUnavailable, "Signing in is unavailable now; try again later.")
		return
	}
	token, v, err := h.mint(r, acct)
	if err != nil {
		h.log.ErrorContext(r.Context(), "sign-in: minting the session token", "subject", acct.Subject, "err", err)
		writeError(w, http.StatusServiceUnavailable, apierror.CodeUnavailable, "Signing in is unavailable now; try again later.")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: auth.SessionCookie, Value: token, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
		MaxAge: int(time.Until(v.ExpiresAt).Seconds()), Expires: v.ExpiresAt,
	})
	h.log.InfoContext(r.Context(), "signed in", "subject", acct.Subject, "role", acct.Role, "addr", addr)
	writeJSON(w, http.StatusOK, Me{Subject: acct.Subject, Role: acct.Role, DisplayName: displayName(acct), ExpiresAt: v.ExpiresAt.UTC()})
}

// mint returns a session token for acct and the viewer it signs in. A
// token minted in the same second as a revocation of its subject (a
// logout, say) would be refused: then it waits for the next second.
func (h *Handler) mint(r *http.Request, acct accounts.Account) (string, auth.Viewer, error) {
	for attempt := 0; ; attempt++ {
		token, err := h.auth.Mint(acct.Subject, acct.Role, auth.MaxTTL(acct.Role))
		if err != nil {
			return "", auth.Viewer{}, err
		}
		v, err := h.auth.Verify(token)
		if err == nil || attempt == 2 {
			return token, v, err
		}
		wait := time.Until(time.Now().Truncate(time.Second).Add(time.Second + 10*time.Millisecond))
		select {
		case <-time.After(wait):
		case <-r.Context().Done():
			return "", auth.Viewer{}, r.Context().Err()
		}
	}
}

// logout revokes the session (every token of its subject minted so far:
// see README) and clears the cookie. It answers 200 without a valid
// session too: the cookie is cleared all the same.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Origin") != "" && !auth.OriginMatchesHost(r) {
		writeError(w, http.StatusForbidden, apierror.CodeForbidden, "Sign out from a page of this server: the request's Origin names another site.")
		return
	}
	if token, ok := auth.SessionToken(r); ok {
		if v, err := h.auth.Verify(token); err == nil {
			if err := h.auth.Revoke(v.Subject); err != nil {
				h.log.ErrorContext(r.Context(), "sign-out: revoking the session", "subject", v.Subject, "err", err)
				writeError(w, http.StatusServiceUnavailable, apierror.CodeUnavailable, "Signing out failed; try again.")
				return
			}
			h.log.InfoContext(r.Context(), "signed out", "subject", v.Subject)
		}
	}
	http.SetCookie(w, &http.Cookie{
		Name: auth.SessionCookie, Value: "", Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
		MaxAge: -1, Expires: time.Unix(0, 0),
	})
	writeJSON(w, http.StatusOK, map[string]bool{"signedOut": true})
}

// me answers who the session cookie, or without one a bearer token,
// signs in.
func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	var v auth.Viewer
	var err error
	token, hasCookie := auth.SessionToken(r)
	if !hasCookie && r.Header.Get("Authorization") == "" {
		writeError(w, http.StatusUnauthorized, apierror.CodeUnauthenticated, "Not signed in.")
		return
	}
	if hasCookie && r.Header.Get("Authorization") == "" {
		if v, err = h.auth.Verify(token); err == nil {
			err = auth.CheckCookieRequest(r)
		}
	} else {
		v, err = h.auth.Authenticate(r.Header.Get("Authorization"))
	}
	if err != nil {
		code, msg, _ := apierror.Classify(err)
		status := http.StatusUnauthorized
		switch code {
		case apierror.CodeForbidden:
			status = http.StatusForbidden
		case apierror.CodeUnavailable:
			status = http.StatusServiceUnavailable
		default:
			code, msg = apierror.CodeUnauthenticated, "Not signed in: "+msg+"."
		}
		writeError(w, status, code, msg)
		return
	}
	me := Me{Subject: v.Subject, Role: v.Role, DisplayName: v.Subject, ExpiresAt: v.ExpiresAt.UTC()}
	if acct, found, err := h.accounts.Get(v.Subject); err == nil && found {
		me.DisplayName = displayName(acct)
	}
	writeJSON(w, http.StatusOK, me)
}

func displayName(a accounts.Account) string {
	if a.DisplayName != "" {
		return a.DisplayName
	}
	return a.Subject
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var b errorBody
	b.Error.Code, b.Error.Message = code, msg
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
