// Package apigw maps API Gateway HTTP API events (payload format 2.0) to
// route handlers and their results back to responses.
//
// A Router selects the handler by the event's route key and path parameters,
// never by rawPath, because a named stage or a custom domain's base path
// prefixes rawPath. Before a handler runs, the router authenticates the caller
// from the JWT authorizer's claims, decodes a base64 body, enforces the body
// size limit and parses the raw query string. Handlers return a Response or an
// error. Errors become RFC 9457 problem details, with the status taken from
// the error's domain.Kind.
package apigw
