package dynamo

import (
	"time"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// Item kinds, the sort key of each entity's main item.
const (
	skSite      = "site"
	skConnector = "connector"
	skLink      = "link"
	skLock      = "lock"
	skIdem      = "idempotency"
)

// Sort key prefixes in the byOrg index.
const (
	orgSortSite      = "SITE#"
	orgSortConnector = "CON#"
	orgSortLink      = "LNK#"
)

// timeLayout is fixed-width UTC with milliseconds, so stored times sort as text.
const timeLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func parseTimePtr(s string) *time.Time {
	if s == "" {
		return nil
	}
	t := parseTime(s)
	return &t
}

func sitePK(id string) string { return "site#" + id }

func lockPK(siteID, connectorID string) string { return "lock#" + siteID + "#" + connectorID }

type siteItem struct {
	PK      string `dynamodbav:"pk"`
	SK      string `dynamodbav:"sk"`
	OrgKey  string `dynamodbav:"orgKey"`
	OrgSort string `dynamodbav:"orgSort"`
	ID      string `dynamodbav:"id"`
	OrgID   string `dynamodbav:"orgId"`
	Name    string `dynamodbav:"name"`
	URL     string `dynamodbav:"url"`
}

func newSiteItem(s domain.Site) siteItem {
	return siteItem{PK: sitePK(s.ID), SK: skSite, OrgKey: s.OrgID, OrgSort: orgSortSite + s.ID,
		ID: s.ID, OrgID: s.OrgID, Name: s.Name, URL: s.URL}
}

func (it siteItem) site() domain.Site {
	return domain.Site{ID: it.ID, OrgID: it.OrgID, Name: it.Name, URL: it.URL}
}

type connectorItem struct {
	PK            string `dynamodbav:"pk"`
	SK            string `dynamodbav:"sk"`
	OrgKey        string `dynamodbav:"orgKey"`
	OrgSort       string `dynamodbav:"orgSort"`
	ID            string `dynamodbav:"id"`
	OrgID         string `dynamodbav:"orgId"`
	Name          string `dynamodbav:"name"`
	Product       string `dynamodbav:"product"`
	Version       string `dynamodbav:"version"`
	DisplayURL    string `dynamodbav:"displayUrl"`
	RPCURL        string `dynamodbav:"rpcUrl"`
	Network       string `dynamodbav:"network"`
	TunnelID      string `dynamodbav:"tunnelId,omitempty"`
	CreatedAt     string `dynamodbav:"createdAt"`
	UpdatedAt     string `dynamodbav:"updatedAt"`
	KeyCiphertext []byte `dynamodbav:"keyCiphertext"`
	// LiveLinks counts the connector's pending, connected and rotating links;
	// the connector can be deleted only at zero.
	LiveLinks int `dynamodbav:"liveLinks"`
}

func newConnectorItem(c domain.Connector) connectorItem {
	return connectorItem{PK: c.ID, SK: skConnector, OrgKey: c.OrgID, OrgSort: orgSortConnector + c.ID,
		ID: c.ID, OrgID: c.OrgID, Name: c.Name, Product: string(c.Product), Version: c.Version,
		DisplayURL: c.DisplayURL, RPCURL: c.RPCURL, Network: string(c.Network), TunnelID: c.TunnelID,
		CreatedAt: formatTime(c.CreatedAt), UpdatedAt: formatTime(c.UpdatedAt), KeyCiphertext: c.KeyCiphertext}
}

func (it connectorItem) connector() domain.Connector {
	return domain.Connector{ID: it.ID, OrgID: it.OrgID, Name: it.Name, Product: domain.Product(it.Product),
		Version: it.Version, DisplayURL: it.DisplayURL, RPCURL: it.RPCURL, Network: domain.Network(it.Network),
		TunnelID: it.TunnelID, CreatedAt: parseTime(it.CreatedAt), UpdatedAt: parseTime(it.UpdatedAt),
		LiveLinks: it.LiveLinks, KeyCiphertext: it.KeyCiphertext}
}

// linkItem is a link as stored. Every attribute that an update writes or a
// condition reads is top-level, never nested, and no update touches a list
// element, so the layout works on DynamoDB and on emulators whose nested-path
// updates are incomplete.
type linkItem struct {
	PK               string   `dynamodbav:"pk"`
	SK               string   `dynamodbav:"sk"`
	OrgKey           string   `dynamodbav:"orgKey"`
	OrgSort          string   `dynamodbav:"orgSort"`
	ID               string   `dynamodbav:"id"`
	OrgID            string   `dynamodbav:"orgId"`
	SiteID           string   `dynamodbav:"siteId"`
	ConnectorID      string   `dynamodbav:"connectorId"`
	Status           string   `dynamodbav:"status"`
	ScopesRequested  []string `dynamodbav:"scopesRequested"`
	ScopesAccepted   []string `dynamodbav:"scopesAccepted,omitempty"`
	RejectReason     string   `dynamodbav:"rejectReason,omitempty"`
	RequestExpiresAt string   `dynamodbav:"requestExpiresAt"`
	CreatedAt        string   `dynamodbav:"createdAt"`
	CreatedBy        string   `dynamodbav:"createdBy"`
	UpdatedAt        string   `dynamodbav:"updatedAt"`

	CredClientID  string `dynamodbav:"credClientId,omitempty"`
	CredVersion   int    `dynamodbav:"credVersion,omitempty"`
	CredCreatedAt string `dynamodbav:"credCreatedAt,omitempty"`
	CredSecret    []byte `dynamodbav:"credSecret,omitempty"`

	PrevClientID     string `dynamodbav:"prevClientId,omitempty"`
	PrevVersion      int    `dynamodbav:"prevVersion,omitempty"`
	PrevCreatedAt    string `dynamodbav:"prevCreatedAt,omitempty"`
	PrevSecret       []byte `dynamodbav:"prevSecret,omitempty"`
	RevokePreviousAt string `dynamodbav:"revokePreviousAt,omitempty"`

	RotID          string `dynamodbav:"rotId,omitempty"`
	RotState       string `dynamodbav:"rotState,omitempty"`
	RotStep        string `dynamodbav:"rotStep,omitempty"`
	RotAttempts    int    `dynamodbav:"rotAttempts,omitempty"`
	RotLastError   string `dynamodbav:"rotLastError,omitempty"`
	RotRequestedBy string `dynamodbav:"rotRequestedBy,omitempty"`
	RotStartedAt   string `dynamodbav:"rotStartedAt,omitempty"`
	RotFinishedAt  string `dynamodbav:"rotFinishedAt,omitempty"`
	RotClientID    string `dynamodbav:"rotClientId,omitempty"`
	RotSecret      []byte `dynamodbav:"rotSecret,omitempty"`
	RotCreatedAt   string `dynamodbav:"rotCreatedAt,omitempty"`

	PendingConnector string `dynamodbav:"pendingConnector,omitempty"`
	PendingExpiresAt string `dynamodbav:"pendingExpiresAt,omitempty"`
	DueShard         string `dynamodbav:"dueShard,omitempty"`
	DueAt            string `dynamodbav:"dueAt,omitempty"`
	// RevokePending marks a deleted link whose credentials are still to be
	// revoked at the Data Center instance.
	RevokePending bool  `dynamodbav:"revokePending,omitempty"`
	ExpiresAt     int64 `dynamodbav:"expiresAt,omitempty"`
}

func newPendingLinkItem(l domain.Link) linkItem {
	return linkItem{PK: l.ID, SK: skLink, OrgKey: l.OrgID, OrgSort: orgSortLink + l.SiteID + "#" + l.ID,
		ID: l.ID, OrgID: l.OrgID, SiteID: l.SiteID, ConnectorID: l.ConnectorID, Status: string(l.Status),
		ScopesRequested: l.ScopesRequested, RequestExpiresAt: formatTime(l.RequestExpiresAt),
		CreatedAt: formatTime(l.CreatedAt), CreatedBy: l.CreatedBy, UpdatedAt: formatTime(l.UpdatedAt),
		PendingConnector: l.ConnectorID, PendingExpiresAt: formatTime(l.RequestExpiresAt)}
}

func (it linkItem) link() domain.Link {
	l := domain.Link{ID: it.ID, OrgID: it.OrgID, SiteID: it.SiteID, ConnectorID: it.ConnectorID,
		Status: domain.Status(it.Status), ScopesRequested: it.ScopesRequested, ScopesAccepted: it.ScopesAccepted,
		RejectReason: it.RejectReason, RequestExpiresAt: parseTime(it.RequestExpiresAt),
		CreatedAt: parseTime(it.CreatedAt), CreatedBy: it.CreatedBy, UpdatedAt: parseTime(it.UpdatedAt),
		RevokePreviousAt: parseTimePtr(it.RevokePreviousAt)}
	if it.CredClientID != "" {
		l.Credential = &domain.Credential{ClientID: it.CredClientID, Version: it.CredVersion,
			CreatedAt: parseTime(it.CredCreatedAt), SecretCiphertext: it.CredSecret}
	}
	if it.PrevClientID != "" {
		l.Previous = &domain.Credential{ClientID: it.PrevClientID, Version: it.PrevVersion,
			CreatedAt: parseTime(it.PrevCreatedAt), SecretCiphertext: it.PrevSecret}
	}
	if it.RotID != "" {
		l.Rotation = &domain.Rotation{ID: it.RotID, State: domain.RotationState(it.RotState),
			Step: domain.RotationStep(it.RotStep), Attempts: it.RotAttempts, LastError: it.RotLastError,
			RequestedBy: it.RotRequestedBy, StartedAt: parseTime(it.RotStartedAt),
			FinishedAt: parseTimePtr(it.RotFinishedAt)}
		if it.RotClientID != "" {
			l.Rotation.Pending = &domain.Credential{ClientID: it.RotClientID, Version: it.CredVersion + 1,
				CreatedAt: parseTime(it.RotCreatedAt), SecretCiphertext: it.RotSecret}
		}
	}
	return l
}

type lockItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	LinkID    string `dynamodbav:"linkId"`
	ExpiresAt int64  `dynamodbav:"expiresAt,omitempty"`
}

