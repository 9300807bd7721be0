// Package kmsseal encrypts and decrypts secrets with AWS KMS. Every
// ciphertext is bound to an encryption context, so a ciphertext copied to
// another item fails to decrypt.
package kmsseal

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/cloudconnector/cloudconnector/shared/awsenv"
)

// API is the part of the KMS client the sealer uses.
type API interface {
	Encrypt(ctx context.Context, in *kms.EncryptInput, optFns ...func(*kms.Options)) (*kms.EncryptOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// Sealer encrypts with one KMS key.
type Sealer struct {
	client API
	keyID  string
}

// New returns a Sealer that encrypts with keyID (a key id, ARN or alias).
func New(client API, keyID string) *Sealer {
	return &Sealer{client: client, keyID: keyID}
}

// Seal encrypts plaintext under encryptionContext.
func (s *Sealer) Seal(ctx context.Context, plaintext []byte, encryptionContext map[string]string) ([]byte, error) {
	out, err := s.client.Encrypt(ctx, &kms.EncryptInput{
		KeyId:             aws.String(s.keyID),
		Plaintext:         plaintext,
		EncryptionContext: encryptionContext,
	})
	if err != nil {
		return nil, fmt.Errorf("kms encrypt: %w", err)
	}
	return out.CiphertextBlob, nil
}

// Open decrypts ciphertext, which must have been sealed under the same
// encryption context. KMS finds the key from the ciphertext, but Open names it
// so that a ciphertext of another key is rejected.
func (s *Sealer) Open(ctx context.Context, ciphertext []byte, encryptionContext map[string]string) ([]byte, error) {
	out, err := s.client.Decrypt(ctx, &kms.DecryptInput{
		KeyId:             aws.String(s.keyID),
		CiphertextBlob:    ciphertext,
		EncryptionContext: encryptionContext,
	})
	if err != nil {
		return nil, fmt.Errorf("kms decrypt: %w", err)
	}
	return out.Plaintext, nil
}

// FromConfig returns a Sealer for keyID with a KMS client built from cfg,
// honouring AWS_ENDPOINT_URL_KMS.
func FromConfig(cfg aws.Config, keyID string) *Sealer {
	return New(kms.NewFromConfig(cfg, func(o *kms.Options) {
		if ep := awsenv.Endpoint("KMS"); ep != nil {
			o.BaseEndpoint = ep
		}
	}), keyID)
}
