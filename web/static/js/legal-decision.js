// The legal engine's decision as the judge's forms show it, live: the verdict and its regimes, the
// conditions with their citations, the reasons, the recording rule, and what the outcome means for
// the form being filled in. Both the scheduling and the reschedule form use it, each on its own
// section, whose parts are marked `data-part` (verdict, outcome, conditions, reasons, recording).
// A section shows one decision or none: when the choices change, what was shown for the old ones
// is cleared before the new answer comes, and an error leaves nothing of the old decision.

import { api } from "./api.js";
import { sentenceFor } from "./judge-messages.js";

const part = (root, name) => root.querySelector(`[data-part="${name}"]`);

// The offence scopes of criminal proceedings (UNTOC / UNCAC), as the judge's pages name them.
export const OFFENCES = Object.freeze({
  organized_crime: "organised crime (UNTOC)",
  corruption: "corruption (UNCAC)",
  other: "other offence",
});

// What a barred or unknown decision means, per form. Allowed and conditional need no warning.
export const OUTCOMES = Object.freeze({
  create: {
    barred: "The law bars this hearing as chosen: the service will refuse to schedule it (see the reasons).",
    unknown: "The law for this case is not known: the hearing will be saved as a draft, and participants cannot join until you record a legal review.",
  },
  reschedule: {
    barred: "The law bars the hearing with these changes: saving them will be refused (see the reasons). Change them back, or cancel the hearing.",
    unknown: "The law is not known with these choices: once saved, the hearing is a draft, and participants cannot join, until you record a legal review.",
  },
});

function reasonText(reason) {
  if (typeof reason === "string") return reason;
  return `${reason.text || reason.rule || reason.id} (${reason.citation || ""})`;
}

export function renderDecision(root, decision, outcomes = OUTCOMES.create) {
  root.dataset.decision = decision.decision;
  const regimes = decision.regimes.map((r) => r.name).join("; ");
  // The scope the engine judged, so the judge sees which question this answer is to.
  const scope = decision.offence ? ` Offence: ${OFFENCES[decision.offence] || decision.offence}.` : "";
  part(root, "verdict").textContent = `Decision: ${decision.decision}${regimes ? ` under ${regimes}` : ""}.${scope}`;
  const outcome = part(root, "outcome");
  if (outcome) {
    const warning = outcomes[decision.decision] || "";
    outcome.textContent = warning;
    outcome.className = warning ? `message ${decision.decision === "barred" ? "error" : "warn"}` : "";
    outcome.hidden = !warning;
  }
  const list = part(root, "conditions");
  list.replaceChildren();
  for (const condition of decision.conditions) {
    const item = document.createElement("li");
    item.dataset.condition = condition.id;
    const text = document.createElement("p");
    text.textContent = `${condition.text} (${condition.stage}; met by ${condition.satisfied_by.join(" or ")})`;
    const citation = document.createElement("p");
    citation.className = "citation";
    citation.textContent = condition.citation;
    item.append(text, citation);
    list.append(item);
  }
  part(root, "reasons").replaceChildren(...decision.reasons.map((reason) => Object.assign(
    document.createElement("li"), { textContent: reasonText(reason) },
  )));
  const recording = decision.recording || {};
  part(root, "recording").textContent = `Recording: ${recording.rule}. ${recording.citation || ""}`;
}

// No decision: every part emptied, `verdict` saying why (a question still incomplete, a check
// under way, or the service's refusal as a sentence).
export function clearDecision(root, verdict, status = "none") {
  root.dataset.decision = status;
  part(root, "verdict").textContent = verdict;
  const outcome = part(root, "outcome");
  if (outcome) {
    outcome.textContent = "";
    outcome.className = "";
    outcome.hidden = true;
  }
  part(root, "conditions").replaceChildren();
  part(root, "reasons").replaceChildren();
  part(root, "recording").textContent = "";
}

// A checker for one section: call it whenever a choice changes. `question()` gives the engine's
// input ({requesting, requested, proceeding, role, consent, date?, offence?}) or null when
// incomplete.
export function liveDecision(root, question, outcomes = OUTCOMES.create) {
  let number = 0;
  return async function check() {
    const mine = ++number;
    const body = question();
    if (!body || !body.requesting || !body.requested) {
      clearDecision(root, "Choose the states to see the decision.");
      return;
    }
    clearDecision(root, "Checking the law for these choices…", "checking");
    root.setAttribute("aria-busy", "true");
    try {
      const decision = await api("POST", "/api/legal/check", body);
      if (mine === number) renderDecision(root, decision, outcomes); // a late, older answer is stale
    } catch (error) {
      if (mine === number) clearDecision(root, `No decision: ${sentenceFor(error)}`, "error");
    } finally {
      if (mine === number) root.removeAttribute("aria-busy");
    }
  };
}
