package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters of new hashes: OWASP's recommended minimum (19 MiB,
// two passes, one lane). Verify reads the parameters from the stored
// hash, so raising them later leaves old hashes valid.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// Bounds on what a stored hash may ask of Verify, so a tampered file
// cannot make every login allocate gigabytes.
const (
	maxArgonMemoryKiB = 1 << 20 // 1 GiB
	maxArgonTime      = 10
)

// MinPasswordLength and MaxPasswordLength bound a password, in bytes.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 1024
)

// ValidatePassword checks a password's length.
func ValidatePassword(p string) error {
	if len(p) < MinPasswordLength {
		return fmt.Errorf("the password must be at least %d characters", MinPasswordLength)
	}
	if len(p) > MaxPasswordLength {
		return fmt.Errorf("the password must be at most %d bytes", MaxPasswordLength)
	}
	return nil
}

// HashPassword returns the argon2id hash of password with a fresh random
// salt, in the PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded base64).
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// errBadHash is a stored hash Verify cannot read.
var errBadHash = errors.New("the stored password hash is not an argon2id hash this build reads")

// VerifyPassword reports whether password matches the stored hash,
// comparing in constant time. An unreadable hash is an error (and no
// match).
func VerifyPassword(password, hash string) (bool, error) {
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil ||
		memory == 0 || memory > maxArgonMemoryKiB || passes == 0 || passes > maxArgonTime || threads == 0 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when a login names no account, so that
// answering takes as long as for an account: the time does not tell
// whether the subject exists.
var dummyHash = func() string {
	h, err := HashPassword("no account has this password")
	if err != nil {
		panic(err)
	}
	return h
}()

// GeneratePassword returns a random password of 20 characters from an
// alphabet of 56 without look-alikes (about 116 bits).
func GeneratePassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	const limit = 256 / len(alphabet) * len(alphabet) // bytes at or above are redrawn: no bias
	out := make([]byte, 0, 20)
	raw := make([]byte, 32)
	for len(out) < cap(out) {
		if _, err := rand.Read(raw); err != nil {
			return "", fmt.Errorf("generate password: %w", err)
		}
		for _, b := range raw {
			if int(b) < limit && len(out) < cap(out) {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}
