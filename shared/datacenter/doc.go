// Package datacenter is the service's channel to self-hosted Data Center
// instances: it signs every call with the connector key, stages and revokes
// OAuth 2.0 client credentials at the instance, and requests access tokens
// from the instance's standard token endpoint.
//
// The same signing code verifies calls in the simulated Data Center, so the
// two sides cannot disagree about the canonical form.
package datacenter
