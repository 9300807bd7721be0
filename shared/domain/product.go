package domain

import "fmt"

// Product is the Data Center product a connector links to.
type Product string

// Supported products.
const (
	ProductJira       Product = "jira"
	ProductConfluence Product = "confluence"
)

// productRules holds the scope catalogue and minimum version of each product.
var productRules = map[Product]struct {
	scopes  []string
	minimum Version
}{
	// Jira Data Center 11.3 and Confluence Data Center 10.2 are the first LTS
	// releases that support these OAuth 2.0 application links.
	ProductJira:       {scopes: []string{"ADMIN", "MANAGE_SUBSCRIPTIONS", "READ", "READ_ALL", "SYSTEM_ADMIN", "WRITE"}, minimum: Version{Major: 11, Minor: 3}},
	ProductConfluence: {scopes: []string{"ADMIN", "READ", "SYSTEM_ADMIN", "WRITE"}, minimum: Version{Major: 10, Minor: 2}},
}

// ParseProduct validates a product name.
func ParseProduct(s string) (Product, error) {
	p := Product(s)
	if _, ok := productRules[p]; !ok {
		return "", Invalid(fmt.Sprintf("unknown product %q: use jira or confluence", s),
			FieldError{Field: "product", Reason: "must be jira or confluence"})
	}
	return p, nil
}

// Scopes returns the product's valid scopes in sorted order.
func (p Product) Scopes() []string {
	return append([]string(nil), productRules[p].scopes...)
}

// MinimumVersion returns the oldest version of the product that can be connected.
func (p Product) MinimumVersion() Version { return productRules[p].minimum }
