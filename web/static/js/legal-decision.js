// The legal engine's decision as the judge's forms show it, live: the verdict and its regimes, the
// conditions with their citations, the reasons, the recording rule, and what the outcome means for
// the form being filled in. Both the scheduling and the reschedule form use it, each on its own
// section, whose parts are marked `data-part` (verdict, outcome, conditions, reasons, recording).
// A section shows one decision or none: when the choices change, what was shown for the old ones
// is cleared before the new answer comes, and an error leaves nothing of the old decision.
// The page's own words are in the judge's catalog; the engine's texts (conditions, reasons,
// regimes, citations) come from the service in legal language and are shown as they come: the
// plain-language texts of legal_profiles/plain are written for the person heard and are not in
// the judge's API.

import { api } from "./api.js";
import { sentenceOf } from "./judge-messages.js";
import { say, t } from "./staff-i18n.js";

const part = (root, name) => root.querySelector(`[data-part="${name}"]`);

// The offence scopes of criminal proceedings (UNTOC / UNCAC): their catalog keys.
export const OFFENCES = Object.freeze({
  organized_crime: "judge.scope.organized_crime",
  corruption: "judge.scope.corruption",
  other: "judge.scope.other",
});

// The key naming a hearing's offence scope ("not specified" when none was given).
export function offenceKey(offence) {
  return OFFENCES[offence] || "judge.scope.none";
}

// The engine's verdicts, legal statuses and recording rules, as the page names them.
export const VERDICTS = Object.freeze({
  allowed: "judge.verdict.allowed", conditional: "judge.verdict.conditional",
  unknown: "judge.verdict.unknown", barred: "judge.verdict.barred",
  pending_review: "judge.verdict.pending_review", reviewed: "judge.verdict.reviewed",
});
// A hearing's states (State in vc_service/hearings/lifecycle.py).
export const STATES = Object.freeze({
  draft: "judge.state.draft", scheduled: "judge.state.scheduled", open: "judge.state.open",
  in_session: "judge.state.in_session", testimony: "judge.state.testimony",
  closed: "judge.state.closed", sealed: "judge.state.sealed", cancelled: "judge.state.cancelled",
});
export const RECORDING = Object.freeze({
  allowed: "judge.recording.allowed", prohibited: "judge.recording.prohibited",
  mandatory: "judge.recording.mandatory", court_decides: "judge.recording.court_decides",
  consent_required: "judge.recording.consent_required", unknown: "judge.recording.unknown",
});
const STAGES = Object.freeze({
  before: "judge.stage.before", during: "judge.stage.during", after: "judge.stage.after",
});
// Who may meet a condition (Actor in legal_profiles/decision.py) and the person heard's roles.
export const ROLES = Object.freeze({
  judge: "judge.person.judge", authority: "judge.person.authority", clerk: "judge.person.clerk",
  witness: "judge.person.witness", expert: "judge.person.expert", accused: "judge.person.accused",
  party: "judge.person.party", victim: "judge.person.victim",
  interpreter: "judge.person.interpreter", counsel: "judge.person.counsel",
  prosecutor: "judge.person.prosecutor",
});

// A value for `t`: the key when the page knows the word, else the service's word as it is.
export function word(keys, value) {
  return keys[value] ? { t: keys[value] } : String(value ?? "");
}

// What a barred or unknown decision means, per form. Allowed and conditional need no warning.
export const OUTCOMES = Object.freeze({
  create: { barred: "judge.outcome.create.barred", unknown: "judge.outcome.create.unknown" },
  reschedule: {
    barred: "judge.outcome.reschedule.barred", unknown: "judge.outcome.reschedule.unknown",
  },
});

function reasonText(reason) {
  if (typeof reason === "string") return reason;
  return `${reason.text || reason.rule || reason.id} (${reason.citation || ""})`;
}

export function renderDecision(root, decision, outcomes = OUTCOMES.create) {
  root.dataset.decision = decision.decision;
  const regimes = decision.regimes.map((r) => r.name).join("; ");
  const verdict = part(root, "verdict");
  const values = { decision: word(VERDICTS, decision.decision), regimes };
  // The scope the engine judged, so the judge sees which question this answer is to.
  if (decision.offence) {
    values.offence = OFFENCES[decision.offence] ? { t: OFFENCES[decision.offence] } : decision.offence;
    say(verdict, regimes ? "judge.decision.verdict_regimes_offence" : "judge.decision.verdict_offence", values);
  } else {
    say(verdict, regimes ? "judge.decision.verdict_regimes" : "judge.decision.verdict", values);
  }
  const outcome = part(root, "outcome");
  if (outcome) {
    const warning = outcomes[decision.decision] || "";
    say(outcome, warning);
    outcome.className = warning ? `message ${decision.decision === "barred" ? "error" : "warn"}` : "";
    outcome.hidden = !warning;
  }
  const list = part(root, "conditions");
  list.replaceChildren();
  for (const condition of decision.conditions) {
    const item = document.createElement("li");
    item.dataset.condition = condition.id;
    const text = document.createElement("p");
    say(text, "judge.decision.condition", {
      text: condition.text, stage: word(STAGES, condition.stage),
      by: condition.satisfied_by.map((role) => t(ROLES[role] || role)).join(t("judge.decision.or")),
    });
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
  say(part(root, "recording"), "judge.decision.recording", {
    rule: word(RECORDING, recording.rule), citation: recording.citation || "",
  });
}

// No decision: every part emptied, the verdict (a key and its values) saying why (a question
// still incomplete, a check under way, or the service's refusal as a sentence).
export function clearDecision(root, [key, values], status = "none") {
  root.dataset.decision = status;
  say(part(root, "verdict"), key, values);
  const outcome = part(root, "outcome");
  if (outcome) {
    say(outcome, "");
    outcome.className = "";
    outcome.hidden = true;
  }
  part(root, "conditions").replaceChildren();
  part(root, "reasons").replaceChildren();
  say(part(root, "recording"), "");
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
      clearDecision(root, ["judge.decision.choose_states", {}]);
      return;
    }
    clearDecision(root, ["judge.decision.checking", {}], "checking");
    root.setAttribute("aria-busy", "true");
    try {
      const decision = await api("POST", "/api/legal/check", body);
      if (mine === number) renderDecision(root, decision, outcomes); // a late, older answer is stale
    } catch (error) {
      if (mine === number) {
        const [key, values] = sentenceOf(error);
        clearDecision(root, ["judge.decision.none", { sentence: t(key, values) }], "error");
      }
    } finally {
      if (mine === number) root.removeAttribute("aria-busy");
    }
  };
}
