package datacenter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// credentialsPath is the instance's route for the credentials of incoming
// links, under the RPC URL.
const credentialsPath = "/rest/cloudconnector/1.0/links/%s/credentials/%s"

// StagedCredential is an OAuth 2.0 client credential delivered to the
// instance for one link. ClientSecret is secret: it is sent in the request
// body only and never appears in an error.
type StagedCredential struct {
	LinkID       string
	SiteID       string
	ClientID     string
	ClientSecret string
	Scopes       []string
	Version      int
}

// stageRequest is the JSON body of a stage call.
type stageRequest struct {
	ClientSecret      string   `json:"clientSecret"`
	Scopes            []string `json:"scopes"`
	SiteID            string   `json:"siteId"`
	CredentialVersion int      `json:"credentialVersion"`
}

// StageCredential installs cred at the instance of t as a staged credential
// of its link, with a signed PUT. Staging the same client id with the same
// secret again succeeds, so a retry is safe. The instance rejects (409) a
// client id that was revoked or that it stores with another secret.
//
// Every failure of the call is a *domain.Error of KindUpstream whose Err is
// the cause, a *StatusError when the instance sent a response. Invalid arguments
// (an empty or unusable id, secret or target) are KindInternal, because they
// are the caller's bug.
func (c *Client) StageCredential(ctx context.Context, t Target, cred StagedCredential) error {
	op := fmt.Sprintf("stage credential %s of link %s", cred.ClientID, cred.LinkID)
	if err := checkStage(t, cred); err != nil {
		return invalidArgument(op, err)
	}
	u, err := t.endpoint(fmt.Sprintf(credentialsPath, cred.LinkID, cred.ClientID))
	if err != nil {
		return invalidArgument(op, err)
	}

	body, err := json.Marshal(stageRequest{
		ClientSecret:      cred.ClientSecret,
		Scopes:            cred.Scopes,
		SiteID:            cred.SiteID,
		CredentialVersion: cred.Version,
	})
	if err != nil {
		return invalidArgument(op, fmt.Errorf("encode request body: %w", err))
	}

	_, err = c.call(ctx, t, op, http.MethodPut, u, "application/json", body, cred.ClientSecret)
	return err
}

// RevokeCredential revokes the credential clientID of link linkID at the
// instance of t, with a signed DELETE. Revoking is idempotent, and the
// instance records an unknown client id as revoked so that it can never be
// staged later.
//
// Errors are as for StageCredential.
func (c *Client) RevokeCredential(ctx context.Context, t Target, linkID, clientID string) error {
	op := fmt.Sprintf("revoke credential %s of link %s", clientID, linkID)
	if err := errors.Join(t.check(), checkPathID("link id", linkID), checkPathID("client id", clientID)); err != nil {
		return invalidArgument(op, err)
	}
	u, err := t.endpoint(fmt.Sprintf(credentialsPath, linkID, clientID))
	if err != nil {
		return invalidArgument(op, err)
	}

	_, err = c.call(ctx, t, op, http.MethodDelete, u, "", nil)
	return err
}

func checkStage(t Target, cred StagedCredential) error {
	var problems []error
	problems = append(problems, t.check(), checkPathID("link id", cred.LinkID), checkPathID("client id", cred.ClientID))
	if cred.SiteID == "" {
		problems = append(problems, errors.New("site id is empty"))
	}
	if cred.ClientSecret == "" {
		problems = append(problems, errors.New("client secret is empty"))
	}
	if len(cred.Scopes) == 0 {
		problems = append(problems, errors.New("scopes are empty"))
	}
	if cred.Version < 1 {
		problems = append(problems, fmt.Errorf("credential version %d is not positive", cred.Version))
	}
	return errors.Join(problems...)
}

// invalidArgument returns the KindInternal error for arguments the caller
// should never have passed.
func invalidArgument(op string, err error) *domain.Error {
	return &domain.Error{Kind: domain.KindInternal, Detail: op + ": invalid argument", Err: err}
}
