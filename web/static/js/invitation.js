// The invitation API as the participant page uses it (docs/api.md). A link looks like
// /join/{hearing_id}#{token}: the token rides in the fragment, which browsers never send to a
// server or in a Referer, and the API takes it in the X-Invitation-Token header, never in a URL.
//   GET  /api/invite/{hearing_id}       -> the hearing, the person, the notices to read
//   POST /api/invite/{hearing_id}/join  {code} -> a join credential for the room (minutes; until
//        the hearing's end when the judge has not opened the waiting room yet: `lobby_open` false)
//
// The join credential (never the link's token, never the code) is kept in this tab's
// sessionStorage until the room takes it, so that reloading the page while waiting for the judge
// does not ask for the code again: it works once, for this person and hearing only, the court can
// revoke it, and the tab's storage is gone when the tab is closed.

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

const grantKey = (hearingId) => `vc.join.${hearingId}`;

function storage(action) {
  try {
    return action(window.sessionStorage);
  } catch {
    return null; // storage disabled: the credential lasts as long as the page
  }
}

export function keepGrant(grant) {
  const kept = {
    credential: grant.credential, expires_at: grant.expires_at, hearing_id: grant.hearing_id,
    participant: grant.participant, lobby_open: false,
  };
  storage((store) => store.setItem(grantKey(grant.hearing_id), JSON.stringify(kept)));
}

// The credential this tab kept for this link's person, unless it has expired.
export function keptGrant(hearingId, participantId) {
  const raw = storage((store) => store.getItem(grantKey(hearingId)));
  if (!raw) return null;
  try {
    const grant = JSON.parse(raw);
    const fresh = Date.parse(grant.expires_at) > Date.now();
    if (fresh && grant.hearing_id === hearingId && grant.participant.id === participantId) {
      return grant;
    }
  } catch {
    // not ours or damaged: forget it
  }
  forgetGrant(hearingId);
  return null;
}

export function forgetGrant(hearingId) {
  storage((store) => store.removeItem(grantKey(hearingId)));
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
