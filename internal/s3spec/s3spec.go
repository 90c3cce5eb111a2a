// Package s3spec owns how the ledger is pointed at an S3-compatible
// store: the s3://BUCKET[/PREFIX]?endpoint=HOST:PORT&region=...&secure=false
// spec, credentials taken only from the environment (never from the spec,
// which ends up in logs and process lists), the minio client made from
// both, and how the store's refusals are named. The blob store
// (eventstore/blobs) and the replica (eventstore/replica) share it.
package s3spec

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// Environment variables the credentials come from.
const (
	EnvAccessKey    = "AWS_ACCESS_KEY_ID"
	EnvSecretKey    = "AWS_SECRET_ACCESS_KEY"
	EnvSessionToken = "AWS_SESSION_TOKEN"
)

// Config says where a bucket is and how to sign for it.
type Config struct {
	Endpoint     string // host[:port], without scheme
	Bucket       string
	Prefix       string // key prefix without slashes at either end; "" for none
	Region       string // empty: asked of the store
	Secure       bool   // https
	AccessKey    string
	SecretKey    string
	SessionToken string // for temporary credentials; usually empty
}

// Paths says whether a spec may have a path after the bucket.
type Paths bool

const (
	// NoPrefix refuses a path: the objects' keys are the user's.
	NoPrefix Paths = false
	// WithPrefix takes the path as a prefix of every key.
	WithPrefix Paths = true
)

var (
	regionPattern = regexp.MustCompile(`^[a-z0-9-]{0,64}$`)
	prefixPattern = regexp.MustCompile(`^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$`)
)

// Parse reads an s3:// spec into a config without credentials. Its errors
// never repeat the spec, which may hold a secret put there by mistake.
func Parse(spec string, paths Paths) (Config, error) {
	u, err := url.Parse(spec)
	if err != nil {
		// url's errors quote the spec, and with it any password in it.
		return Config{}, errors.New("not a URL")
	}
	switch {
	case u.Scheme != "s3":
		return Config{}, fmt.Errorf("unknown scheme %q", u.Scheme)
	case u.User != nil:
		return Config{}, fmt.Errorf("credentials do not belong in the URL (URLs end up in logs and process lists): set %s and %s", EnvAccessKey, EnvSecretKey)
	case u.Opaque != "" || u.Host == "":
		return Config{}, errors.New("no bucket")
	case u.Port() != "" || strings.HasSuffix(u.Host, ":"):
		return Config{}, errors.New("a port after the bucket: the store's address goes in endpoint=HOST:PORT")
	case u.Path != "" && u.Path != "/" && paths == NoPrefix:
		return Config{}, errors.New("a path after the bucket: keys have no prefix")
	case u.Fragment != "":
		return Config{}, errors.New("a fragment")
	}
	cfg := Config{Bucket: u.Host, Endpoint: "s3.amazonaws.com", Secure: true}
	if err := s3utils.CheckValidBucketNameStrict(cfg.Bucket); err != nil {
		return Config{}, fmt.Errorf("bucket %q: %v", cfg.Bucket, err)
	}
	if prefix := strings.Trim(u.Path, "/"); prefix != "" {
		if !prefixPattern.MatchString(prefix) {
			return Config{}, fmt.Errorf("prefix %q: want names of letters, digits, '.', '_' and '-' between slashes", prefix)
		}
		cfg.Prefix = prefix
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Config{}, errors.New("a malformed query")
	}
	for name, values := range query {
		if len(values) != 1 {
			return Config{}, fmt.Errorf("parameter %q given %d times", name, len(values))
		}
		if err := cfg.set(name, values[0]); err != nil {
			return Config{}, err
		}
	}
	return cfg, nil
}

// set applies one query parameter.
func (cfg *Config) set(name, value string) error {
	switch name {
	case "endpoint":
		if err := checkEndpoint(value); err != nil {
			return fmt.Errorf("endpoint %q: %v", value, err)
		}
		cfg.Endpoint = value
	case "region":
		if !regionPattern.MatchString(value) {
			return fmt.Errorf("region %q is not a region name", value)
		}
		cfg.Region = value
	case "secure":
		secure, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("secure=%q is not true or false", value)
		}
		cfg.Secure = secure
	default:
		return fmt.Errorf("unknown parameter %q", name)
	}
	return nil
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

// ErrMissingCredentials is what Credentials fails with when the
// environment lacks a key; its message names the variables to set.
var ErrMissingCredentials = errors.New("credentials missing")

// Credentials fills cfg's credentials from getenv (os.Getenv).
func (cfg *Config) Credentials(getenv func(string) string) error {
	cfg.AccessKey, cfg.SecretKey, cfg.SessionToken = getenv(EnvAccessKey), getenv(EnvSecretKey), getenv(EnvSessionToken)
	var missing []string
	for _, v := range []struct{ name, value string }{{EnvAccessKey, cfg.AccessKey}, {EnvSecretKey, cfg.SecretKey}} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: set %s (credentials are never taken from the spec)", ErrMissingCredentials, strings.Join(missing, " and "))
	}
	return nil
}

// Client makes the client of cfg's store. It sends nothing yet.
func (cfg Config) Client() (*minio.Client, error) {
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken),
		Secure: cfg.Secure,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("s3 client for %s: %w", cfg.Endpoint, err)
	}
	return client, nil
}

// ErrCredentials is what a store refusing our credentials fails with.
var ErrCredentials = errors.New("the object store refused the credentials")

// Refused wraps an error of the store at endpoint, naming a refusal of
// the credentials as such: it is the likeliest misconfiguration. store
// names the store in the message ("s3 blob store").
func Refused(store, endpoint, what string, err error) error {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch resp.Code {
		case "SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "InvalidToken", "ExpiredToken":
			return fmt.Errorf("%s at %s: %s: %w (%s: %s)", store, endpoint, what, ErrCredentials, resp.Code, resp.Message)
		}
	}
	return fmt.Errorf("%s at %s: %s: %w", store, endpoint, what, err)
}

// IsNotFound reports whether err is the store's "no such key".
func IsNotFound(err error) bool {
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) {
		return false
	}
	return resp.Code == "NoSuchKey" || (resp.StatusCode == http.StatusNotFound && resp.Code != "NoSuchBucket")
}

// Describe gives an s3:// spec as it may be logged: user information is
// dropped and only the known parameters keep their values.
func Describe(spec string) string {
	u, err := url.Parse(spec)
	if err != nil {
		return "(an s3 spec that is not a URL)"
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
