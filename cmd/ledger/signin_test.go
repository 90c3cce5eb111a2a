package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/auth/accounts"
)

const testPassword = "correct horse battery"

// addUser runs `ledger users add` with the password on standard input.
func addUser(t *testing.T, dir, subject, role, password string) {
	t.Helper()
	stdin = strings.NewReader(password + "\n")
	t.Cleanup(func() { stdin = os.Stdin })
	out, err := ledger(t, "users", "add", "--data", dir, "--subject", subject, "--role", role, "--name", "Test "+subject, "--password-stdin")
	if err != nil {
		t.Fatalf("users add: %v\n%s", err, out)
	}
}

// authReply is an /auth/* answer.
type authReply struct {
	status  int
	header  http.Header
	cookies []*http.Cookie
	Subject string `json:"subject"`
	Role    string `json:"role"`
	Display string `json:"displayName"`
	Error   struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// authCall sends an /auth request with the session cookie (if any) and
// extra headers.
func (h *apiHarness) authCall(method, path string, body any, session string, headers map[string]string) authReply {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(h.ctx, method, "http://"+h.srv.addr+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if session != "" {
		req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: session})
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := authReply{status: resp.StatusCode, header: resp.Header, cookies: resp.Cookies()}
	if err := json.Unmarshal(raw, &r); err != nil {
		h.t.Fatalf("%s %s answered %d %q: %v", method, path, resp.StatusCode, raw, err)
	}
	return r
}

func (h *apiHarness) login(subject, password string) authReply {
	h.t.Helper()
	return h.authCall(http.MethodPost, "/auth/login", map[string]string{"subject": subject, "password": password}, "", nil)
}

// sessionOf returns the session cookie a login set.
func sessionOf(t *testing.T, r authReply) *http.Cookie {
	t.Helper()
	for _, c := range r.cookies {
		if c.Name == auth.SessionCookie {
			return c
		}
	}
	t.Fatalf("login answered %d without a %s cookie (%+v)", r.status, auth.SessionCookie, r.Error)
	return nil
}

// gqlWithCookie posts a GraphQL request signed in by the session cookie.
func (h *apiHarness) gqlWithCookie(session, query string, headers map[string]string) apiResult {
	h.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequestWithContext(h.ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: session})
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := apiResult{status: resp.StatusCode}
	if err := json.Unmarshal(raw, &r); err != nil {
		h.t.Fatalf("response %q: %v", raw, err)
	}
	return r
}

