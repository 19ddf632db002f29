// Fetch wrapper: JSON in and out, CSRF header on every state-changing request, typed errors.

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token;
}

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

export async function api(method, path, body, extraHeaders = {}) {
  const headers = { Accept: "application/json", ...extraHeaders };
  if (method !== "GET") {
    headers["X-CSRF-Token"] = csrfToken || cookie("vc_csrf");
  }
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const err = (data && data.error) || {};
    throw new ApiError(response.status, err.code || `http.${response.status}`,
      err.message || response.statusText, err.details);
  }
  return data;
}

// The CSRF cookie is set by the server on the first response; make sure we have one.
export async function ensureCsrfCookie() {
  if (!cookie("vc_csrf")) {
    await fetch("/healthz", { credentials: "same-origin" });
  }
}

export function showMessage(element, text, kind = "error") {
  element.textContent = text;
  element.className = `message ${kind}`;
  element.hidden = !text;
}
