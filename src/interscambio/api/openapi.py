# SPDX-License-Identifier: EUPL-1.2
"""The APIs' OpenAPI 3.1 description, served at /api/v1/openapi.json (a stable address).

Built in code so that the purposes are the node's configured list and the field names those
of the field policy; schemathesis checks the running API against it in CI.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from interscambio.api.clients import TRACKING_HEADER
from interscambio.consultation.search import CODE_PATTERN

VERSION = "1.0.0"
DAY: dict[str, Any] = {"type": "string", "format": "date"}
MAYBE_DAY: dict[str, Any] = {"type": ["string", "null"], "format": "date"}
TEXT: dict[str, Any] = {"type": "string"}
CODE: dict[str, Any] = {"type": "string", "pattern": f"^{CODE_PATTERN}$"}
NAME: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": r"\S"}
MAYBE_TEXT: dict[str, Any] = {"type": ["string", "null"]}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


ERRORS = {
    "400": _problem("The request is malformed; `detail` names the field."),
    "401": _problem("No valid client assertion (or tracking evidence), or a replayed one."),
    "403": _problem("The client may not call this API (role, revoked, agreement)."),
    "405": _problem("Method not allowed."),
    "415": _problem("The body is not application/json."),
}


def _purpose_fields() -> dict[str, Any]:
    return {
        "finalita": {"type": "string", "enum": sorted(settings.CONSULTATION_PURPOSES)},
        # JSON Schema's pattern matches anywhere; the node matches the whole reference.
        "riferimento_pratica": {
            "type": "string",
            "pattern": f"^(?:{settings.CONSULTATION_CASE_PATTERN})$",
        },
    }


def _schemas() -> dict[str, Any]:
    entry = {"type": "object", "properties": {"id_anagrafe": TEXT, "relazione": TEXT}}
    # What a search result line carries; the person record has all of it and more.
    summary = {
        "id_anagrafe": TEXT,
        "codice_fiscale": TEXT,
        "cognome": TEXT,
        "nome": TEXT,
        "data_nascita": DAY,
        "stato": {"type": "string", "enum": ["residente", "cancellato"]},
    }
    return {
        "Problem": {
            "type": "object",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": TEXT,
                "title": TEXT,
                "status": {"type": "integer"},
                "detail": TEXT,
            },
        },
        "Summary": {"type": "object", "required": ["id_anagrafe"], "properties": summary},
        "Person": {
            "type": "object",
            "required": ["id_anagrafe"],
            "properties": {
                **summary,
                "sesso": TEXT,
                "luogo_nascita": TEXT,
                "cittadinanze": {"type": "array", "items": TEXT},
                "data_iscrizione": DAY,
                "data_cancellazione": MAYBE_DAY,
                "motivo_cancellazione": TEXT,
                "indirizzo": TEXT,
                "storico_indirizzi": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"dal": MAYBE_DAY, "indirizzo": TEXT},
                    },
                },
                "famiglia_componenti": {"type": "array", "items": entry},
                "eventi": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"data": DAY, "tipo": TEXT, "motivo": TEXT},
                    },
                },
                "titolo_soggiorno": {"type": "object"},
            },
        },
    }


def _security() -> dict[str, Any]:
    return {
        "clientAssertion": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": (
                "An ES256 JWT signed with the registered client's key (kid = x5t#S256 of its "
                f"certificate), iss = sub = the client id, aud = {settings.NODE_ID!r}, a jti used "
                "once, exp within minutes; for a consultation also `audit_digest`, the "
                f"base64url SHA-256 of the {TRACKING_HEADER} token sent with it."
            ),
        },
        "trackingEvidence": {
            "type": "apiKey",
            "in": "header",
            "name": TRACKING_HEADER,
            "description": "An ES256 JWT by the same client naming the end user (userID).",
        },
    }


def _post(
    summary: str,
    request: dict[str, Any],
    ok: dict[str, Any],
    extra: dict[str, Any],
    security: list[dict[str, list[str]]],
) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "security": security,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": request}},
            },
            "responses": {
                "200": {
                    "description": "The answer.",
                    "content": {"application/json": {"schema": ok}},
                },
                **ERRORS,
                **extra,
            },
        }
    }


def spec() -> dict[str, Any]:
    consultant = [{"clientAssertion": [], "trackingEvidence": []}]
    search_request = {
        "type": "object",
        "required": ["finalita", "riferimento_pratica"],
        "properties": {
            **_purpose_fields(),
            **{f: MAYBE_TEXT for f in ("cognome", "nome", "data_nascita")},
            # Given at all, it must be a code; empty or null, the names search.
            "codice_fiscale": {"type": ["string", "null"], "pattern": f"^(?:{CODE_PATTERN})?$"},
        },
        # A codice fiscale (the rest is then ignored), or all three of the others.
        "anyOf": [
            {"required": ["codice_fiscale"], "properties": {"codice_fiscale": CODE}},
            {
                "required": ["cognome", "nome", "data_nascita"],
                "properties": {"cognome": NAME, "nome": NAME, "data_nascita": DAY},
            },
        ],
    }
    found = {
        "type": "object",
        "required": ["risultati", "altri"],
        "properties": {
            "risultati": {"type": "array", "items": {"$ref": "#/components/schemas/Summary"}},
            "altri": {"type": "boolean", "description": "More people matched than shown."},
        },
    }
    verify_request = {
        "type": "object",
        "required": ["codice_fiscale", "data"],
        "properties": {"codice_fiscale": CODE, "data": DAY},
    }
    verified = {
        "type": "object",
        "required": ["residente", "permesso_valido"],
        "properties": {
            "residente": {"type": "boolean"},
            "permesso_valido": {
                "type": ["boolean", "null"],
                "description": "null: no permit is required (EU citizen) or the person is unknown.",
            },
            "scadenza_permesso": {**MAYBE_DAY, "description": "Only to clients allowed it."},
        },
    }
    too_many = {"429": _problem("The client's calls per minute are used up (see Retry-After).")}
    person_get = {
        "get": {
            "summary": "A resident's record, as the consultant's role may see it.",
            "security": consultant,
            "parameters": [
                {"name": "registry_id", "in": "path", "required": True, "schema": TEXT},
                *(
                    {"name": name, "in": "query", "required": True, "schema": schema}
                    for name, schema in _purpose_fields().items()
                ),
            ],
            "responses": {
                "200": {
                    "description": "The record.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["persona"],
                                "properties": {"persona": {"$ref": "#/components/schemas/Person"}},
                            }
                        }
                    },
                },
                **ERRORS,
                "404": _problem("No resident with this registry id."),
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"interscambio – {settings.NODE_NAME}",
            "version": VERSION,
            "description": (
                "Consultation of the registry of foreign residents by the Questura, and "
                "verification of residence and permit for other administrations. Every call is "
                "written to the node's verifiable access log. Errors are RFC 7807 problems."
            ),
        },
        "paths": {
            "/api/v1/consultazione/ricerca": _post(
                "Search a resident by codice fiscale, or by surname, name and birth date.",
                search_request,
                found,
                {},
                consultant,
            ),
            "/api/v1/consultazione/persone/{registry_id}": person_get,
            "/api/v1/verifica": _post(
                "Is this person resident, and does a permit cover this day?",
                verify_request,
                verified,
                too_many,
                [{"clientAssertion": []}],
            ),
        },
        "components": {"schemas": _schemas(), "securitySchemes": _security()},
    }
