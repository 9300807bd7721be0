package domain

import "time"

// Network is how the service reaches a Data Center instance.
type Network string

// Network kinds.
const (
	NetworkPublic Network = "public"
	NetworkTunnel Network = "tunnel"
)

// Connector is a connected source: a Data Center instance registered with an
// organization. RPCURL is where the service sends its signed calls; DisplayURL
// is what people see. KeyCiphertext is the connector key sealed with KMS; it
// is never serialized.
type Connector struct {
	ID         string    `json:"id"`
	OrgID      string    `json:"orgId"`
	Name       string    `json:"name"`
	Product    Product   `json:"product"`
	Version    string    `json:"version"`
	DisplayURL string    `json:"displayUrl"`
	RPCURL     string    `json:"rpcUrl"`
	Network    Network   `json:"network"`
	TunnelID   string    `json:"tunnelId,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	// LiveLinks counts the links that hold credentials at the instance or
	// still have some to revoke there.
	LiveLinks     int    `json:"liveLinks"`
	KeyCiphertext []byte `json:"-"`
}