func TestUsersCommandRoundTrip(t *testing.T) {
	dir := t.TempDir()
	addUser(t, dir, "a-001", "agent", testPassword)
	path := filepath.Join(dir, accounts.File)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %s, want 0600", path, info.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(testPassword)) {
		t.Fatalf("the accounts file holds the password itself:\n%s", raw)
	}
	if !bytes.Contains(raw, []byte(`"passwordHash": "$argon2id$v=19$`)) {
		t.Errorf("no argon2id hash in the accounts file:\n%s", raw)
	}

	// Generated when not given, printed once; two hashes of one password
	// differ (per-password salt).
	out, err := ledger(t, "users", "add", "--data", dir, "--subject", "ana", "--role", "analyst")
	if err != nil {
		t.Fatalf("users add: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^password: (\S+)$`).FindStringSubmatch(out)
	if m == nil || len(m[1]) < 16 {
		t.Fatalf("users add without a password printed %q, want a generated one", out)
	}
	store := accounts.Open(path)
	if _, err := store.Authenticate("ana", m[1]); err != nil {
		t.Errorf("the printed password does not sign in: %v", err)
	}
	addUser(t, dir, "a-002", "agent", testPassword)
	a1, _, _ := store.Get("a-001")
	a2, _, _ := store.Get("a-002")
	if a1.PasswordHash == a2.PasswordHash {
		t.Error("one password hashed twice gave one hash: no salt")
	}

	if out, err := ledger(t, "users", "add", "--data", dir, "--subject", "a-001", "--role", "agent"); err == nil {
		t.Errorf("adding a-001 twice succeeded: %s", out)
	}
	if out, err := ledger(t, "users", "add", "--data", dir, "--subject", "x", "--role", "janitor"); exitCode(err) != 2 {
		t.Errorf("an unknown role: exit %d, want 2 (%s)", exitCode(err), out)
	}

	stdin = strings.NewReader("another good password\n")
	if out, err := ledger(t, "users", "set-password", "--data", dir, "--subject", "a-001", "--password-stdin"); err != nil {
		t.Fatalf("set-password: %v\n%s", err, out)
	}
	if _, err := store.Authenticate("a-001", testPassword); err == nil {
		t.Error("the old password still signs in after set-password")
	}
	if _, err := store.Authenticate("a-001", "another good password"); err != nil {
		t.Errorf("the new password: %v", err)
	}

	if out, err := ledger(t, "users", "disable", "--data", dir, "--subject", "a-001"); err != nil {
		t.Fatalf("disable: %v\n%s", err, out)
	}
	revoked, err := auth.OpenRevocations(filepath.Join(dir, auth.RevocationsFile))
	if err != nil {
		t.Fatal(err)
	}
	if nb, _ := revoked.NotBefore("a-001"); time.Since(nb) > time.Minute {
		t.Errorf("disable left a-001's tokens valid (not before %v)", nb)
	}
	out, err = ledger(t, "users", "list", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^a-001\s+agent\s+Test a-001\s+disabled`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^ana\s+analyst\s+enabled`).MatchString(out) || strings.Contains(out, "argon2") {
		t.Errorf("users list:\n%s", out)
	}
	if out, err := ledger(t, "users", "enable", "--data", dir, "--subject", "a-001"); err != nil {
		t.Fatalf("enable: %v\n%s", err, out)
	}
	if a, _, _ := store.Get("a-001"); a.Disabled {
		t.Error("still disabled after enable")
	}
	if out, err := ledger(t, "users", "disable", "--data", dir, "--subject", "nobody"); err == nil {
		t.Errorf("disabling an unknown subject succeeded: %s", out)
	}
}

func TestSignInCookieDrivesTheAPI(t *testing.T) {
	h := startAPI(t)
	h.seed("a-001")
	addUser(t, h.dir, "a-001", "agent", testPassword)

	r := h.login("a-001", testPassword)
	if r.status != http.StatusOK || r.Subject != "a-001" || r.Role != "agent" || r.Display != "Test a-001" {
		t.Fatalf("login: %d %+v", r.status, r)
	}
	c := sessionOf(t, r)
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/, not Secure over plain HTTP", c)
	}
	if ttl := time.Duration(c.MaxAge) * time.Second; ttl <= 11*time.Hour || ttl > 12*time.Hour {
		t.Errorf("cookie lives %s, want the agent role's 12h", ttl)
	}
	session := c.Value
	if me := h.authCall(http.MethodGet, "/auth/me", nil, session, nil); me.status != http.StatusOK || me.Subject != "a-001" || me.Role != "agent" {
		t.Errorf("/auth/me: %d %+v", me.status, me)
	}
	if me := h.authCall(http.MethodGet, "/auth/me", nil, "", nil); me.status != http.StatusUnauthorized || me.Error.Code != "UNAUTHENTICATED" {
		t.Errorf("/auth/me without a cookie: %d %+v", me.status, me)
	}

	csrf := map[string]string{auth.CSRFHeader: "1"}
	q := h.gqlWithCookie(session, `{ agents { id } }`, csrf).ok(t)
	if !strings.Contains(string(q.Data), "a-001") {
		t.Errorf("query with the cookie: %s", q.Data)
	}
	const mutation = `mutation { setPresence(presence: AVAILABLE) { agent { presence } } }`
	if res := h.gqlWithCookie(session, mutation, nil); res.status != http.StatusForbidden || strings.Join(res.codes(), ",") != "FORBIDDEN" {
		t.Errorf("mutation with the cookie, without %s: %d %v, want 403 FORBIDDEN", auth.CSRFHeader, res.status, res.codes())
	}
	wrongOrigin := map[string]string{auth.CSRFHeader: "1", "Origin": "http://evil.example"}
	if res := h.gqlWithCookie(session, mutation, wrongOrigin); res.status != http.StatusForbidden || strings.Join(res.codes(), ",") != "FORBIDDEN" {
		t.Errorf("mutation from another origin: %d %v, want 403 FORBIDDEN", res.status, res.codes())
	}
	sameOrigin := map[string]string{auth.CSRFHeader: "1", "Origin": "http://" + h.srv.addr}
	res := h.gqlWithCookie(session, mutation, sameOrigin).ok(t)
	if !strings.Contains(string(res.Data), "AVAILABLE") {
		t.Errorf("mutation with the cookie and %s: %s", auth.CSRFHeader, res.Data)
	}
	// Bearer clients need no CSRF header.
	h.post(h.token("agent", "a-001"), mutation, nil).ok(t)

	// WebSocket: the cookie counts from this origin only.
	if got := wsInit(t, h, session, "http://"+h.srv.addr); got != "connection_ack" {
		t.Errorf("WebSocket with the cookie from this origin: %s, want connection_ack", got)
	}
	if got := wsInit(t, h, session, "http://evil.example"); got != "close 4403" {
		t.Errorf("WebSocket with the cookie from another origin: %s, want close 4403", got)
	}
	if got := wsInit(t, h, session, ""); got != "close 4403" {
		t.Errorf("WebSocket with the cookie and no Origin: %s, want close 4403", got)
	}

	out := h.authCall(http.MethodPost, "/auth/logout", nil, session, nil)
	if out.status != http.StatusOK {
		t.Fatalf("logout: %d %+v", out.status, out)
	}
	if cleared := sessionOf(t, out); cleared.Value != "" || cleared.MaxAge >= 0 {
		t.Errorf("logout left the cookie %+v, want it cleared", cleared)
	}
	if me := h.authCall(http.MethodGet, "/auth/me", nil, session, nil); me.status != http.StatusUnauthorized {
		t.Errorf("/auth/me after logout: %d %+v, want 401", me.status, me)
	}
	if res := h.gqlWithCookie(session, `{ agents { id } }`, csrf); res.status != http.StatusUnauthorized {
		t.Errorf("GraphQL with the logged-out cookie: %d %v, want 401", res.status, res.codes())
	}
	// Signing in again at once (within the logout's second) works.
	again := sessionOf(t, h.login("a-001", testPassword)).Value
	h.gqlWithCookie(again, `{ agents { id } }`, csrf).ok(t)
}

