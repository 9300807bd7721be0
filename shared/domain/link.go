package domain

import "time"

// Status is a link's lifecycle state.
type Status string

// Link states.
//
//	PENDING --accept--> CONNECTED --rotate--> ROTATING --promote--> CONNECTED
//	PENDING --reject--> REJECTED              ROTATING --give up--> CONNECTED
//	PENDING --time----> EXPIRED               any live state --delete--> DELETED
const (
	StatusPending   Status = "PENDING"
	StatusConnected Status = "CONNECTED"
	StatusRotating  Status = "ROTATING"
	StatusRejected  Status = "REJECTED"
	StatusExpired   Status = "EXPIRED"
	StatusDeleted   Status = "DELETED"
)

// Live reports whether a link in state s holds its (site, connector) lock.
func (s Status) Live() bool {
	return s == StatusPending || s == StatusConnected || s == StatusRotating
}

// ParseStatus validates a status name given by a caller.
func ParseStatus(s string) (Status, error) {
	switch st := Status(s); st {
	case StatusPending, StatusConnected, StatusRotating, StatusRejected, StatusExpired, StatusDeleted:
		return st, nil
	}
	return "", Invalid("unknown status "+truncate(s, 32),
		FieldError{Field: "status", Reason: "must be PENDING, CONNECTED, ROTATING, REJECTED, EXPIRED or DELETED"})
}

// Credential is the public part of an OAuth 2.0 client credential. The secret
// is held only as KMS ciphertext and never serialized.
type Credential struct {
	ClientID         string    `json:"clientId"`
	Version          int       `json:"version"`
	CreatedAt        time.Time `json:"createdAt"`
	SecretCiphertext []byte    `json:"-"`
}

// RotationState is the outcome of a rotation.
type RotationState string

// Rotation states.
const (
	RotationRunning   RotationState = "RUNNING"
	RotationCompleted RotationState = "COMPLETED"
	RotationFailed    RotationState = "FAILED"
)

// RotationStep is the last step a rotation finished.
type RotationStep string

// Rotation steps, in order.
const (
	StepRequested RotationStep = "REQUESTED" // rotation accepted, nothing done yet
	StepStaged    RotationStep = "STAGED"    // new credential generated and stored, sealed
	StepDelivered RotationStep = "DELIVERED" // new credential installed at the Data Center instance
	StepVerified  RotationStep = "VERIFIED"  // a token request with the new credential succeeded
	StepPromoted  RotationStep = "PROMOTED"  // new credential current, old one previous
)

// Rotation describes the latest credential rotation of a link. Pending is
// the new credential while the rotation runs.
type Rotation struct {
	ID          string        `json:"id"`
	State       RotationState `json:"state"`
	Step        RotationStep  `json:"step"`
	Attempts    int           `json:"attempts"`
	LastError   string        `json:"lastError,omitempty"`
	RequestedBy string        `json:"requestedBy"`
	StartedAt   time.Time     `json:"startedAt"`
	FinishedAt  *time.Time    `json:"finishedAt,omitempty"`
	Pending     *Credential   `json:"-"`
}

// Link is an OAuth 2.0 application link from a cloud site to a connector.
type Link struct {
	ID               string      `json:"id"`
	OrgID            string      `json:"orgId"`
	SiteID           string      `json:"siteId"`
	ConnectorID      string      `json:"connectorId"`
	Status           Status      `json:"status"`
	ScopesRequested  []string    `json:"scopesRequested"`
	ScopesAccepted   []string    `json:"scopesAccepted,omitempty"`
	Credential       *Credential `json:"credential,omitempty"`
	Rotation         *Rotation   `json:"rotation,omitempty"`
	RejectReason     string      `json:"rejectReason,omitempty"`
	RequestExpiresAt time.Time   `json:"requestExpiresAt"`
	CreatedAt        time.Time   `json:"createdAt"`
	CreatedBy        string      `json:"createdBy"`
	UpdatedAt        time.Time   `json:"updatedAt"`
	// Previous is the credential replaced by the last rotation; it stays
	// valid at the Data Center instance until RevokePreviousAt.
	Previous         *Credential `json:"-"`
	RevokePreviousAt *time.Time  `json:"-"`
}

// Effective returns the link as callers see it at now: a pending request
// past its expiry is EXPIRED even before anything has rewritten it.
func (l Link) Effective(now time.Time) Link {
	if l.Status == StatusPending && !now.Before(l.RequestExpiresAt) {
		l.Status = StatusExpired
	}
	return l
}

// Event is one entry of a link's audit trail.
type Event struct {
	ID         string    `json:"id"`
	LinkID     string    `json:"linkId"`
	Action     string    `json:"action"`
	Actor      string    `json:"actor"`
	FromStatus Status    `json:"fromStatus,omitempty"`
	ToStatus   Status    `json:"toStatus"`
	Detail     string    `json:"detail,omitempty"`
	At         time.Time `json:"at"`
}

// Audit actions.
const (
	ActionCreate         = "create"
	ActionAccept         = "accept"
	ActionReject         = "reject"
	ActionExpire         = "expire"
	ActionDelete         = "delete"
	ActionRotateStart    = "rotate.start"
	ActionRotatePromote  = "rotate.promote"
	ActionRotateFail     = "rotate.fail"
	ActionRevokePrevious = "revoke.previous"
)
