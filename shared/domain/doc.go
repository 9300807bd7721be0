// Package domain holds the cloud connector's entities (sites, connectors,
// links), the link state machine, the scope and version rules, the
// authorization policy and the error kinds every layer shares.
//
// It imports no AWS package: adapters translate their technology's types to
// and from these.
package domain
