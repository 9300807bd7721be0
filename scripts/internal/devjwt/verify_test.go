package devjwt

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	testKeysOnce sync.Once
	testKey      *Key
	otherRSA     *rsa.PrivateKey
	testKeysErr  error
)

// keys returns the signing key under test and a second RSA key that the
// verifier does not know. Generating RSA keys is slow, so both are shared.
func keys(t *testing.T) (*Key, *rsa.PrivateKey) {
	t.Helper()
	testKeysOnce.Do(func() {
		private, err := rsa.GenerateKey(rand.Reader, keyBits)
		if err != nil {
			testKeysErr = err
			return
		}
		testKey, testKeysErr = NewKey(private)
		if testKeysErr != nil {
			return
		}
		otherRSA, testKeysErr = rsa.GenerateKey(rand.Reader, keyBits)
	})
	if testKeysErr != nil {
		t.Fatalf("generate test keys: %v", testKeysErr)
	}
	return testKey, otherRSA
}

var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func validClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss":   Issuer,
		"aud":   Audience,
		"sub":   "user-1",
		"org":   "org-1",
		"roles": []string{"org-admin"},
		"iat":   testNow.Unix(),
		"nbf":   testNow.Unix(),
		"exp":   testNow.Add(time.Hour).Unix(),
	}
}

// withClaims returns validClaims changed by edit.
func withClaims(edit func(jwt.MapClaims)) jwt.MapClaims {
	c := validClaims()
	edit(c)
	return c
}

func signWith(t *testing.T, method jwt.SigningMethod, kid string, claims jwt.MapClaims, key any) string {
	t.Helper()
	token := jwt.NewWithClaims(method, claims)
	if kid != "" {
		token.Header["kid"] = kid
	}
	signed, err := token.SignedString(key)
	if err != nil {
		t.Fatalf("sign %s token: %v", method.Alg(), err)
	}
	return signed
}

