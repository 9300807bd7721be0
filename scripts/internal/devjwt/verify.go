package devjwt

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Leeway is how far in the future nbf and iat may lie, to allow for clock
// skew between the token issuer and the verifier. exp gets no leeway.
const Leeway = 30 * time.Second

// ErrInvalidToken is wrapped by every rejection that Verify returns.
var ErrInvalidToken = errors.New("invalid token")

// Verifier checks tokens as the JWT authorizer of an API Gateway HTTP API
// does. The signature must be RS256 by the one known key, and the kid header
// must name that key. The iss claim must equal the issuer. The aud claim (a
// string or an array), or client_id when aud is absent, must contain the
// audience. exp must be present and in the future. nbf and iat, when
// present, must not be in the future.
type Verifier struct {
	public   *rsa.PublicKey
	keyID    string
	issuer   string
	audience string

	// Now returns the current time. Tests replace it to check expiry.
	Now func() time.Time
}

// NewVerifier returns a Verifier for tokens signed by public under key id
// keyID, issued by Issuer for Audience.
func NewVerifier(public *rsa.PublicKey, keyID string) *Verifier {
	return &Verifier{public: public, keyID: keyID, issuer: Issuer, audience: Audience, Now: time.Now}
}

// Verify checks token and returns its claims. Numbers in the claims are
// json.Number values that keep their text from the token. Every error wraps
// ErrInvalidToken and names the check that failed.
func (v *Verifier) Verify(token string) (jwt.MapClaims, error) {
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithJSONNumber(),
		jwt.WithoutClaimsValidation(),
	)
	claims := jwt.MapClaims{}
	if _, err := parser.ParseWithClaims(token, claims, v.key); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}

	if err := v.checkClaims(claims); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	return claims, nil
}

func (v *Verifier) key(token *jwt.Token) (any, error) {
	kid, ok := token.Header["kid"].(string)
	if !ok || kid == "" {
		return nil, errors.New("kid header is missing")
	}
	if kid != v.keyID {
		return nil, fmt.Errorf("kid %q is not a known key", kid)
	}
	return v.public, nil
}

func (v *Verifier) checkClaims(claims jwt.MapClaims) error {
	now := v.Now()

	iss, ok := claims["iss"].(string)
	if !ok {
		return errors.New("iss claim is missing or not a string")
	}
	if iss != v.issuer {
		return fmt.Errorf("iss %q is not %q", iss, v.issuer)
	}

	if err := v.checkAudience(claims); err != nil {
		return err
	}

	exp, present, err := numericDate(claims, "exp")
	if err != nil {
		return err
	}
	if !present {
		return errors.New("exp claim is missing")
	}
	if !now.Before(exp) {
		return fmt.Errorf("token expired at %s", exp.UTC().Format(time.RFC3339))
	}

	for _, name := range []string{"nbf", "iat"} {
		at, present, err := numericDate(claims, name)
		if err != nil {
			return err
		}
		if present && at.After(now.Add(Leeway)) {
			return fmt.Errorf("%s %s is in the future", name, at.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// checkAudience accepts aud as a string or an array of strings. API Gateway
// falls back to client_id when a token has no aud claim, as OAuth access
// tokens of some providers do.
func (v *Verifier) checkAudience(claims jwt.MapClaims) error {
	raw, ok := claims["aud"]
	if !ok {
		clientID, isString := claims["client_id"].(string)
		if !isString {
			return errors.New("aud claim is missing")
		}
		if clientID != v.audience {
			return fmt.Errorf("client_id %q is not %q", clientID, v.audience)
		}
		return nil
	}

	var audiences []string
	switch aud := raw.(type) {
	case string:
		audiences = []string{aud}
	case []any:
		for _, item := range aud {
			s, isString := item.(string)
			if !isString {
				return fmt.Errorf("aud claim has a %T element, want strings", item)
			}
			audiences = append(audiences, s)
		}
	default:
		return fmt.Errorf("aud claim is a %T, want a string or an array of strings", raw)
	}

	for _, aud := range audiences {
		if aud == v.audience {
			return nil
		}
	}
	return fmt.Errorf("aud %q does not contain %q", audiences, v.audience)
}

// maxNumericDate is 9999-12-31T23:59:59Z in seconds since the epoch. Larger
// values would overflow time.Duration arithmetic.
const maxNumericDate = 253402300799

// numericDate reads claim name as seconds since the epoch. present is false
// when the claim is absent.
func numericDate(claims jwt.MapClaims, name string) (at time.Time, present bool, err error) {
	raw, ok := claims[name]
	if !ok {
		return time.Time{}, false, nil
	}
	number, ok := raw.(json.Number)
	if !ok {
		return time.Time{}, true, fmt.Errorf("%s claim is a %T, want a number", name, raw)
	}
	seconds, err := number.Float64()
	if err != nil {
		return time.Time{}, true, fmt.Errorf("%s claim %q is not a number: %w", name, number, err)
	}
	if seconds < 0 || seconds > maxNumericDate {
		return time.Time{}, true, fmt.Errorf("%s claim %s is out of range", name, number)
	}
	whole := math.Floor(seconds)
	return time.Unix(int64(whole), int64((seconds-whole)*float64(time.Second))), true, nil
}
