// Package auth is who may do what in the GraphQL API: the bearer tokens
// (HS256 JWTs carrying a subject and a role, living at most their role's
// MaxTTL, auth.go), their signing secret (secret.go), the per-subject
// revocations that end them early (revocation.go), the caller a request runs for (Viewer, carried in
// the context), the role × operation access table (access.go), the
// masking of customers' personal data for roles that see it masked
// (mask.go), and the CSRF rules for requests signed in by the desktop's
// session cookie (cookie.go). Sign-in accounts are in accounts/, the
// /auth endpoints in session/.
//
// Its errors are UNAUTHENTICATED and FORBIDDEN *apierror.Error values.
package auth
