package service

import (
	"context"
	"time"

	"github.com/cloudconnector/cloudconnector/shared/datacenter"
	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/dynamo"
)

// ConnectorInput is the body of POST /connectors. For a public instance
// rpcUrl defaults to displayUrl; a tunnelled one needs tunnelId and rpcUrl
// (the tunnel's URL).
type ConnectorInput struct {
	Name       string `json:"name"`
	Product    string `json:"product"`
	Version    string `json:"version"`
	DisplayURL string `json:"displayUrl"`
	RPCURL     string `json:"rpcUrl"`
	Network    string `json:"network"`
	TunnelID   string `json:"tunnelId"`
}

// ConnectorPatch is the body of PATCH /connectors/{connectorId}; absent
// fields stay unchanged.
type ConnectorPatch struct {
	Name       *string `json:"name"`
	Version    *string `json:"version"`
	DisplayURL *string `json:"displayUrl"`
	RPCURL     *string `json:"rpcUrl"`
	Network    *string `json:"network"`
	TunnelID   *string `json:"tunnelId"`
}

// RegisteredConnector is a new connector with its key, shown once.
type RegisteredConnector struct {
	domain.Connector
	ConnectorKey string `json:"connectorKey"`
}

// RegisterConnector registers a Data Center instance with the caller's
// organization and returns its connector key, which is never shown again.
func (s *Service) RegisterConnector(ctx context.Context, p domain.Principal, in ConnectorInput) (RegisteredConnector, error) {
	if err := domain.Authorize(p, domain.ManageConnectors, domain.Resource{Kind: "connector", OrgID: p.OrgID}); err != nil {
		return RegisteredConnector{}, err
	}
	now := s.now()
	c := domain.Connector{ID: domain.NewID(domain.PrefixConnector, now), OrgID: p.OrgID, CreatedAt: now, UpdatedAt: now}
	product, err := domain.ParseProduct(in.Product)
	if err != nil {
		return RegisteredConnector{}, err
	}
	c.Product = product
	patch := ConnectorPatch{Name: &in.Name, Version: &in.Version, DisplayURL: &in.DisplayURL, RPCURL: &in.RPCURL,
		Network: &in.Network, TunnelID: &in.TunnelID}
	if err := s.applyPatch(&c, patch); err != nil {
		return RegisteredConnector{}, err
	}

	key := datacenter.NewConnectorKey()
	c.KeyCiphertext, err = s.Sealer.Seal(ctx, []byte(key), connectorKeyContext(c.ID))
	if err != nil {
		return RegisteredConnector{}, sealError(err)
	}
	if err := s.Store.CreateConnector(ctx, c); err != nil {
		return RegisteredConnector{}, err
	}
	return RegisteredConnector{Connector: c, ConnectorKey: key}, nil
}

// applyPatch validates and applies the present fields of patch to c.
func (s *Service) applyPatch(c *domain.Connector, patch ConnectorPatch) error {
	var err error
	if patch.Name != nil {
		if c.Name, err = checkName("name", *patch.Name); err != nil {
			return err
		}
	}
	if patch.Version != nil {
		if _, err = domain.CheckVersion(c.Product, *patch.Version); err != nil {
			return err
		}
		c.Version = *patch.Version
	}
	if patch.DisplayURL != nil {
		if c.DisplayURL, err = domain.CheckURL("displayUrl", *patch.DisplayURL, s.Config.AllowLoopbackHTTP); err != nil {
			return err
		}
	}
	if patch.Network != nil {
		switch n := domain.Network(*patch.Network); n {
		case domain.NetworkPublic, domain.NetworkTunnel:
			c.Network = n
		case "":
			c.Network = domain.NetworkPublic
		default:
			return domain.Invalid("network must be public or tunnel", domain.FieldError{Field: "network", Reason: "must be public or tunnel"})
		}
	}
	if patch.TunnelID != nil {
		c.TunnelID = *patch.TunnelID
	}
	if patch.RPCURL != nil && *patch.RPCURL != "" {
		if c.RPCURL, err = domain.CheckURL("rpcUrl", *patch.RPCURL, s.Config.AllowLoopbackHTTP); err != nil {
			return err
		}
	}
	switch c.Network {
	case domain.NetworkPublic:
		c.TunnelID = ""
		if c.RPCURL == "" || (patch.RPCURL != nil && *patch.RPCURL == "") {
			c.RPCURL = c.DisplayURL
		}
	case domain.NetworkTunnel:
		if !domain.ValidSiteID(c.TunnelID) {
			return domain.Invalid("a tunnelled connector needs a tunnelId of 1 to 64 letters, digits, '-', '_' or '.'",
				domain.FieldError{Field: "tunnelId", Reason: "required for network tunnel"})
		}
		if patch.RPCURL != nil && *patch.RPCURL == "" || c.RPCURL == "" {
			return domain.Invalid("a tunnelled connector needs rpcUrl, the tunnel's URL",
				domain.FieldError{Field: "rpcUrl", Reason: "required for network tunnel"})
		}
	}
	return nil
}

