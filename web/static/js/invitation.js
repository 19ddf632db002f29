// The invitation API as the participant page uses it (docs/api.md). A link looks like
// /join/{hearing_id}#{token}: the token rides in the fragment, which browsers never send to a
// server or in a Referer, and the API takes it in the X-Invitation-Token header, never in a URL.
//   GET  /api/invite/{hearing_id}       -> the hearing, the person, the notices to read
//   POST /api/invite/{hearing_id}/join  {code} -> a short-lived join credential for the room

import { api, ApiError, ensureCsrfCookie } from "./api.js";

const TOKEN_HEADER = "X-Invitation-Token";
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,100}$/;
const ID_SHAPE = /^[A-Za-z0-9-]{1,64}$/;

export function linkFromLocation(loc = window.location) {
  const match = loc.pathname.match(/^\/join\/([^/]+)\/?$/);
  const hearingId = match ? decodeURIComponent(match[1]) : "";
  const token = decodeURIComponent(loc.hash.replace(/^#/, ""));
  return { hearingId, token };
}

export function plausibleLink({ hearingId, token }) {
  return ID_SHAPE.test(hearingId) && TOKEN_SHAPE.test(token);
}

const base = (hearingId) => `/api/invite/${encodeURIComponent(hearingId)}`;

export async function fetchInvitation({ hearingId, token }) {
  return api("GET", base(hearingId), undefined, { [TOKEN_HEADER]: token });
}

export async function joinWithCode({ hearingId, token }, code) {
  await ensureCsrfCookie();
  return api("POST", `${base(hearingId)}/join`, { code }, { [TOKEN_HEADER]: token });
}

// The service's error codes, in the page's terms.
const PROBLEMS = {
  "invitation.not_found": "invalid",
  "invitation.token_missing": "invalid",
  "invitation.wrong_hearing": "invalid",
  "invitation.revoked": "revoked",
  "invitation.superseded": "revoked",
  "invitation.hearing_cancelled": "unavailable",
  "invitation.expired": "expired",
  "invitation.not_yet_valid": "early",
  "invitation.locked": "locked",
  "invitation.rate_limited": "wait",
  "invitation.code_used": "used",
  "invitation.wrong_code": "wrong_code",
};

// One of invalid | revoked | unavailable | expired | early | locked | wait | used | wrong_code |
// network | other, with the numbers its message needs.
export function classify(error) {
  if (!(error instanceof ApiError)) return { kind: "network" };
  const details = error.details || {};
  return {
    kind: PROBLEMS[error.code] || (error.status === 404 ? "invalid" : "other"),
    code: error.code,
    attemptsLeft: details.attempts_left,
    seconds: details.retry_after_seconds,
    from: details.valid_from,
  };
}
