# SPDX-License-Identifier: EUPL-1.2
"""The consultation and verification APIs, described by OpenAPI 3 at /api/v1/openapi.json.

Every call carries a client assertion (a JWT signed with the key of a registered API client,
`access.ApiClient`, used once); a consultation also carries the end user's identity in a
tracking-evidence JWT bound to the assertion, as in the AUDIT_REST_02 pattern of AgID's
interoperability guidelines. Errors are RFC 7807 problems.
"""