// GetConnector returns a connector the caller may view.
func (s *Service) GetConnector(ctx context.Context, p domain.Principal, id string) (domain.Connector, error) {
	c, err := s.Store.GetConnector(ctx, id)
	if err != nil {
		return domain.Connector{}, err
	}
	if err := domain.Authorize(p, domain.ViewConnector, connectorResource(c)); err != nil {
		return domain.Connector{}, err
	}
	return c, nil
}

// ListConnectors returns one page of the caller's organization's connectors.
func (s *Service) ListConnectors(ctx context.Context, p domain.Principal, page dynamo.Page) ([]domain.Connector, string, error) {
	if err := domain.Authorize(p, domain.ManageConnectors, domain.Resource{Kind: "connector", OrgID: p.OrgID}); err != nil {
		return nil, "", err
	}
	return s.Store.ListConnectors(ctx, p.OrgID, page)
}

// UpdateConnector applies patch. An org admin may change every field; the
// connector's Data Center admin may change only the reported version.
func (s *Service) UpdateConnector(ctx context.Context, p domain.Principal, id string, patch ConnectorPatch) (domain.Connector, error) {
	c, err := s.Store.GetConnector(ctx, id)
	if err != nil {
		return domain.Connector{}, err
	}
	action := domain.ManageConnectors
	if patch.Name == nil && patch.DisplayURL == nil && patch.RPCURL == nil && patch.Network == nil && patch.TunnelID == nil {
		action = domain.UpdateVersion
	}
	if err := domain.Authorize(p, action, connectorResource(c)); err != nil {
		return domain.Connector{}, err
	}
	previous, previousRPC := c.UpdatedAt, c.RPCURL
	if err := s.applyPatch(&c, patch); err != nil {
		return domain.Connector{}, err
	}
	// Client secrets go to rpcUrl in every token request, so the address
	// of an instance that holds credentials cannot be moved elsewhere.
	rpcChanged := c.RPCURL != previousRPC
	if rpcChanged && c.LiveLinks > 0 {
		return domain.Connector{}, domain.Conflict(c, "connector %s has %d links: rpcUrl can change only when it has none", id, c.LiveLinks)
	}
	c.UpdatedAt = s.now()
	if !c.UpdatedAt.After(previous) {
		c.UpdatedAt = previous.Add(time.Millisecond)
	}
	if err := s.Store.UpdateConnector(ctx, c, dynamo.FormatTime(previous), rpcChanged); err != nil {
		return domain.Connector{}, err
	}
	return c, nil
}

// DeleteConnector deletes a connector without live links. Pending requests
// past their expiry are expired first, since they no longer count.
func (s *Service) DeleteConnector(ctx context.Context, p domain.Principal, id string) error {
	c, err := s.Store.GetConnector(ctx, id)
	if err != nil {
		return err
	}
	if err := domain.Authorize(p, domain.ManageConnectors, connectorResource(c)); err != nil {
		return err
	}
	err = s.Store.DeleteConnector(ctx, id)
	if !domain.IsKind(err, domain.KindConflict) {
		return err
	}
	now := s.now()
	expired, lerr := s.Store.ListExpiredRequests(ctx, id, dynamo.FormatTime(now), 100)
	if lerr != nil || len(expired) == 0 {
		return err
	}
	for _, l := range expired {
		e := s.event(l, domain.ActionExpire, "system", domain.StatusPending, domain.StatusExpired, "", now)
		if xerr := s.Store.ExpireLink(ctx, l, e); xerr != nil && !domain.IsKind(xerr, domain.KindConflict) {
			return xerr
		}
	}
	return s.Store.DeleteConnector(ctx, id)
}

func connectorResource(c domain.Connector) domain.Resource {
	return domain.Resource{Kind: "connector", ID: c.ID, OrgID: c.OrgID, ConnectorID: c.ID}
}
