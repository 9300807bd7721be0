// Package sim is a simulated Data Center instance for local runs and tests.
// It serves the instance's side of the connector protocol over HTTP: staging
// and revoking OAuth 2.0 client credentials of incoming links, and the
// standard token endpoint with the client credentials grant. Every protocol
// call must carry a connector signature made with a key installed through
// the control routes under /_sim, which also report counts and inject
// failures.
//
// The simulator keeps everything in memory behind one mutex and stores
// client secrets only as SHA-256 hashes.
package sim