// wsInit opens a WebSocket with the session cookie and Origin (none when
// empty), sends connection_init without a token and tells what came back:
// the message type or "close <code>".
func wsInit(t *testing.T, h *apiHarness, session, origin string) string {
	t.Helper()
	hdr := http.Header{}
	hdr.Set("Cookie", auth.SessionCookie+"="+session)
	if origin != "" {
		hdr.Set("Origin", origin)
	}
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 5 * time.Second}
	conn, resp, err := d.Dial("ws://"+h.srv.addr+"/graphql", hdr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	resp.Body.Close()
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := conn.WriteJSON(map[string]any{"type": "connection_init"}); err != nil {
		t.Fatal(err)
	}
	var m struct{ Type string }
	if err := conn.ReadJSON(&m); err != nil {
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return "close " + strconv.Itoa(ce.Code)
		}
		return "error " + err.Error()
	}
	return m.Type
}

func TestSignInRefusalsAndRateLimits(t *testing.T) {
	h := startAPI(t)
	addUser(t, h.dir, "a-001", "agent", testPassword)

	wrong := h.login("a-001", "not the password")
	unknown := h.login("nobody", "not the password")
	for _, r := range []authReply{wrong, unknown} {
		if r.status != http.StatusUnauthorized || r.Error.Code != "UNAUTHENTICATED" || len(r.cookies) != 0 {
			t.Errorf("bad credentials: %d %+v, want 401 UNAUTHENTICATED and no cookie", r.status, r)
		}
	}
	if wrong.Error.Message != unknown.Error.Message {
		t.Errorf("a wrong password (%q) and an unknown subject (%q) answer differently", wrong.Error.Message, unknown.Error.Message)
	}
	// Per account: a burst of 5 failures (1 so far), then 429, the
	// right password included.
	for range 4 {
		h.login("a-001", "not the password")
	}
	limited := h.login("a-001", testPassword)
	if limited.status != http.StatusTooManyRequests || limited.Error.Code != "RATE_LIMITED" || limited.header.Get("Retry-After") == "" {
		t.Fatalf("after 5 failures: %d %+v (Retry-After %q), want 429 RATE_LIMITED with Retry-After", limited.status, limited.Error, limited.header.Get("Retry-After"))
	}
	// Per address: a burst of 20 failures from one address across
	// accounts (6 so far).
	addUser(t, h.dir, "aud", "auditor", testPassword)
	var last authReply
	for i := range 14 {
		last = h.login("guess-"+strconv.Itoa(i), "not the password")
	}
	if last.status != http.StatusUnauthorized {
		t.Fatalf("failure 20 from this address: %d, want 401", last.status)
	}
	if r := h.login("aud", testPassword); r.status != http.StatusTooManyRequests {
		t.Errorf("after 21 failures from this address: %d, want 429", r.status)
	}
	if r := h.authCall(http.MethodPost, "/auth/login", map[string]string{"subject": "aud"}, "", nil); r.status != http.StatusBadRequest {
		t.Errorf("login without a password: %d, want 400", r.status)
	}
}

