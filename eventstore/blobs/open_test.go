package blobs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/eventstore/blobs"
)

func TestParseS3Spec(t *testing.T) {
	for _, c := range []struct {
		spec string
		want blobs.S3Config
	}{
		{"s3://attachments", blobs.S3Config{Bucket: "attachments", Endpoint: "s3.amazonaws.com", Secure: true}},
		{"s3://attachments/", blobs.S3Config{Bucket: "attachments", Endpoint: "s3.amazonaws.com", Secure: true}},
		{"s3://ledger-blobs?endpoint=127.0.0.1:8333&secure=false", blobs.S3Config{Bucket: "ledger-blobs", Endpoint: "127.0.0.1:8333"}},
		{"s3://b.example?endpoint=minio.internal&region=eu-west-1&secure=true", blobs.S3Config{Bucket: "b.example", Endpoint: "minio.internal", Region: "eu-west-1", Secure: true}},
		{"s3://b12?endpoint=[::1]:9000&secure=0", blobs.S3Config{Bucket: "b12", Endpoint: "[::1]:9000"}},
	} {
		got, err := blobs.ParseS3Spec(c.spec)
		if err != nil {
			t.Errorf("%s: %v", c.spec, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: %+v, want %+v", c.spec, got, c.want)
		}
	}
}

// TestBadSpecsFailClearly: each mistake is named, and no error repeats a
// secret that was put in the spec.
func TestBadSpecsFailClearly(t *testing.T) {
	for _, c := range []struct{ spec, want string }{
		{"s3://AKIA123:hunter2@attachments?endpoint=h:1", "credentials do not belong in the URL"},
		{"s3://AKIA123@attachments", "credentials do not belong in the URL"},
		{"s3://AKIA:hun/ter2@attachments", "not a URL"}, // the password's slash ends the host
		{"gs://attachments", `unknown scheme "gs"`},
		{"attachments", `unknown scheme ""`},
		{"/var/blobs", `unknown scheme ""`},
		{"s3:attachments", "no bucket"},
		{"s3://", "no bucket"},
		{"s3://?endpoint=h:1", "no bucket"},
		{"s3://attachments:9000", "a port after the bucket"},
		{"s3://attachments/ledger", "a path after the bucket"},
		{"s3://Attachments", `bucket "Attachments"`},
		{"s3://a_b", `bucket "a_b"`},
		{"s3://attachments?endpoint=http://127.0.0.1:8333", "without a scheme"},
		{"s3://attachments?endpoint=127.0.0.1:99999", "not a port number"},
		{"s3://attachments?endpoint=127.0.0.1:x", "not a port number"},
		{"s3://attachments?endpoint=host/path", "not HOST or HOST:PORT"},
		{"s3://attachments?endpoint=", "not HOST or HOST:PORT"},
		{"s3://attachments?secure=flase", `secure="flase" is not true or false`},
		{"s3://attachments?region=EU%20West", "is not a region name"},
		{"s3://attachments?secret_key=hunter2", `unknown parameter "secret_key"`},
		{"s3://attachments?endpoint=a:1&endpoint=b:2", `parameter "endpoint" given 2 times`},
		{"s3://attachments?endpoint=a:1;x", "a malformed query"},
		{"s3://attachments#x", "a fragment"},
	} {
		_, err := blobs.OpenBackend(t.Context(), c.spec, t.TempDir())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.spec, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "ter2") {
			t.Errorf("%s: the error repeats the secret: %v", c.spec, err)
		}
	}
}

func TestS3SpecWithoutCredentialsFails(t *testing.T) {
	for _, c := range []struct{ access, secret, want string }{
		{"", "", "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"},
		{"AKIA123", "", "set AWS_SECRET_ACCESS_KEY"},
		{"", "s3cret", "set AWS_ACCESS_KEY_ID"},
	} {
		t.Setenv(blobs.EnvAccessKey, c.access)
		t.Setenv(blobs.EnvSecretKey, c.secret)
		_, err := blobs.OpenBackend(t.Context(), "s3://attachments?endpoint=127.0.0.1:1", "")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("access key %q, secret %q: %v, want an error saying %q", c.access, c.secret, err, c.want)
		}
	}
}

func TestEmptySpecIsTheDataDirectory(t *testing.T) {
	dataDir := t.TempDir()
	b, err := blobs.OpenBackend(t.Context(), "", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.(*blobs.Dir); !ok {
		t.Fatalf("the empty spec opened a %T, want a *blobs.Dir", b)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "blobs", "objects")); err != nil {
		t.Errorf("no blobs/ under the data directory: %v", err)
	}
	if _, err := blobs.OpenBackend(t.Context(), "", ""); err == nil {
		t.Error("the embedded store opened without a data directory")
	}
}

func TestDescribeLeavesNoSecret(t *testing.T) {
	for _, c := range []struct{ spec, want string }{
		{"", "blobs/ under the data directory"},
		{"s3://b1?endpoint=h:1&secure=false", "s3://b1?endpoint=h%3A1&secure=false"},
		{"s3://AKIA:hunter2@b1?region=eu-west-1", "s3://REDACTED@b1?region=eu-west-1"},
		{"s3://b1?secret_key=hunter2", "s3://b1?secret_key=REDACTED"},
		{"s3://b1#hunter2", "s3://b1"},
		{"s3://AKIA:hun/ter2@b1", "(a blob store spec that is not a URL)"},
	} {
		if got := blobs.Describe(c.spec); got != c.want {
			t.Errorf("Describe(%q) = %q, want %q", c.spec, got, c.want)
		}
	}
}