func publicPEM(t *testing.T, public *rsa.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(public)
	if err != nil {
		t.Fatalf("encode public key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func segment(v any) string {
	data, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(data)
}

func newTestVerifier(key *Key) *Verifier {
	v := key.Verifier()
	v.Now = func() time.Time { return testNow }
	return v
}

func TestVerifyAccepts(t *testing.T) {
	key, _ := keys(t)
	v := newTestVerifier(key)

	tests := []struct {
		name   string
		claims jwt.MapClaims
	}{
		{"aud string", validClaims()},
		{"aud array", withClaims(func(c jwt.MapClaims) { c["aud"] = []string{"other", Audience} })},
		{"client_id without aud", withClaims(func(c jwt.MapClaims) {
			delete(c, "aud")
			c["client_id"] = Audience
		})},
		{"no nbf and no iat", withClaims(func(c jwt.MapClaims) {
			delete(c, "nbf")
			delete(c, "iat")
		})},
		{"nbf inside leeway", withClaims(func(c jwt.MapClaims) { c["nbf"] = testNow.Add(Leeway - time.Second).Unix() })},
		{"iat inside leeway", withClaims(func(c jwt.MapClaims) { c["iat"] = testNow.Add(Leeway).Unix() })},
		{"exp one second ahead", withClaims(func(c jwt.MapClaims) { c["exp"] = testNow.Add(time.Second).Unix() })},
		{"fractional exp", withClaims(func(c jwt.MapClaims) { c["exp"] = float64(testNow.Unix()) + 0.5 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := key.Sign(tt.claims)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			got, err := v.Verify(token)
			if err != nil {
				t.Fatalf("Verify: got error %v, want none", err)
			}
			if got["sub"] != "user-1" {
				t.Errorf("sub: got %v, want user-1", got["sub"])
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	key, other := keys(t)
	v := newTestVerifier(key)
	kid := key.ID()

	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generate ECDSA key: %v", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		t.Fatalf("encode public key: %v", err)
	}
	good := signWith(t, jwt.SigningMethodRS256, kid, validClaims(), key.private)
	parts := strings.Split(good, ".")
	sign := func(c jwt.MapClaims) string { return signWith(t, jwt.SigningMethodRS256, kid, c, key.private) }

	tests := []struct {
		name  string
		token string
		want  string // text the error must contain
	}{
		// Algorithms other than RS256.
		{"alg none", signWith(t, jwt.SigningMethodNone, kid, validClaims(), jwt.UnsafeAllowNoneSignatureType), "signing method none is invalid"},
		{"alg none with empty signature", segment(map[string]string{"alg": "none", "typ": "JWT", "kid": kid}) + "." + parts[1] + ".", "signing method none is invalid"},
		{"HS256 keyed with public PEM", signWith(t, jwt.SigningMethodHS256, kid, validClaims(), publicPEM(t, key.Public())), "signing method HS256 is invalid"},
		{"HS256 keyed with public DER", signWith(t, jwt.SigningMethodHS256, kid, validClaims(), pubDER), "signing method HS256 is invalid"},
		{"RS512 same key", signWith(t, jwt.SigningMethodRS512, kid, validClaims(), key.private), "signing method RS512 is invalid"},
		{"PS256 same key", signWith(t, jwt.SigningMethodPS256, kid, validClaims(), key.private), "signing method PS256 is invalid"},
		{"ES256", signWith(t, jwt.SigningMethodES256, kid, validClaims(), ecKey), "signing method ES256 is invalid"},
		{"alg header in lower case", segment(map[string]string{"alg": "rs256", "typ": "JWT", "kid": kid}) + "." + parts[1] + "." + parts[2], "signing method (alg) is unavailable"},

		// Key and signature.
		{"unknown key with known kid", signWith(t, jwt.SigningMethodRS256, kid, validClaims(), other), "verification error"},
		{"kid missing", signWith(t, jwt.SigningMethodRS256, "", validClaims(), key.private), "kid header is missing"},
		{"kid unknown", signWith(t, jwt.SigningMethodRS256, "someone-else", validClaims(), key.private), `kid "someone-else" is not a known key`},
		{"payload changed after signing", parts[0] + "." + segment(withClaims(func(c jwt.MapClaims) { c["sub"] = "admin" })) + "." + parts[2], "verification error"},
		{"signature removed", parts[0] + "." + parts[1] + ".", "verification error"},

		// Issuer.
		{"iss other", sign(withClaims(func(c jwt.MapClaims) { c["iss"] = "http://127.0.0.1:3000/other" })), "iss"},
		{"iss with trailing slash", sign(withClaims(func(c jwt.MapClaims) { c["iss"] = Issuer + "/" })), "iss"},
		{"iss missing", sign(withClaims(func(c jwt.MapClaims) { delete(c, "iss") })), "iss claim is missing"},
		{"iss not a string", sign(withClaims(func(c jwt.MapClaims) { c["iss"] = 7 })), "iss claim is missing or not a string"},

		// Audience.
		{"aud other", sign(withClaims(func(c jwt.MapClaims) { c["aud"] = "someone-else" })), "does not contain"},
		{"aud array without ours", sign(withClaims(func(c jwt.MapClaims) { c["aud"] = []string{"a", "b"} })), "does not contain"},
		{"aud empty array", sign(withClaims(func(c jwt.MapClaims) { c["aud"] = []string{} })), "does not contain"},
		{"aud number", sign(withClaims(func(c jwt.MapClaims) { c["aud"] = 1 })), "want a string or an array"},
		{"aud array of numbers", sign(withClaims(func(c jwt.MapClaims) { c["aud"] = []int{1} })), "want strings"},
		{"aud missing", sign(withClaims(func(c jwt.MapClaims) { delete(c, "aud") })), "aud claim is missing"},
		{"client_id other", sign(withClaims(func(c jwt.MapClaims) {
			delete(c, "aud")
			c["client_id"] = "someone-else"
		})), "client_id"},
		{"aud wrong with client_id right", sign(withClaims(func(c jwt.MapClaims) {
			c["aud"] = "someone-else"
			c["client_id"] = Audience
		})), "does not contain"},

		// Times.
		{"exp missing", sign(withClaims(func(c jwt.MapClaims) { delete(c, "exp") })), "exp claim is missing"},
		{"exp past", sign(withClaims(func(c jwt.MapClaims) { c["exp"] = testNow.Add(-time.Second).Unix() })), "token expired"},
		{"exp now", sign(withClaims(func(c jwt.MapClaims) { c["exp"] = testNow.Unix() })), "token expired"},
		{"exp string", sign(withClaims(func(c jwt.MapClaims) { c["exp"] = "4102444800" })), "want a number"},
		{"exp too large", sign(withClaims(func(c jwt.MapClaims) { c["exp"] = 1e300 })), "out of range"},
		{"nbf future", sign(withClaims(func(c jwt.MapClaims) { c["nbf"] = testNow.Add(Leeway + time.Second).Unix() })), "nbf"},
		{"iat future", sign(withClaims(func(c jwt.MapClaims) { c["iat"] = testNow.Add(Leeway + time.Second).Unix() })), "iat"},
		{"iat string", sign(withClaims(func(c jwt.MapClaims) { c["iat"] = "now" })), "want a number"},

		// Malformed.
		{"empty", "", "token is malformed"},
		{"one segment", "abc", "token is malformed"},
		{"two segments", "abc.def", "token is malformed"},
		{"four segments", good + ".x", "token is malformed"},
		{"header not base64", "%%%." + parts[1] + "." + parts[2], "token is malformed"},
		{"header not JSON", base64.RawURLEncoding.EncodeToString([]byte("not json")) + "." + parts[1] + "." + parts[2], "token is malformed"},
		{"payload not JSON", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte("[1,2")) + "." + parts[2], "token is malformed"},
		{"payload a JSON array", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte("[1,2]")) + "." + parts[2], "token is malformed"},
		{"signature not base64", parts[0] + "." + parts[1] + ".!!!", "could not base64 decode signature"},
		{"Bearer prefix left on", "Bearer " + good, "token is malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims, err := v.Verify(tt.token)
			if err == nil {
				t.Fatalf("Verify: got claims %v, want an error containing %q", claims, tt.want)
			}
			if !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify: got error %v, want one wrapping ErrInvalidToken", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Verify: got error %q, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestVerifyKeepsNumberText(t *testing.T) {
	key, _ := keys(t)
	v := newTestVerifier(key)
	token, err := key.Sign(withClaims(func(c jwt.MapClaims) { c["exp"] = int64(4102444800) }))
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}

	claims, err := v.Verify(token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	got, ok := claims["exp"].(json.Number)
	if !ok {
		t.Fatalf("exp: got %T, want json.Number", claims["exp"])
	}
	if got.String() != "4102444800" {
		t.Errorf("exp: got %q, want %q", got, "4102444800")
	}
}