type eventItem struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	LinkID     string `dynamodbav:"linkId"`
	Action     string `dynamodbav:"action"`
	Actor      string `dynamodbav:"actor"`
	FromStatus string `dynamodbav:"fromStatus,omitempty"`
	ToStatus   string `dynamodbav:"toStatus"`
	Detail     string `dynamodbav:"detail,omitempty"`
	At         string `dynamodbav:"at"`
	ExpiresAt  int64  `dynamodbav:"expiresAt"`
}

// eventRetention is how long audit events are kept after they are written.
const eventRetention = 400 * 24 * time.Hour

func newEventItem(e domain.Event) eventItem {
	return eventItem{PK: e.LinkID, SK: e.ID, LinkID: e.LinkID, Action: e.Action, Actor: e.Actor,
		FromStatus: string(e.FromStatus), ToStatus: string(e.ToStatus), Detail: e.Detail,
		At: formatTime(e.At), ExpiresAt: e.At.Add(eventRetention).Unix()}
}

func (it eventItem) event() domain.Event {
	return domain.Event{ID: it.SK, LinkID: it.LinkID, Action: it.Action, Actor: it.Actor,
		FromStatus: domain.Status(it.FromStatus), ToStatus: domain.Status(it.ToStatus), Detail: it.Detail,
		At: parseTime(it.At)}
}

// FormatTime renders t as the store writes times, for comparisons with
// stored values such as a connector's updatedAt.
func FormatTime(t time.Time) string { return formatTime(t) }
