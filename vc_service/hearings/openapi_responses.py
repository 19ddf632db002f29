"""The answers of the examples in `openapi_paths`, as the server gave them (ids, tokens
and codes replaced by placeholders; long lists and views shortened). Regenerated from a
run of the story; `tests/hearings/test_openapi.py` checks them against the server."""

from __future__ import annotations

from typing import Any

# The story's hearing as the service describes it (`hearing_view`): DE -> FR criminal (organized
# crime), a consenting witness.
HEARING: dict[str, Any] = {
    "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001",
    "version": 1,
    "state": "scheduled",
    "court": {
        "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0112",
        "name": "Landgericht Berlin",
        "state": "DE",
        "time_zone": "Europe/Berlin",
    },
    "requesting_state": "DE",
    "requested_state": "FR",
    "venue": {
        "name": "Tribunal judiciaire de Strasbourg, salle 3",
        "time_zone": "Europe/Paris",
    },
    "venue_timezone": "Europe/Paris",
    "proceeding": "criminal",
    "offence": "organized_crime",
    "case_reference": "2 KLs 41/26",
    "starts_at": "2027-03-02T09:00:00.000000Z",
    "ends_at": "2027-03-02T10:30:00.000000Z",
    "duration_minutes": 90,
    "times": {
        "requesting": {
            "starts": {
                "local": "2027-03-02T10:00+01:00",
                "time_zone": "Europe/Berlin",
                "abbreviation": "CET",
            },
            "ends": {
                "local": "2027-03-02T11:30+01:00",
                "time_zone": "Europe/Berlin",
                "abbreviation": "CET",
            },
        },
        "requested": {
            "starts": {
                "local": "2027-03-02T10:00+01:00",
                "time_zone": "Europe/Paris",
                "abbreviation": "CET",
            },
            "ends": {
                "local": "2027-03-02T11:30+01:00",
                "time_zone": "Europe/Paris",
                "abbreviation": "CET",
            },
        },
    },
    "recording": {"requested": False, "rule": "unknown", "lawful": False},
    "legal": {
        "status": "conditional",
        "decision": {
            "decision": "conditional",
            "requesting": "DE",
            "requested": "FR",
            "proceeding": "criminal",
            "role": "witness",
            "consent": "yes",
            "date": "2027-03-02",
            "offence": "organized_crime",
            "regimes": [
                {
                    "id": "eu_eio_art24",
                    "name": "Directive 2014/41/EU (European "
                    "Investigation Order): hearing by "
                    "videoconference",
                    "citation": "Directive 2014/41/EU Art 24; "
                    "https://eur-lex.europa.eu/eli/dir/2014/41/oj",
                }
            ],
            "conditions": [
                {
                    "id": "request.accepted",
                    "text": "An EIO for a hearing by "
                    "videoconference was recognised by the "
                    "executing authority, which summons "
                    "the person (time and venue) under its "
                    "law.",
                    "citation": "Dir 2014/41/EU Art 24(1), 24(3); "
                    "https://eur-lex.europa.eu/eli/dir/2014/41/oj",
                    "stage": "before",
                    "satisfied_by": ["judge", "authority"],
                    "confidence": "V",
                    "params": {},
                },
                {
                    "id": "protection.measures_agreed",
                    "text": "Measures for the protection of the "
                    "person are agreed between the states "
                    "if needed.",
                    "citation": "Dir 2014/41/EU Art 24(5)(b); "
                    "https://eur-lex.europa.eu/eli/dir/2014/41/oj",
                    "stage": "before",
                    "satisfied_by": ["judge", "authority"],
                    "confidence": "K",
                    "params": {},
                },
                {
                    "id": "authority.present",
                    "text": "A competent judicial authority of the "
                    "requested state is present, assisted "
                    "by an interpreter where needed, and "
                    "is responsible for identifying the "
                    "person and for respect of the "
                    "fundamental principles of its law.",
                    "citation": "Dir 2014/41/EU Art 24(5)(a); "
                    "https://eur-lex.europa.eu/eli/dir/2014/41/oj",
                    "stage": "during",
                    "satisfied_by": ["authority"],
                    "confidence": "V",
                    "params": {},
                },
            ],
            "reasons": [],
            "recording": {
                "rule": "unknown",
                "citation": "DE (requesting): profile field "
                "outgoing.recording_criminal: no "
                "source found [U] | FR (requested): "
                "profile field "
                "incoming.criminal.recording: no "
                "source found [U]",
            },
        },
        "review": None,
    },
    "conditions_met": {},
    "working_hours_override": None,
    "cancel_reason": None,
    "person_heard": {
        "id": "3c1d9e7a-2b4f-4e6a-8d10-7f2a9c4b2001",
        "role": "witness",
        "name": "Camille Martin",
        "email": "camille@example.org",
        "language": "fr",
        "time_zone": "Europe/Paris",
        "heard": True,
        "consent": "yes",
        "user_id": None,
        "starts": {
            "local": "2027-03-02T10:00+01:00",
            "time_zone": "Europe/Paris",
            "abbreviation": "CET",
        },
        "ends": {
            "local": "2027-03-02T11:30+01:00",
            "time_zone": "Europe/Paris",
            "abbreviation": "CET",
        },
    },
    "participants": [
        {
            "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0113",
            "role": "judge",
            "name": "Judge",
            "email": "",
            "language": "",
            "time_zone": "UTC",
            "heard": False,
            "consent": None,
            "user_id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0111",
            "starts": {
                "local": "2027-03-02T09:00+00:00",
                "time_zone": "UTC",
                "abbreviation": "UTC",
            },
            "ends": {
                "local": "2027-03-02T10:30+00:00",
                "time_zone": "UTC",
                "abbreviation": "UTC",
            },
        },
        {
            "id": "3c1d9e7a-2b4f-4e6a-8d10-7f2a9c4b2001",
            "role": "witness",
            "name": "Camille Martin",
            "email": "camille@example.org",
            "language": "fr",
            "time_zone": "Europe/Paris",
            "heard": True,
            "consent": "yes",
            "user_id": None,
            "starts": {
                "local": "2027-03-02T10:00+01:00",
                "time_zone": "Europe/Paris",
                "abbreviation": "CET",
            },
            "ends": {
                "local": "2027-03-02T11:30+01:00",
                "time_zone": "Europe/Paris",
                "abbreviation": "CET",
            },
        },
        {
            "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0114",
            "role": "authority",
            "name": "Juge Leroy",
            "email": "",
            "language": "",
            "time_zone": "Europe/Paris",
            "heard": False,
            "consent": None,
            "user_id": None,
            "starts": {
                "local": "2027-03-02T10:00+01:00",
                "time_zone": "Europe/Paris",
                "abbreviation": "CET",
            },
            "ends": {
                "local": "2027-03-02T11:30+01:00",
                "time_zone": "Europe/Paris",
                "abbreviation": "CET",
            },
        },
        {
            "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0115",
            "role": "interpreter",
            "name": "Ana Weber",
            "email": "ana@example.org",
            "language": "",
            "time_zone": "Europe/Paris",
            "heard": False,
            "consent": None,
            "user_id": None,
            "starts": {
                "local": "2027-03-02T10:00+01:00",
                "time_zone": "Europe/Paris",
                "abbreviation": "CET",
            },
            "ends": {
                "local": "2027-03-02T11:30+01:00",
                "time_zone": "Europe/Paris",
                "abbreviation": "CET",
            },
        },
    ],
    "created_at": "2027-02-01T12:00:00.000000Z",
    "updated_at": "2027-02-01T12:00:00.000000Z",
}


