// Package auth is who may do what in the GraphQL API: the bearer tokens
// (HS256 JWTs carrying a subject and a role, auth.go) and their signing
// secret (secret.go), the caller a request runs for (Viewer, carried in
// the context), the role × operation access table (access.go), and the
// masking of customers' personal data for roles that see it masked
// (mask.go).
//
// Its errors are UNAUTHENTICATED and FORBIDDEN *apierror.Error values.
package auth
