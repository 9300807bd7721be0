package service

// Message kinds on the rotation queue.
const (
	// MsgRotate drives one rotation through its steps.
	MsgRotate = "rotate"
	// MsgRevokePrevious revokes the credential a rotation replaced, once its
	// grace period is over.
	MsgRevokePrevious = "revoke-previous"
	// MsgRevokeCredential revokes a credential that never became current,
	// such as the new credential of a failed rotation.
	MsgRevokeCredential = "revoke-credential"
	// MsgRevokeLink revokes every credential of a deleted link.
	MsgRevokeLink = "revoke-link"
)

// Message is one unit of work on the rotation queue. Every kind is
// idempotent: a duplicate or late message changes nothing twice.
type Message struct {
	Kind        string `json:"kind"`
	LinkID      string `json:"linkId"`
	RotationID  string `json:"rotationId,omitempty"`
	ClientID    string `json:"clientId,omitempty"`
	ConnectorID string `json:"connectorId,omitempty"`
}
