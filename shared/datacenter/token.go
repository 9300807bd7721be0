package datacenter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// tokenPath is the instance's standard OAuth 2.0 token endpoint, under the
// RPC URL.
const tokenPath = "/rest/oauth2/latest/token"

// Token is an access token the instance issued. AccessToken is secret.
type Token struct {
	AccessToken string
	TokenType   string
	// ExpiresIn is the lifetime in seconds, or 0 when the response left
	// expires_in out.
	ExpiresIn int
	// Scope is the space-separated granted scope. When the instance leaves it
	// out, it is the requested scope, as OAuth 2.0 (RFC 6749, section 5.1)
	// defines.
	Scope string
}

// tokenResponse is the JSON body of a successful token response.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   *int   `json:"expires_in"`
	Scope       string `json:"scope"`
}

// RequestToken requests an access token from the instance of t with the
// OAuth 2.0 client credentials grant: a form-encoded POST of grant_type,
// client_id, client_secret and the space-separated scopes. An empty scopes
// leaves scope out, which requests all of the credential's scopes. The call
// is signed like every other. The instance makes a staged credential active
// at its first successful token request.
//
// Errors are as for StageCredential. A rejected credential is a *StatusError
// with Code "invalid_client" (401), a scope outside the credential's scopes
// one with Code "invalid_scope" (400). Neither the secret nor an access
// token ever appears in an error.
func (c *Client) RequestToken(ctx context.Context, t Target, clientID, clientSecret string, scopes []string) (Token, error) {
	op := "token request for client " + clientID
	var problems []error
	problems = append(problems, t.check())
	if clientID == "" {
		problems = append(problems, errors.New("client id is empty"))
	}
	if clientSecret == "" {
		problems = append(problems, errors.New("client secret is empty"))
	}
	if err := errors.Join(problems...); err != nil {
		return Token{}, invalidArgument(op, err)
	}
	u, err := t.endpoint(tokenPath)
	if err != nil {
		return Token{}, invalidArgument(op, err)
	}

	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {clientID},
		"client_secret": {clientSecret},
	}
	requested := strings.Join(scopes, " ")
	if requested != "" {
		form.Set("scope", requested)
	}
	body, err := c.call(ctx, t, op, http.MethodPost, u, "application/x-www-form-urlencoded", []byte(form.Encode()), clientSecret)
	if err != nil {
		return Token{}, err
	}

	return parseToken(op, body, requested, clientSecret)
}

// parseToken decodes a successful token response and checks the members
// the service relies on.
func parseToken(op string, body []byte, requested, clientSecret string) (Token, error) {
	var resp tokenResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return Token{}, malformedError(op, "token response is not a JSON object of the OAuth 2.0 form", err)
	}
	if resp.AccessToken == "" {
		return Token{}, malformedError(op, "token response has no access_token", nil)
	}
	if !strings.EqualFold(resp.TokenType, "Bearer") {
		return Token{}, malformedError(op, fmt.Sprintf("token_type %q is not Bearer", quote(resp.TokenType, []string{resp.AccessToken, clientSecret})), nil)
	}

	token := Token{AccessToken: resp.AccessToken, TokenType: resp.TokenType, Scope: resp.Scope}
	if resp.ExpiresIn != nil {
		if *resp.ExpiresIn < 0 {
			return Token{}, malformedError(op, fmt.Sprintf("expires_in %d is negative", *resp.ExpiresIn), nil)
		}
		token.ExpiresIn = *resp.ExpiresIn
	}
	if token.Scope == "" {
		token.Scope = requested
	}
	return token, nil
}