func TestDisabledAccountSignsOut(t *testing.T) {
	h := startAPI(t)
	h.seed("a-001")
	addUser(t, h.dir, "a-001", "agent", testPassword)
	session := sessionOf(t, h.login("a-001", testPassword)).Value
	bearer := h.token("agent", "a-001")
	if out, err := ledger(t, "users", "disable", "--data", h.dir, "--subject", "a-001"); err != nil {
		t.Fatalf("disable: %v\n%s", err, out)
	}
	if me := h.authCall(http.MethodGet, "/auth/me", nil, session, nil); me.status != http.StatusUnauthorized {
		t.Errorf("/auth/me of a disabled account's session: %d, want 401", me.status)
	}
	if res := h.post(bearer, `{ agents { id } }`, nil); res.status != http.StatusUnauthorized {
		t.Errorf("a disabled account's bearer token: %d, want 401", res.status)
	}
	r := h.login("a-001", testPassword)
	if r.status != http.StatusUnauthorized || !strings.Contains(r.Error.Message, "disabled") || len(r.cookies) != 0 {
		t.Errorf("login to a disabled account: %d %+v, want 401 saying it is disabled", r.status, r.Error)
	}
	if out, err := ledger(t, "users", "enable", "--data", h.dir, "--subject", "a-001"); err != nil {
		t.Fatalf("enable: %v\n%s", err, out)
	}
	s := sessionOf(t, h.login("a-001", testPassword)).Value
	h.gqlWithCookie(s, `{ agents { id } }`, map[string]string{auth.CSRFHeader: "1"}).ok(t)
}

func TestDemoAccountsCreatedOnce(t *testing.T) {
	if id := makeDemoAgents(rand.New(rand.NewPCG(1, 2)), 4)[0].id; id != demoAccounts[0].Subject {
		t.Fatalf("the demo agent account is %s, but the demo's first agent is %s", demoAccounts[0].Subject, id)
	}
	h := startAPI(t)
	var first bytes.Buffer
	if err := ensureDemoAccounts(h.dir, &first); err != nil {
		t.Fatal(err)
	}
	passwords := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s+(\w+)\s+(\S+)\s+password (\S+)$`).FindAllStringSubmatch(first.String(), -1) {
		passwords[m[2]] = m[3]
		if r := h.login(m[2], m[3]); r.status != http.StatusOK || r.Role != m[1] {
			t.Errorf("demo account %s with the printed password: %d %+v, want role %s", m[2], r.status, r, m[1])
		}
	}
	if len(passwords) != 5 {
		t.Fatalf("printed %d demo accounts, want 5:\n%s", len(passwords), first.String())
	}
	var second bytes.Buffer
	if err := ensureDemoAccounts(h.dir, &second); err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`password [A-Za-z0-9]{20}`).MatchString(second.String()) || strings.Count(second.String(), "exists already") != 5 {
		t.Errorf("second run:\n%s\nwant every account said to exist, no password printed", second.String())
	}
	if r := h.login("agent-001", passwords["agent-001"]); r.status != http.StatusOK {
		t.Errorf("the first password after the second run: %d, want it unchanged", r.status)
	}
}
