package s3spec

import (
	"strings"
	"testing"
)

func TestParsePrefix(t *testing.T) {
	for _, c := range []struct {
		spec   string
		paths  Paths
		want   Config
		errSay string
	}{
		{"s3://bk1/ledger/replica?endpoint=h:1&secure=false", WithPrefix, Config{Bucket: "bk1", Prefix: "ledger/replica", Endpoint: "h:1"}, ""},
		{"s3://bk1/", WithPrefix, Config{Bucket: "bk1", Endpoint: "s3.amazonaws.com", Secure: true}, ""},
		{"s3://bk1/ledger", NoPrefix, Config{}, "a path after the bucket"},
		{"s3://bk1/a//b", WithPrefix, Config{}, `prefix "a//b"`},
		{"s3://bk1/a%20b", WithPrefix, Config{}, `prefix "a b"`},
		{"s3://AKIA:hunter2@b1/p", WithPrefix, Config{}, "credentials do not belong in the URL"},
	} {
		got, err := Parse(c.spec, c.paths)
		if c.errSay != "" {
			if err == nil || !strings.Contains(err.Error(), c.errSay) || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%s: %v, want an error saying %q", c.spec, err, c.errSay)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.spec, got, err, c.want)
		}
	}
}

func TestCredentialsOnlyFromTheEnvironment(t *testing.T) {
	env := map[string]string{EnvAccessKey: "AKIA1"}
	var cfg Config
	err := cfg.Credentials(func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "set "+EnvSecretKey) {
		t.Fatalf("%v, want an error naming %s", err, EnvSecretKey)
	}
	env[EnvSecretKey] = "s3cret"
	if err := cfg.Credentials(func(k string) string { return env[k] }); err != nil || cfg.AccessKey != "AKIA1" || cfg.SecretKey != "s3cret" {
		t.Fatalf("%+v, %v", cfg, err)
	}
}
