package blobs

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/interactionledger/ledger/internal/s3spec"
)

// Environment variables the S3 back end's credentials come from. They
// are never taken from the spec: specs end up in logs and process lists.
const (
	EnvAccessKey    = s3spec.EnvAccessKey
	EnvSecretKey    = s3spec.EnvSecretKey
	EnvSessionToken = s3spec.EnvSessionToken
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
	creds := s3spec.Config{}
	if err := creds.Credentials(getenv); err != nil {
		return nil, fmt.Errorf("blob store %s: %w", Describe(spec), err)
	}
	cfg.AccessKey, cfg.SecretKey, cfg.SessionToken = creds.AccessKey, creds.SecretKey, creds.SessionToken
	s, err := OpenS3(ctx, cfg)
	if errors.Is(err, ErrCredentials) {
		return nil, fmt.Errorf("%w; check %s and %s", err, EnvAccessKey, EnvSecretKey)
	}
	return s, err
}

// ParseS3Spec reads an s3:// spec into a config without credentials. Its
// errors never repeat the spec, which may hold a secret put there by
// mistake.
func ParseS3Spec(spec string) (S3Config, error) {
	c, err := s3spec.Parse(spec, s3spec.NoPrefix)
	if err != nil {
		return S3Config{}, fmt.Errorf("blob store spec: %w; want "+specUsage, err)
	}
	return S3Config{Endpoint: c.Endpoint, Bucket: c.Bucket, Region: c.Region, Secure: c.Secure}, nil
}

// Describe gives a spec as it may be logged: the embedded store is named
// as such, user information is dropped and only the known parameters
// keep their values.
func Describe(spec string) string {
	if spec == "" {
		return "blobs/ under the data directory"
	}
	if _, err := url.Parse(spec); err != nil {
		return "(a blob store spec that is not a URL)"
	}
	return s3spec.Describe(spec)
}
