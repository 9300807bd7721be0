package domain

// Site is a cloud product site, such as a Jira Cloud site. A site id belongs
// to one organization only.
type Site struct {
	ID    string `json:"siteId"`
	OrgID string `json:"orgId"`
	Name  string `json:"name"`
	URL   string `json:"url"`
}
