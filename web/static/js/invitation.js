// The invitation API as the participant page uses it (see docs/api.md):
//   GET  /api/invitations/{token}       -> the hearing, the person, the notices to read
//   POST /api/invitations/{token}/join  {code} -> a join credential for the hearing's room
// The token comes from the link's fragment (#...), which browsers never send to a server, so
// it reaches no access log or Referer; the API then carries it in its own request paths.

import { api, ApiError, ensureCsrfCookie } from "./api.js";

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,200}$/;

export function tokenFromLocation(loc = window.location) {
  const fragment = decodeURIComponent(loc.hash.replace(/^#/, ""));
  const fromFragment = fragment.startsWith("token=") ? fragment.slice(6) : fragment;
  if (fromFragment) return fromFragment;
  const match = loc.pathname.match(/^\/join\/([^/]+)$/);
  return match ? decodeURIComponent(match[1]) : "";
}

export function plausibleToken(token) {
  return TOKEN_SHAPE.test(token);
}

export async function fetchInvitation(token) {
  return api("GET", `/api/invitations/${encodeURIComponent(token)}`);
}

export async function joinWithCode(token, code) {
  await ensureCsrfCookie();
  return api("POST", `/api/invitations/${encodeURIComponent(token)}/join`, { code });
}

// What went wrong, in the page's terms: one of expired | early | revoked | invalid | wrong_code |
// locked | used | unavailable | network | other, with the numbers the message needs.
export function classify(error) {
  if (!(error instanceof ApiError)) return { kind: "network" };
  const code = error.code || "";
  const details = error.details || {};
  const has = (...words) => words.some((word) => code.includes(word));
  if (has("locked") || error.status === 429) {
    return { kind: "locked", retryAfter: details.retry_after_seconds };
  }
  if (has("replayed", "code_used", "used")) return { kind: "used" };
  if (has("wrong_code", "bad_code", "invalid_code", "code_invalid", "code_wrong")) {
    const left = details.attempts_left ?? details.remaining_attempts ?? details.attempts_remaining;
    return { kind: "wrong_code", attemptsLeft: left };
  }
  if (has("not_yet", "too_early", "not_open")) return { kind: "early", from: details.valid_from };
  if (has("expired", "ended", "closed")) return { kind: "expired" };
  if (has("revoked", "superseded")) return { kind: "revoked" };
  if (error.status === 404 || error.status === 401 || has("not_found", "bad_token")) {
    return { kind: "invalid" };
  }
  if (error.status === 409 || has("cancelled", "state")) return { kind: "unavailable" };
  if (error.status === 422 && has("code")) return { kind: "wrong_code" };
  return { kind: "other", code };
}
