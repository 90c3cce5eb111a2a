package esdbserver

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/types/known/emptypb"

	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Permission is what an authenticated client may do.
type Permission struct {
	Read   bool // read streams and $all, subscribe
	Append bool // append
}

// Checker authenticates basic credentials and returns what the user may
// do; an error means the credentials are wrong (or the account disabled).
type Checker func(ctx context.Context, user, password string) (Permission, error)

// ErrBadCredentials is what a Checker returns for a wrong user or
// password.
var ErrBadCredentials = errors.New("wrong user or password")

// credentialTTL is how long a successful check is trusted: password
// hashes are slow by design and clients send credentials on every call.
const credentialTTL = 30 * time.Second

// needed is the permission each method asks for; methods not listed
// (ServerFeatures, Gossip) need none.
func needed(method string) (read, write bool) {
	switch method {
	case api.Streams_Read_FullMethodName:
		return true, false
	case api.Streams_Append_FullMethodName, api.Streams_BatchAppend_FullMethodName,
		api.Streams_Delete_FullMethodName, api.Streams_Tombstone_FullMethodName:
		return false, true
	}
	return false, false
}

func (s *Server) authorizeUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if err := s.authorize(ctx, info.FullMethod); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

func (s *Server) authorizeStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if err := s.authorize(ss.Context(), info.FullMethod); err != nil {
		if info.IsClientStream {
			drainRefused(ss)
		}
		return err
	}
	return handler(srv, ss)
}

// refusedDrainMessages bounds what drainRefused reads.
const refusedDrainMessages = 64

// drainRefused reads what a refused client-streaming call (an append)
// sends before its refusal is answered: a client whose send meets a
// stream the server already ended gets io.EOF instead of the refusal
// (the official client reports it as an unknown error). A client that
// sends more than refusedDrainMessages messages gets the EOF.
func drainRefused(ss grpc.ServerStream) {
	for range refusedDrainMessages {
		if err := ss.RecvMsg(&emptypb.Empty{}); err != nil {
			return
		}
	}
}

// authorize checks the call's basic credentials against what its method
// needs. Without a Checker every call is allowed.
func (s *Server) authorize(ctx context.Context, method string) error {
	read, write := needed(method)
	if s.check == nil || (!read && !write) {
		return nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	header := ""
	if v := md.Get("authorization"); len(v) > 0 {
		header = v[0]
	}
	user, password, ok := parseBasic(header)
	if !ok {
		return status.Error(codes.Unauthenticated, "basic credentials required")
	}
	perm, err := s.creds.check(ctx, s.check, header, user, password)
	if err != nil {
		s.log.WarnContext(ctx, "esdb endpoint: credentials refused", "user", user, "err", err)
		return status.Error(codes.Unauthenticated, "wrong user or password")
	}
	if (read && !perm.Read) || (write && !perm.Append) {
		_ = grpc.SetTrailer(ctx, metadata.Pairs("exception", "access-denied"))
		return status.Errorf(codes.PermissionDenied, "user %s may not %s", user, map[bool]string{true: "append", false: "read"}[write])
	}
	return nil
}

// parseBasic decodes an "Authorization: Basic ..." header.
func parseBasic(header string) (user, password string, ok bool) {
	const prefix = "Basic "
	if len(header) < len(prefix) || !strings.EqualFold(header[:len(prefix)], prefix) {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(header[len(prefix):])
	if err != nil {
		return "", "", false
	}
	user, password, ok = strings.Cut(string(raw), ":")
	return user, password, ok && user != ""
}

// credentialCache remembers successful checks for credentialTTL, by a
// digest of the header (never the password itself).
type credentialCache struct {
	mu      sync.Mutex
	entries map[[32]byte]cachedPermission
}

type cachedPermission struct {
	perm    Permission
	expires time.Time
}

// maxCachedCredentials bounds the cache; it is emptied when full.
const maxCachedCredentials = 1024

func (c *credentialCache) check(ctx context.Context, check Checker, header, user, password string) (Permission, error) {
	key := sha256.Sum256([]byte(header))
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.perm, nil
	}
	perm, err := check(ctx, user, password)
	if err != nil {
		return Permission{}, err
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= maxCachedCredentials {
		c.entries = make(map[[32]byte]cachedPermission)
	}
	c.entries[key] = cachedPermission{perm: perm, expires: now.Add(credentialTTL)}
	c.mu.Unlock()
	return perm, nil
}
