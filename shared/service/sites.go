package service

import (
	"context"
	"strings"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// SiteInput is the body of PUT /sites/{siteId}.
type SiteInput struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// PutSite registers or updates a site of the caller's organization and
// reports whether it was created.
func (s *Service) PutSite(ctx context.Context, p domain.Principal, siteID string, in SiteInput) (domain.Site, bool, error) {
	if err := domain.Authorize(p, domain.ManageSites, domain.Resource{Kind: "site", ID: siteID, OrgID: p.OrgID}); err != nil {
		return domain.Site{}, false, err
	}
	name, err := checkName("name", in.Name)
	if err != nil {
		return domain.Site{}, false, err
	}
	u, err := domain.CheckURL("url", in.URL, s.Config.AllowLoopbackHTTP)
	if err != nil {
		return domain.Site{}, false, err
	}
	site := domain.Site{ID: siteID, OrgID: p.OrgID, Name: name, URL: u}
	created, err := s.Store.PutSite(ctx, site)
	return site, created, err
}

// maxNameLength bounds display names.
const maxNameLength = 200

func checkName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", domain.Invalid(field+" must not be empty", domain.FieldError{Field: field, Reason: "required"})
	}
	if len(name) > maxNameLength {
		return "", domain.Invalid(field+" is longer than 200 bytes", domain.FieldError{Field: field, Reason: "at most 200 bytes"})
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "", domain.Invalid(field+" contains a control character", domain.FieldError{Field: field, Reason: "no control characters"})
		}
	}
	return name, nil
}
