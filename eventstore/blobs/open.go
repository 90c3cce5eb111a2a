package blobs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// Environment variables the S3 back end's credentials come from. They
// are never taken from the spec: specs end up in logs and process lists.
const (
	EnvAccessKey    = "AWS_ACCESS_KEY_ID"
	EnvSecretKey    = "AWS_SECRET_ACCESS_KEY"
	EnvSessionToken = "AWS_SESSION_TOKEN"
)

// specUsage is the shape of a spec, for errors.
const specUsage = `"" (blobs/ under the data directory) or s3://BUCKET?endpoint=HOST:PORT&region=REGION&secure=false`

// OpenBackend opens the back end a spec names: "" is the embedded
// default, a Dir at blobs/ under dataDir; "s3://bucket?endpoint=host:port
// &region=...&secure=false" is a bucket of an S3-compatible store
// (endpoint defaults to s3.amazonaws.com, region to asking the store,
// secure to true), signed with the credentials of AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN if set). The bucket must
// exist.
func OpenBackend(ctx context.Context, spec, dataDir string) (Backend, error) {
	return openBackend(ctx, spec, dataDir, os.Getenv)
}

func openBackend(ctx context.Context, spec, dataDir string, getenv func(string) string) (Backend, error) {
	if spec == "" {
		if dataDir == "" {
			return nil, errors.New("blob store: no data directory for the embedded blob store")
		}
		return OpenDir(filepath.Join(dataDir, "blobs"))
	}
	cfg, err := ParseS3Spec(spec)
	if err != nil {
		return nil, err
	}
	cfg.AccessKey, cfg.SecretKey, cfg.SessionToken = getenv(EnvAccessKey), getenv(EnvSecretKey), getenv(EnvSessionToken)
	var missing []string
	for _, v := range []struct{ name, value string }{{EnvAccessKey, cfg.AccessKey}, {EnvSecretKey, cfg.SecretKey}} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("blob store %s: set %s (credentials are never taken from the spec)", Describe(spec), strings.Join(missing, " and "))
	}
	s, err := OpenS3(ctx, cfg)
	if errors.Is(err, ErrCredentials) {
		return nil, fmt.Errorf("%w; check %s and %s", err, EnvAccessKey, EnvSecretKey)
	}
	return s, err
}

var regionPattern = regexp.MustCompile(`^[a-z0-9-]{0,64}$`)

// ParseS3Spec reads an s3:// spec into a config without credentials. Its
// errors never repeat the spec, which may hold a secret put there by
// mistake.
func ParseS3Spec(spec string) (S3Config, error) {
	bad := func(format string, args ...any) (S3Config, error) {
		return S3Config{}, fmt.Errorf("blob store spec: "+format+"; want "+specUsage, args...)
	}
	u, err := url.Parse(spec)
	if err != nil {
		// url's errors quote the spec, and with it any password in it.
		return bad("not a URL")
	}
	switch {
	case u.Scheme != "s3":
		return bad("unknown scheme %q", u.Scheme)
	case u.User != nil:
		return bad("credentials do not belong in the URL (URLs end up in logs and process lists): set %s and %s", EnvAccessKey, EnvSecretKey)
	case u.Opaque != "" || u.Host == "":
		return bad("no bucket")
	case u.Port() != "" || strings.HasSuffix(u.Host, ":"):
		return bad("a port after the bucket: the store's address goes in endpoint=HOST:PORT")
	case u.Path != "" && u.Path != "/":
		return bad("a path after the bucket: keys have no prefix")
	case u.Fragment != "":
		return bad("a fragment")
	}
	cfg := S3Config{Bucket: u.Host, Endpoint: "s3.amazonaws.com", Secure: true}
	if err := s3utils.CheckValidBucketNameStrict(cfg.Bucket); err != nil {
		return bad("bucket %q: %v", cfg.Bucket, err)
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("a malformed query")
	}
	for name, values := range query {
		if len(values) != 1 {
			return bad("parameter %q given %d times", name, len(values))
		}
		value := values[0]
		switch name {
		case "endpoint":
			if err := checkEndpoint(value); err != nil {
				return bad("endpoint %q: %v", value, err)
			}
			cfg.Endpoint = value
		case "region":
			if !regionPattern.MatchString(value) {
				return bad("region %q is not a region name", value)
			}
			cfg.Region = value
		case "secure":
			if cfg.Secure, err = strconv.ParseBool(value); err != nil {
				return bad("secure=%q is not true or false", value)
			}
		default:
			return bad("unknown parameter %q", name)
		}
	}
	return cfg, nil
}

// checkEndpoint accepts host or host:port, without a scheme or a path:
// https or http is secure's to say.
func checkEndpoint(endpoint string) error {
	if strings.Contains(endpoint, "://") {
		return errors.New("give HOST:PORT without a scheme (secure=false for http)")
	}
	host, port := endpoint, ""
	if h, p, err := net.SplitHostPort(endpoint); err == nil {
		host, port = h, p
	}
	if host == "" || strings.ContainsAny(host, "/?#@ ") {
		return errors.New("not HOST or HOST:PORT")
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return errors.New("not a port number")
		}
	}
	return nil
}

// Describe gives a spec as it may be logged: the embedded store is named
// as such, user information is dropped and only the known parameters
// keep their values.
func Describe(spec string) string {
	if spec == "" {
		return "blobs/ under the data directory"
	}
	u, err := url.Parse(spec)
	if err != nil {
		return "(a blob store spec that is not a URL)"
	}
	if u.User != nil {
		u.User = url.User("REDACTED")
	}
	query := u.Query()
	for name := range query {
		if name != "endpoint" && name != "region" && name != "secure" {
			query.Set(name, "REDACTED")
		}
	}
	u.RawQuery = query.Encode()
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}
