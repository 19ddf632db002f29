// The one-time code on the participant page: checked for form, exchanged for a join credential
// (which lasts minutes: the code comes last, right before the waiting room), and every refusal
// explained next to the field.

import { say } from "./i18n.js";
import { classify, joinWithCode } from "./invitation.js";
import { linkError } from "./join-link.js";
import { $, message, page } from "./join-state.js";

export function codeProblem(key, values = {}) {
  const input = $("code");
  say($("code-error"), key, values);
  if (key) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

// `onGrant(grant)` takes the participant into the waiting room.
export async function submitCode(event, onGrant) {
  event.preventDefault();
  const input = $("code");
  const code = input.value.trim();
  message("");
  if (!/^[0-9]{6}$/.test(code)) {
    codeProblem("code.format");
    input.focus();
    return;
  }
  let grant;
  try {
    grant = await joinWithCode(page.link, code);
  } catch (error) {
    input.value = "";
    const problem = classify(error);
    if (["expired", "revoked", "invalid", "unavailable", "early"].includes(problem.kind)) {
      linkError(problem);
      return;
    }
    if (problem.kind === "locked") {
      codeProblem("code.locked");
      for (const element of $("code-form").elements) element.disabled = true;
      return;
    }
    const keys = {
      wrong_code: problem.attemptsLeft === undefined ? "code.wrong_plain" : "code.wrong",
      wait: "code.wait", used: "code.used", network: "error.network",
    };
    codeProblem(keys[problem.kind] || "error.generic", {
      count: problem.attemptsLeft, seconds: problem.seconds, code: problem.code,
    });
    input.focus();
    return;
  }
  input.value = "";
  codeProblem("");
  onGrant(grant);
}
