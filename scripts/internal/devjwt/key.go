// Package devjwt signs and verifies the RS256 tokens of the local stack. Its
// Verifier checks a token the way the JWT authorizer of an API Gateway HTTP
// API does, so the local API accepts and rejects the same tokens as the
// deployed one would.
package devjwt

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/golang-jwt/jwt/v5"
)

// keyFile is the name of the PEM file that stores the private key.
const keyFile = "private.pem"

// keyBits is the RSA modulus size of a generated key.
const keyBits = 2048

// Key is the local RS256 signing key.
type Key struct {
	private *rsa.PrivateKey
	id      string
}

// DefaultDir returns the directory that stores the local signing key:
// $DEVJWT_DIR when set, otherwise .local/jwt under the module root, found by
// walking up from the working directory to the nearest go.mod.
func DefaultDir() (string, error) {
	if dir := os.Getenv("DEVJWT_DIR"); dir != "" {
		return dir, nil
	}

	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, ".local", "jwt"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find module root: no go.mod in the working directory or its parents; run from the repository or set DEVJWT_DIR")
		}
		dir = parent
	}
}

// LoadOrCreate reads the key stored in dir, or generates one with crypto/rand
// and stores it there (directory 0700, file 0600) when dir holds none. Two
// processes that start at once end up with the same key, because the file is
// published with a hard link that fails when it already exists. A key file
// that other users can read is rejected.
func LoadOrCreate(dir string) (*Key, error) {
	path := filepath.Join(dir, keyFile)

	key, err := load(path)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}

	if err := create(dir, path); err != nil {
		return nil, err
	}
	return load(path)
}

// NewKey wraps an existing RSA private key, for tests that need a key that
// is not stored on disk.
func NewKey(private *rsa.PrivateKey) (*Key, error) {
	if private == nil {
		return nil, errors.New("new key: private key is nil")
	}
	if private.N.BitLen() < keyBits {
		return nil, fmt.Errorf("new key: RSA key has %d bits, want at least %d", private.N.BitLen(), keyBits)
	}
	id, err := keyID(&private.PublicKey)
	if err != nil {
		return nil, err
	}
	return &Key{private: private, id: id}, nil
}

// ID returns the key id that Sign writes into the kid header.
func (k *Key) ID() string { return k.id }

// Public returns the public half of the key.
func (k *Key) Public() *rsa.PublicKey { return &k.private.PublicKey }

// Sign returns the compact RS256 JWT for claims, with the key id in the kid
// header.
func (k *Key) Sign(claims jwt.MapClaims) (string, error) {
	token := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	token.Header["kid"] = k.id
	signed, err := token.SignedString(k.private)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return signed, nil
}

// Verifier returns a Verifier that accepts the tokens this key signs for the
// local issuer and audience.
func (k *Key) Verifier() *Verifier {
	return NewVerifier(k.Public(), k.id)
}

func load(path string) (*Key, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read signing key %s: %w", path, err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("read signing key %s: mode is %#o, want 0600; run chmod 600 on it or delete it to generate a new key", path, perm)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read signing key %s: %w", path, err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("read signing key %s: no PKCS #8 PEM block; delete the file to generate a new key", path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse signing key %s: %w", path, err)
	}
	private, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("parse signing key %s: key is %T, want an RSA key", path, parsed)
	}

	key, err := NewKey(private)
	if err != nil {
		return nil, fmt.Errorf("load signing key %s: %w", path, err)
	}
	return key, nil
}

func create(dir, path string) error {
	private, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(private)
	if err != nil {
		return fmt.Errorf("encode signing key: %w", err)
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create key directory %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, keyFile+".tmp-*")
	if err != nil {
		return fmt.Errorf("create signing key in %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name())

	// CreateTemp opens the file with mode 0600 already; Chmod keeps that
	// true whatever the umask did.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("set mode of %s: %w", tmp.Name(), err)
	}
	if err := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		tmp.Close()
		return fmt.Errorf("write signing key %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write signing key %s: %w", tmp.Name(), err)
	}

	// A concurrent process may have published its key first; then that key
	// wins and this one is discarded.
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("publish signing key %s: %w", path, err)
	}
	return nil
}

// keyID derives a stable key id from the public key: the first 16 bytes of
// the SHA-256 of its PKIX encoding, base64url-encoded.
func keyID(public *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(public)
	if err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:16]), nil
}