RESPONSES: dict[tuple[str, str, str], Any] = {
    ("get", "/healthz", "ok"): {"status": "ok"},
    ("get", "/readyz", "ok"): {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "legal_profiles": "ok (22 states)"},
    },
    ("get", "/api/openapi.json", "ok"): {
        "openapi": "3.1.0",
        "info": {"title": "vc-service API", "version": "1.0.0"},
        "paths": {},
    },
    ("post", "/api/auth/sign-in", "wrong_password"): {
        "error": {
            "code": "auth.invalid_credentials",
            "message": "wrong username or password",
            "details": {"request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d"},
        }
    },
    ("post", "/api/auth/sign-in", "ok"): {"next": "totp", "ticket": "sign-in-ticket"},
    ("post", "/api/auth/second-factor", "ok"): {
        "user": {
            "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0111",
            "username": "judge",
            "display_name": "Judge",
            "role": "judge",
        },
        "csrf_token": "k7Qm2vX9pL4nR8sT1wY6zB3cF5hJ0dG2aE9uI4oK7qM",
        "expires_at": "2026-11-23T22:02:21.816696+00:00",
    },
    ("get", "/api/auth/session", "ok"): {
        "user": {
            "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0111",
            "username": "judge",
            "display_name": "Judge",
            "role": "judge",
            "court_id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0112",
            "time_zone": "UTC",
            "language": None,
        },
        "csrf_token": "k7Qm2vX9pL4nR8sT1wY6zB3cF5hJ0dG2aE9uI4oK7qM",
    },
    ("put", "/api/auth/preferences", "ok"): {"language": "de"},
    ("put", "/api/auth/preferences", "unknown_language"): {
        "error": {
            "code": "request.invalid_fields",
            "message": "invalid fields: language",
            "details": {
                "fields": {"language": "must be one of en, fr, de, es"},
                "request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d",
            },
        }
    },
    ("get", "/api/auth/session", "signed_out"): {
        "error": {
            "code": "auth.required",
            "message": "sign in first",
            "details": {"request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d"},
        }
    },
    ("get", "/api/scheduling/options", "ok"): {
        "court": {
            "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0112",
            "name": "Landgericht Berlin",
            "state": "DE",
            "time_zone": "Europe/Berlin",
        },
        "states": [
            {
                "state": "FR",
                "name": "France",
                "time_zones": ["Europe/Paris"],
                "venue_timezone": "Europe/Paris",
                "venue_timezone_required": False,
            },
            {
                "state": "US",
                "name": "United States",
                "time_zones": ["America/New_York", "America/Chicago", "America/Los_Angeles"],
                "venue_timezone": None,
                "venue_timezone_required": True,
            },
        ],
    },
    ("post", "/api/hearings", "ok"): HEARING,
    ("post", "/api/hearings", "double_booked"): {
        "error": {
            "code": "hearing.conflict",
            "message": "double-booked: the same judge, person, venue is in another "
            "hearing at that time",
            "details": {
                "conflicts": [
                    {
                        "kinds": ["judge", "venue", "person"],
                        "starts_at": "2027-03-02T09:00:00.000000Z",
                        "ends_at": "2027-03-02T10:30:00.000000Z",
                        "hearing_id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001",
                        "people": ["Ana Weber", "Camille Martin", "Juge Leroy"],
                    }
                ],
                "request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d",
            },
        }
    },
    ("post", "/api/hearings", "barred"): {
        "error": {
            "code": "hearing.barred",
            "message": "the law bars this hearing: CN excluded taking evidence by "
            "commissioners under Chapter II (Art 33 declaration: Chapter II "
            "does not apply, except Article 15), so the requesting court "
            "cannot hear the person directly. The remaining route is a "
            "Letter of Request executed by a court of the requested state "
            "(Chapter I).; CN does not allow a foreign court to take "
            "evidence on its territory without the approval of its competent "
            "authorities (Civil Procedure Law art 277 as numbered in the "
            "source (renumbered since; verify): no foreign agency or "
            "individual may take evidence in China without consent of the "
            "competent authorities; a foreign embassy or consulate may take "
            "evidence from its own nationals without compulsion).",
            "details": {
                "reasons": [
                    {
                        "state": "CN",
                        "rule": "hague.art33_exclusion",
                        "text": "CN excluded taking evidence by "
                        "commissioners under Chapter II (Art 33 "
                        "declaration: Chapter II does not apply, "
                        "except Article 15), so the requesting "
                        "court cannot hear the person directly. "
                        "The remaining route is a Letter of "
                        "Request executed by a court of the "
                        "requested state (Chapter I).",
                        "citation": "https://www.hcch.net/de/instruments/conventions/status-table/notifications/?csid=493&disp=resdn",
                        "confidence": "V",
                    },
                    {
                        "state": "CN",
                        "rule": "unilateral.prohibited",
                        "text": "CN does not allow a foreign court to take "
                        "evidence on its territory without the "
                        "approval of its competent authorities "
                        "(Civil Procedure Law art 277 as numbered "
                        "in the source (renumbered since; verify): "
                        "no foreign agency or individual may take "
                        "evidence in China without consent of the "
                        "competent authorities; a foreign embassy "
                        "or consulate may take evidence from its "
                        "own nationals without compulsion).",
                        "citation": "https://anallp.com/index.php/index/article/aid/255.html",
                        "confidence": "V",
                    },
                ],
                "decision": {
                    "decision": "barred",
                    "requesting": "DE",
                    "requested": "CN",
                    "proceeding": "civil",
                    "role": "witness",
                    "consent": "yes",
                    "date": "2027-03-02",
                    "regimes": [
                        {
                            "id": "hcch_evidence_1970_ch2",
                            "name": "HCCH Evidence Convention "
                            "1970, Chapter II (taking of "
                            "evidence by commissioners)",
                            "citation": "HCCH Convention of 18 "
                            "March 1970 Arts 15-22; "
                            "https://en.wikisource.org/wiki/Convention_on_the_Taking_of_Evidence_Abroad_in_Civil_or_Commercial_Matters",
                        },
                        {
                            "id": "national_no_treaty",
                            "name": "No treaty route: China law "
                            "on a foreign court hearing a "
                            "person on its territory",
                            "citation": "https://anallp.com/index.php/index/article/aid/255.html",
                        },
                    ],
                    "conditions": [],
                    "reasons": [
                        {
                            "state": "CN",
                            "rule": "hague.art33_exclusion",
                            "text": "CN excluded taking evidence "
                            "by commissioners under "
                            "Chapter II (Art 33 "
                            "declaration: Chapter II does "
                            "not apply, except Article "
                            "15), so the requesting court "
                            "cannot hear the person "
                            "directly. The remaining "
                            "route is a Letter of Request "
                            "executed by a court of the "
                            "requested state (Chapter I).",
                            "citation": "https://www.hcch.net/de/instruments/conventions/status-table/notifications/?csid=493&disp=resdn",
                            "confidence": "V",
                        },
                        {
                            "state": "CN",
                            "rule": "unilateral.prohibited",
                            "text": "CN does not allow a foreign "
                            "court to take evidence on "
                            "its territory without the "
                            "approval of its competent "
                            "authorities (Civil Procedure "
                            "Law art 277 as numbered in "
                            "the source (renumbered "
                            "since; verify): no foreign "
                            "agency or individual may "
                            "take evidence in China "
                            "without consent of the "
                            "competent authorities; a "
                            "foreign embassy or consulate "
                            "may take evidence from its "
                            "own nationals without "
                            "compulsion).",
                            "citation": "https://anallp.com/index.php/index/article/aid/255.html",
                            "confidence": "V",
                        },
                    ],
                    "recording": {
                        "rule": "unknown",
                        "citation": "DE (requesting): "
                        "profile field "
                        "outgoing.recording_civil: "
                        "no source found [U] | "
                        "CN (requested): profile "
                        "field "
                        "incoming.civil.recording: "
                        "no source found [U]",
                    },
                },
                "request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d",
            },
        }
    },
    ("post", "/api/hearings", "dst_gap"): {
        "error": {
            "code": "time.nonexistent",
            "message": "local_start 2027-03-28T02:30 does not exist in Europe/Paris "
            "(the clocks jump forward over it)",
            "details": {
                "fields": {
                    "local_start": "2027-03-28T02:30 does not exist in "
                    "Europe/Paris (the clocks jump "
                    "forward over it)"
                },
                "request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d",
            },
        }
    },
    ("post", "/api/hearings", "bad_fields"): {
        "error": {
            "code": "request.invalid_fields",
            "message": "invalid fields: case_reference, duration_minutes, offence, "
            "person_heard.consent, person_heard.language, person_heard.name, "
            "person_heard.role, proceeding, requested_state, starts_at, "
            "venue",
            "details": {
                "fields": {
                    "requested_state": "is not an ISO 3166-1 alpha-2 state code: 'XX'",
                    "venue": "is required",
                    "proceeding": "must be one of civil, criminal",
                    "case_reference": "is required",
                    "starts_at": "is required (or local_start with time_zone)",
                    "duration_minutes": "must be between 5 and 720 minutes",
                    "person_heard.role": "must be one of accused, expert, party, victim, witness",
                    "person_heard.name": "is required",
                    "person_heard.language": "is required",
                    "person_heard.consent": "is required",
                    "offence": "must be one of organized_crime, corruption, other",
                },
                "request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d",
            },
        }
    },
    ("post", "/api/hearings", "pending_review"): {
        "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1002",
        "version": 1,
        "state": "draft",
        "legal": {
            "status": "pending_review",
            "decision": {
                "decision": "unknown",
                "reasons": [
                    {
                        "state": "MX",
                        "rule": "unknown.incoming.unilateral.civil",
                        "text": "Whether a foreign court may hear a person there (civil, no "
                        "treaty) is not known for MX: manual legal review.",
                        "citation": "profile field incoming.unilateral.civil: no source found [U]",
                        "confidence": "U",
                    }
                ],
            },
        },
    },
    ("post", "/api/hearings", "offence_in_civil"): {
        "error": {
            "code": "request.invalid_fields",
            "message": "invalid fields: offence",
            "details": {
                "fields": {"offence": "is given only in criminal proceedings"},
                "request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d",
            },
        }
    },
    ("get", "/api/hearings", "ok"): {
        "hearings": [
            {
                "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001",
                "version": 1,
                "state": "scheduled",
                "requesting_state": "DE",
                "requested_state": "FR",
                "venue": {
                    "name": "Tribunal judiciaire de Strasbourg, salle 3",
                    "time_zone": "Europe/Paris",
                },
                "venue_timezone": "Europe/Paris",
                "proceeding": "criminal",
                "offence": "organized_crime",
                "case_reference": "2 KLs 41/26",
                "starts_at": "2027-03-02T09:00:00.000000Z",
                "ends_at": "2027-03-02T10:30:00.000000Z",
                "duration_minutes": 90,
                "times": {
                    "requesting": {
                        "starts": {
                            "local": "2027-03-02T10:00+01:00",
                            "time_zone": "Europe/Berlin",
                            "abbreviation": "CET",
                        },
                        "ends": {
                            "local": "2027-03-02T11:30+01:00",
                            "time_zone": "Europe/Berlin",
                            "abbreviation": "CET",
                        },
                    },
                    "requested": {
                        "starts": {
                            "local": "2027-03-02T10:00+01:00",
                            "time_zone": "Europe/Paris",
                            "abbreviation": "CET",
                        },
                        "ends": {
                            "local": "2027-03-02T11:30+01:00",
                            "time_zone": "Europe/Paris",
                            "abbreviation": "CET",
                        },
                    },
                },
                "legal_status": "conditional",
                "person_heard": {"name": "Camille Martin", "role": "witness"},
            }
        ]
    },
    # Reading a hearing back gives exactly what creating it answered.
    ("get", "/api/hearings/{hearing_id}", "ok"): HEARING,
    ("post", "/api/hearings/{hearing_id}/participants", "ok"): {
        "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001",
        "version": 1,
        "state": "scheduled",
        "participants": [
            {
                "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0113",
                "role": "judge",
                "name": "Judge",
                "email": "",
                "language": "",
                "time_zone": "UTC",
                "heard": False,
                "consent": None,
                "user_id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0111",
                "starts": {
                    "local": "2027-03-02T09:00+00:00",
                    "time_zone": "UTC",
                    "abbreviation": "UTC",
                },
                "ends": {
                    "local": "2027-03-02T10:30+00:00",
                    "time_zone": "UTC",
                    "abbreviation": "UTC",
                },
            },
            {
                "id": "3c1d9e7a-2b4f-4e6a-8d10-7f2a9c4b2001",
                "role": "witness",
                "name": "Camille Martin",
                "email": "camille@example.org",
                "language": "fr",
                "time_zone": "Europe/Paris",
                "heard": True,
                "consent": "yes",
                "user_id": None,
                "starts": {
                    "local": "2027-03-02T10:00+01:00",
                    "time_zone": "Europe/Paris",
                    "abbreviation": "CET",
                },
                "ends": {
                    "local": "2027-03-02T11:30+01:00",
                    "time_zone": "Europe/Paris",
                    "abbreviation": "CET",
                },
            },
            {
                "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0114",
                "role": "authority",
                "name": "Juge Leroy",
                "email": "",
                "language": "",
                "time_zone": "Europe/Paris",
                "heard": False,
                "consent": None,
                "user_id": None,
                "starts": {
                    "local": "2027-03-02T10:00+01:00",
                    "time_zone": "Europe/Paris",
                    "abbreviation": "CET",
                },
                "ends": {
                    "local": "2027-03-02T11:30+01:00",
                    "time_zone": "Europe/Paris",
                    "abbreviation": "CET",
                },
            },
            {
                "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0115",
                "role": "interpreter",
                "name": "Ana Weber",
                "email": "ana@example.org",
                "language": "",
                "time_zone": "Europe/Paris",
                "heard": False,
                "consent": None,
                "user_id": None,
                "starts": {
                    "local": "2027-03-02T10:00+01:00",
                    "time_zone": "Europe/Paris",
                    "abbreviation": "CET",
                },
                "ends": {
                    "local": "2027-03-02T11:30+01:00",
                    "time_zone": "Europe/Paris",
                    "abbreviation": "CET",
                },
            },
            {
                "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0118",
                "role": "counsel",
                "name": "Maître Roux",
                "email": "roux@example.org",
                "language": "",
                "time_zone": "Europe/Berlin",
                "heard": False,
                "consent": None,
                "user_id": None,
                "starts": {
                    "local": "2027-03-02T10:00+01:00",
                    "time_zone": "Europe/Berlin",
                    "abbreviation": "CET",
                },
                "ends": {
                    "local": "2027-03-02T11:30+01:00",
                    "time_zone": "Europe/Berlin",
                    "abbreviation": "CET",
                },
            },
        ],
    },
    ("patch", "/api/hearings/{hearing_id}", "ok"): {
        "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001",
        "version": 2,
        "state": "scheduled",
        "offence": "corruption",
        "starts_at": "2027-03-02T08:30:00.000000Z",
        "ends_at": "2027-03-02T10:00:00.000000Z",
        "duration_minutes": 90,
        "times": {
            "requesting": {
                "starts": {
                    "local": "2027-03-02T09:30+01:00",
                    "time_zone": "Europe/Berlin",
                    "abbreviation": "CET",
                },
                "ends": {
                    "local": "2027-03-02T11:00+01:00",
                    "time_zone": "Europe/Berlin",
                    "abbreviation": "CET",
                },
            },
            "requested": {
                "starts": {
                    "local": "2027-03-02T09:30+01:00",
                    "time_zone": "Europe/Paris",
                    "abbreviation": "CET",
                },
                "ends": {
                    "local": "2027-03-02T11:00+01:00",
                    "time_zone": "Europe/Paris",
                    "abbreviation": "CET",
                },
            },
        },
        "legal": {"status": "conditional"},
    },
    ("patch", "/api/hearings/{hearing_id}", "stale_version"): {
        "error": {
            "code": "hearing.version_conflict",
            "message": "the hearing changed since you loaded it (version 2, you sent "
            "1); reload and try again",
            "details": {
                "current_version": 2,
                "your_version": 1,
                "request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d",
            },
        }
    },
    ("post", "/api/hearings/{hearing_id}/legal-review", "ok"): {
        "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1002",
        "version": 3,
        "state": "scheduled",
        "legal": {
            "status": "reviewed",
            "review": {
                "outcome": "cleared",
                "note": "Checked with the Federal Ministry of Justice: 28 U.S.C. 1782 route.",
                "by": {
                    "role": "judge",
                    "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0111",
                    "name": "Judge",
                },
                "at": "2027-02-01T12:00:00.000000Z",
            },
        },
    },
    ("post", "/api/hearings/{hearing_id}/conditions/{condition_id}", "ok"): {
        "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001",
        "version": 3,
        "state": "scheduled",
        "conditions_met": {
            "request.accepted": {
                "by": {
                    "role": "judge",
                    "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0111",
                    "name": "Judge",
                },
                "at": "2027-02-01T12:00:00.000000Z",
                "note": "EIO recognised by the Strasbourg prosecutor.",
            }
        },
    },
    ("post", "/api/hearings/{hearing_id}/participants/{participant_id}/invitation", "ok"): {
        "invitation_id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0119",
        "hearing_id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001",
        "participant_id": "3c1d9e7a-2b4f-4e6a-8d10-7f2a9c4b2001",
        "role": "witness",
        "name": "Camille Martin",
        "token": "Xq3Zt9vK1mB7nR2cW8yL4pD6fH0jS5aE1uG7iO3kT9w",
        "link": "http://127.0.0.1:8080/join/0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001#Xq3Zt9vK1mB7nR2cW8yL4pD6fH0jS5aE1uG7iO3kT9w",
        "qr_svg": "data:image/svg+xml;base64,PD94bWwgdmVyc2lvbj0i...",
        "code": "482913",
        "valid_from": "2027-03-02T07:30:00.000000Z",
        "valid_until": "2027-03-02T10:00:00.000000Z",
    },
    (
        "post",
        "/api/hearings/{hearing_id}/participants/{participant_id}/invitation",
        "already_issued",
    ): {
        "error": {
            "code": "invitation.already_issued",
            "message": "Camille Martin already has an invitation; re-issue it to replace the link",
            "details": {
                "invitation_id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0119",
                "request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d",
            },
        }
    },
    ("get", "/api/hearings/{hearing_id}/invitations", "ok"): {
        "participants": [
            {
                "participant": {
                    "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0113",
                    "role": "judge",
                    "name": "Judge",
                    "email": "",
                    "has_account": True,
                },
                "invitation": None,
            },
            {
                "participant": {
                    "id": "3c1d9e7a-2b4f-4e6a-8d10-7f2a9c4b2001",
                    "role": "witness",
                    "name": "Camille Martin",
                    "email": "camille@example.org",
                    "has_account": False,
                },
                "invitation": {
                    "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0119",
                    "status": "active",
                    "issued_at": "2027-02-01T12:00:00.000000Z",
                    "valid_from": "2027-03-02T07:30:00.000000Z",
                    "valid_until": "2027-03-02T10:00:00.000000Z",
                    "code": "482913",
                    "codes_used": 0,
                    "failures": 0,
                    "locked": False,
                },
            },
            {
                "participant": {
                    "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0114",
                    "role": "authority",
                    "name": "Juge Leroy",
                    "email": "",
                    "has_account": False,
                },
                "invitation": None,
            },
            {
                "participant": {
                    "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0115",
                    "role": "interpreter",
                    "name": "Ana Weber",
                    "email": "ana@example.org",
                    "has_account": False,
                },
                "invitation": None,
            },
            {
                "participant": {
                    "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0118",
                    "role": "counsel",
                    "name": "Maître Roux",
                    "email": "roux@example.org",
                    "has_account": False,
                },
                "invitation": None,
            },
        ]
    },
    ("get", "/api/invite/{hearing_id}", "ok"): {
        "hearing": {
            "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001",
            "state": "scheduled",
            "venue_timezone": "Europe/Paris",
            "court": "Landgericht Berlin",
            "requesting_state": "DE",
            "requested_state": "FR",
            "venue": {
                "name": "Tribunal judiciaire de Strasbourg, salle 3",
                "time_zone": "Europe/Paris",
            },
            "proceeding": "criminal",
            "case_reference": "2 KLs 41/26",
            "starts_at": "2027-03-02T08:30:00.000000Z",
            "ends_at": "2027-03-02T10:00:00.000000Z",
            "starts": {
                "local": "2027-03-02T09:30+01:00",
                "time_zone": "Europe/Paris",
                "abbreviation": "CET",
            },
            "ends": {
                "local": "2027-03-02T11:00+01:00",
                "time_zone": "Europe/Paris",
                "abbreviation": "CET",
            },
            "recording": {"requested": False, "lawful": False},
        },
        "participant": {
            "id": "3c1d9e7a-2b4f-4e6a-8d10-7f2a9c4b2001",
            "role": "witness",
            "name": "Camille Martin",
            "language": "fr",
            "time_zone": "Europe/Paris",
            "heard": True,
        },
        "invitation": {
            "valid_from": "2027-03-02T07:30:00.000000Z",
            "valid_until": "2027-03-02T10:00:00.000000Z",
            "open_now": True,
            "lobby_open": False,
            "locked": False,
            "attempts_left": 3,
        },
        "notices": [
            {
                "id": "authority.present",
                "plain": {
                    "de": "Eine Amtsperson des Landes, in dem Sie sich befinden (ein Richter oder "
                    "eine andere zuständige Behörde), nimmt an der Vernehmung teil. Sie "
                    "stellt Ihre Identität fest und achtet darauf, dass die Grundsätze des "
                    "Rechts dieses Landes eingehalten werden. Bei Bedarf hilft ein "
                    "Dolmetscher.",
                    "en": "An official of the country where you are (a judge or another competent "
                    "authority) takes part in the hearing. This official checks who you are "
                    "and makes sure that the basic principles of that country's law are "
                    "respected. An interpreter helps if needed.",
                    "es": "Un representante oficial del país donde usted se encuentra (un juez u "
                    "otra autoridad competente) participa en la declaración. Comprueba su "
                    "identidad y vela por que se respeten los principios fundamentales del "
                    "derecho de ese país. Si hace falta, le ayuda un intérprete.",
                    "fr": "Un représentant officiel du pays où vous vous trouvez (un juge ou une "
                    "autre autorité compétente) participe à l’audition. Il vérifie votre "
                    "identité et veille au respect des principes fondamentaux du droit de "
                    "son pays. Un interprète vous aide si nécessaire.",
                },
                "citation": "Dir 2014/41/EU Art 24(5)(a); "
                "https://eur-lex.europa.eu/eli/dir/2014/41/oj",
            },
            {
                "id": "authority.can_intervene",
                "plain": {
                    "de": "Diese Amtsperson kann die Vernehmung sofort unterbrechen oder beenden, "
                    "wenn die Grundsätze des Rechts des Landes, in dem Sie sich befinden, "
                    "nicht eingehalten werden.",
                    "en": "This official can interrupt or stop the hearing at once if the basic "
                    "principles of the law of the country where you are are not respected.",
                    "es": "Ese representante puede interrumpir o detener la declaración de "
                    "inmediato si no se respetan los principios fundamentales del derecho "
                    "del país donde usted se encuentra.",
                    "fr": "Ce représentant peut interrompre ou arrêter l’audition immédiatement "
                    "si les principes fondamentaux du droit du pays où vous vous trouvez ne "
                    "sont pas respectés.",
                },
                "citation": "Dir 2014/41/EU Art 24(5)(a); "
                "https://eur-lex.europa.eu/eli/dir/2014/41/oj",
            },
            {
                "id": "consent.person",
                "plain": {
                    "de": "Sie werden nur per Video vernommen, wenn Sie einverstanden sind. Sie "
                    "erklären das in der Vernehmung, und es wird im Protokoll festgehalten. "
                    "Wenn Sie Ihr Einverständnis zurückziehen, endet die Vernehmung.",
                    "en": "You are heard by video only if you agree. You say so at the hearing, "
                    "and it is written in the record. If you withdraw your agreement, the "
                    "hearing ends.",
                    "es": "Solo se le oye por vídeo si usted está de acuerdo. Lo dice durante la "
                    "declaración y queda constancia en el acta. Si retira su "
                    "consentimiento, la declaración termina.",
                    "fr": "Vous n’êtes entendu par vidéo que si vous êtes d’accord. Vous le dites "
                    "au cours de l’audition, et votre accord est inscrit au procès-verbal. "
                    "Si vous retirez votre accord, l’audition prend fin.",
                },
                "citation": None,
            },
        ],
    },
    ("get", "/api/invite/{hearing_id}", "wrong_hearing"): {
        "error": {
            "code": "invitation.wrong_hearing",
            "message": "this link is for another hearing",
            "details": {"request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d"},
        }
    },
    ("get", "/api/invite/{hearing_id}/calendar.ics", "ok"): (
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        "PRODID:-//vc-service//hearing invitation//EN\r\n"
        "METHOD:PUBLISH\r\n"
        "BEGIN:VTIMEZONE\r\n"
        "TZID:Europe/Paris\r\n"
        "(STANDARD and DAYLIGHT rules of the zone)\r\n"
        "END:VTIMEZONE\r\n"
        "BEGIN:VEVENT\r\n"
        "SUMMARY:Hearing by videoconference: 2 KLs 41/26\r\n"
        "DTSTART;TZID=Europe/Paris:20270302T093000\r\n"
        "DTEND;TZID=Europe/Paris:20270302T110000\r\n"
        "DTSTAMP:20270201T120000Z\r\n"
        "UID:0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001-3c1d9e7a-2b4f-4e6a-8d10-7f2a9c4b2001@vc-service\r\n"
        "SEQUENCE:3\r\n"
        "DESCRIPTION:Landgericht Berlin (DE) hears a witness in FR by videoconference. Your "
        "role: witness. Join through the link in your invitation\\; the one-time code reaches "
        "you separately.\r\n"
        "LOCATION:Videoconference\\; venue: Tribunal judiciaire de Strasbourg\\, salle 3\r\n"
        "STATUS:CONFIRMED\r\n"
        "URL:http://127.0.0.1:8080/join/0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001#Xq3Zt9vK1mB7nR2cW8yL4pD6fH0jS5aE1uG7iO3kT9w\r\n"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ),
    ("post", "/api/invite/{hearing_id}/join", "wrong_code"): {
        "error": {
            "code": "invitation.wrong_code",
            "message": "wrong code; 2 attempt(s) left",
            "details": {"attempts_left": 2, "request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d"},
        }
    },
    ("post", "/api/invite/{hearing_id}/join", "ok"): {
        "credential": "vcj1.eyJlIjoxODA0MDU4MDAwLCJoIjoiLi4uIn0.c2lnbmF0dXJl",
        "expires_at": "2027-03-02T08:35:00.000000Z",
        "hearing_id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001",
        "participant": {
            "id": "3c1d9e7a-2b4f-4e6a-8d10-7f2a9c4b2001",
            "role": "witness",
            "name": "Camille Martin",
        },
        "lobby_open": True,
    },
    ("post", "/api/invite/{hearing_id}/join", "code_used"): {
        "error": {
            "code": "invitation.code_used",
            "message": "this code was already used; ask the court for the current code",
            "details": {"request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d"},
        }
    },
    ("post", "/api/hearings/{hearing_id}/participants/{participant_id}/invitation/code", "ok"): {
        "participant_id": "3c1d9e7a-2b4f-4e6a-8d10-7f2a9c4b2001",
        "code": "731406",
    },
    ("post", "/api/hearings/{hearing_id}/participants/{participant_id}/invitation/reissue", "ok"): {
        "invitation_id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0120",
        "hearing_id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001",
        "participant_id": "3c1d9e7a-2b4f-4e6a-8d10-7f2a9c4b2001",
        "role": "witness",
        "name": "Camille Martin",
        "token": "Zs5Bv1xM3oD9pT4eY0aN6rF8hJ2lU7cG3wI9kQ5mV1y",
        "link": "http://127.0.0.1:8080/join/0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001#Zs5Bv1xM3oD9pT4eY0aN6rF8hJ2lU7cG3wI9kQ5mV1y",
        "qr_svg": "data:image/svg+xml;base64,PD94bWwgdmVyc2lvbj0i...",
        "code": "731406",
        "valid_from": "2027-03-02T07:30:00.000000Z",
        "valid_until": "2027-03-02T10:00:00.000000Z",
    },
    ("post", "/api/hearings/{hearing_id}/participants/{participant_id}/invitation/revoke", "ok"): {
        "revoked": True,
        "participant_id": "3c1d9e7a-2b4f-4e6a-8d10-7f2a9c4b2001",
    },
    ("get", "/api/hearings/{hearing_id}/participants/{participant_id}/calendar.ics", "ok"): (
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        "PRODID:-//vc-service//hearing invitation//EN\r\n"
        "METHOD:PUBLISH\r\n"
        "BEGIN:VTIMEZONE\r\n"
        "TZID:Europe/Paris\r\n"
        "(STANDARD and DAYLIGHT rules of the zone)\r\n"
        "END:VTIMEZONE\r\n"
        "BEGIN:VEVENT\r\n"
        "SUMMARY:Hearing by videoconference: 2 KLs 41/26\r\n"
        "DTSTART;TZID=Europe/Paris:20270302T093000\r\n"
        "DTEND;TZID=Europe/Paris:20270302T110000\r\n"
        "DTSTAMP:20270201T120000Z\r\n"
        "UID:0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001-3c1d9e7a-2b4f-4e6a-8d10-7f2a9c4b2001@vc-service\r\n"
        "SEQUENCE:3\r\n"
        "DESCRIPTION:Landgericht Berlin (DE) hears a witness in FR by videoconference. Your "
        "role: witness. Join through the link in your invitation\\; the one-time code reaches "
        "you separately.\r\n"
        "LOCATION:Videoconference\\; venue: Tribunal judiciaire de Strasbourg\\, salle 3\r\n"
        "STATUS:CONFIRMED\r\n"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ),
    ("get", "/api/hearings/{hearing_id}/outbox", "ok"): {
        "messages": [
            {
                "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0121",
                "kind": "code",
                "participant_id": "3c1d9e7a-2b4f-4e6a-8d10-7f2a9c4b2001",
                "recipient": "",
                "recipient_name": "Judge",
                "subject": "One-time code for Camille Martin, case 2 KLs 41/26",
                "body": "One-time code for Camille Martin (witness) in case 2 KLs "
                "41/26: 855164\n"
                "\n"
                "Pass it on through another channel than the invitation e-mail "
                "(telephone, in person). It works once; the hearing page shows "
                "the next one if the person must join again.\n",
                "attachment_name": None,
                "status": "held",
                "attempts": 0,
                "last_error": None,
                "created_at": "2026-11-23T10:02:22.200917Z",
                "sent_at": None,
            },
            {
                "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0122",
                "kind": "invitation",
                "participant_id": "3c1d9e7a-2b4f-4e6a-8d10-7f2a9c4b2001",
                "recipient": "camille@example.org",
                "recipient_name": "Camille Martin",
                "subject": "Invitation: hearing by videoconference, case 2 KLs 41/26",
                "body": "Dear Camille Martin,\n"
                "\n"
                "Landgericht Berlin invites you, as witness, to a hearing by "
                "videoconference in case 2 KLs 41/26.\n"
                "\n"
                "When: 2027-03-02 09:30+01:00 to 11:00+01:00 (Europe/Paris, "
                "CET)\n"
                "Venue: Tribunal judiciaire de Strasbourg, salle 3\n"
                "\n"
                "Open this link in a current web browser (camera and microphone "
                "needed):\n"
                "http://127.0.0.1:8080/join/0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001#Zs5Bv1xM3oD9pT4eY0aN6rF8hJ2lU7cG3wI9kQ5mV1y\n"
                "\n"
                "You will also need a six-digit one-time code, which the court "
                "gives you separately (for example by telephone). Do not "
                "forward this message: the link is personal.\n",
                "attachment_name": "hearing.ics",
                "status": "held",
                "attempts": 0,
                "last_error": None,
                "created_at": "2026-11-23T10:02:22.200710Z",
                "sent_at": None,
            },
        ]
    },
    ("post", "/api/hearings/{hearing_id}/open", "conditions_unmet"): {
        "error": {
            "code": "hearing.conditions_unmet",
            "message": "conditions to meet before the hearing: protection.measures_agreed",
            "details": {
                "unmet": ["protection.measures_agreed"],
                "request_id": "5f1c2a9e0d7b4e3a8c6f1b2d3e4a5c6d",
            },
        }
    },
    ("post", "/api/hearings/{hearing_id}/open", "ok"): {
        "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001",
        "version": 5,
        "state": "open",
    },
    ("post", "/api/hearings/{hearing_id}/join", "ok"): {
        "credential": "vcj1.eyJlIjoxODA0MDU4MDAwLCJoIjoiLi4uIn0.c2lnbmF0dXJl",
        "expires_at": "2027-02-01T12:05:00.000000Z",
        "hearing_id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1001",
        "participant": {
            "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d0114",
            "role": "authority",
            "name": "Juge Leroy",
        },
    },
    ("post", "/api/hearings/{hearing_id}/cancel", "ok"): {
        "id": "0b6f2c1e-4d8a-4b3e-9f21-5a7c3e8d1002",
        "version": 4,
        "state": "cancelled",
        "cancel_reason": "The witness will appear in person.",
    },
    ("post", "/api/auth/sign-out", "ok"): {"signed_out": True},
}
