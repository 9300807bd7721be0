package service

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

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
	if err := checkText(field, name); err != nil {
		return "", err
	}
	return name, nil
}

// checkText rejects text that would show differently from what it stores:
// invalid UTF-8, control characters (C0 and C1) and Unicode format
// characters such as the right-to-left override.
func checkText(field, text string) error {
	if !utf8.ValidString(text) {
		return domain.Invalid(field+" is not valid UTF-8", domain.FieldError{Field: field, Reason: "invalid UTF-8"})
	}
	for _, r := range text {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return domain.Invalid(fmt.Sprintf("%s contains the control or format character %U", field, r),
				domain.FieldError{Field: field, Reason: "no control or format characters"})
		}
	}
	return nil
}
