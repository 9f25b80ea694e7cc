package accounts

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// newToken returns a random bearer secret with a readable prefix so that a leaked token is
// recognisable in a code search or a log, and its SHA-256 for storage. Tokens carry 256 bits
// of randomness, so a fast hash is enough: there is nothing to brute-force.
func newToken(prefix string) (plain, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	plain = prefix + base64.RawURLEncoding.EncodeToString(b)
	return plain, HashSecret(plain), nil
}

// HashSecret is how session ids, API tokens and recovery codes are stored.
func HashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// newRecoveryCodes returns n single-use codes such as "k3m9p-x2q7w", easy to read aloud and
// type, with 50 bits each.
func newRecoveryCodes(n int) []string {
	codes := make([]string, n)
	for i := range codes {
		s := strings.ToLower(rand.Text()[:10])
		codes[i] = s[:5] + "-" + s[5:]
	}
	return codes
}

// normaliseRecoveryCode accepts a code typed with spaces, capitals or without the dash.
func normaliseRecoveryCode(s string) string {
	s = strings.ToLower(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
	if len(s) != 10 {
		return s
	}
	return s[:5] + "-" + s[5:]
}

// RandomPassword returns a password for an account reset or the demo: 26 base32 characters
// (128 bits) in groups that are easy to copy.
func RandomPassword() string {
	t := rand.Text()
	return t[:6] + "-" + t[6:12] + "-" + t[12:18] + "-" + t[18:24]
}
