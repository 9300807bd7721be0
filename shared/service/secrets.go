package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudconnector/cloudconnector/shared/datacenter"
	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// Encryption contexts bind each ciphertext to the item that holds it.
func connectorKeyContext(connectorID string) map[string]string {
	return map[string]string{"purpose": "connector-key", "connectorId": connectorID}
}

func clientSecretContext(linkID string, version int) map[string]string {
	return map[string]string{"purpose": "client-secret", "linkId": linkID, "credentialVersion": strconv.Itoa(version)}
}

// newClientSecret returns 256 bits from crypto/rand, base64url-encoded.
func newClientSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate client secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// newCredential generates a credential of version for link l, sealing the
// secret. It returns the credential and the plaintext secret, which the
// caller sends only to the Data Center instance.
func (s *Service) newCredential(ctx context.Context, linkID string, version int, at time.Time) (domain.Credential, string, error) {
	secret, err := newClientSecret()
	if err != nil {
		return domain.Credential{}, "", err
	}
	sealed, err := s.Sealer.Seal(ctx, []byte(secret), clientSecretContext(linkID, version))
	if err != nil {
		return domain.Credential{}, "", sealError(err)
	}
	return domain.Credential{ClientID: domain.NewID(domain.PrefixClient, at), Version: version, CreatedAt: at,
		SecretCiphertext: sealed}, secret, nil
}

// openSecret decrypts a credential's secret of link linkID.
func (s *Service) openSecret(ctx context.Context, linkID string, c *domain.Credential) (string, error) {
	b, err := s.Sealer.Open(ctx, c.SecretCiphertext, clientSecretContext(linkID, c.Version))
	if err != nil {
		return "", sealError(err)
	}
	return string(b), nil
}

// target returns how to call the connector's instance, decrypting its key.
func (s *Service) target(ctx context.Context, c domain.Connector) (datacenter.Target, error) {
	key, err := s.Sealer.Open(ctx, c.KeyCiphertext, connectorKeyContext(c.ID))
	if err != nil {
		return datacenter.Target{}, sealError(err)
	}
	return datacenter.Target{ConnectorID: c.ID, RPCURL: c.RPCURL, Key: key}, nil
}

func sealError(err error) error {
	return &domain.Error{Kind: domain.KindUnavailable, Detail: "the key service is unavailable, retry later", Err: err}
}
