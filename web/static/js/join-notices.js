// The notices the legal decision requires the participant to read before joining (one heading
// per kind), and their acknowledgement. The server sends each notice in plain language only
// (`plain`: text by language code) with its legal basis (`citation`, shown collapsed); the page
// never shows the engine's legal text.

import { language, say } from "./i18n.js";
import { $, page, setState, State } from "./join-state.js";
import { noticeKind, sortNotices } from "./notices.js";

const FALLBACK = "en";

function languageName(code) {
  try {
    return new Intl.DisplayNames([language()], { type: "language" }).of(code) || code;
  } catch {
    return code;
  }
}

// The notice's text in the page's language; until it is translated, the English text with a note
// (in the page's language) saying so. A notice without any text says the court will explain it.
export function plainNotice(notice, tag = "div") {
  const box = document.createElement(tag);
  box.className = "plain-notice";
  const texts = notice.plain || {};
  const wanted = language();
  const shown = Object.hasOwn(texts, wanted) ? wanted : Object.hasOwn(texts, FALLBACK) ? FALLBACK : null;
  const text = document.createElement("p");
  if (shown) {
    text.textContent = texts[shown];
    text.lang = shown;
  } else {
    say(text, "notices.no_text");
  }
  box.append(text);
  // The person's own language (the invitation's) or the page's may lack a translation.
  const own = page.invitation && page.invitation.participant && page.invitation.participant.language;
  const missing = shown && shown !== wanted ? wanted : own && !Object.hasOwn(texts, own) ? own : null;
  if (shown && missing) {
    const note = document.createElement("p");
    note.className = "translation-note";
    say(note, "notices.not_translated", { language: languageName(missing) });
    box.append(note);
  }
  const basis = document.createElement("details");
  basis.className = "citation";
  const summary = document.createElement("summary");
  say(summary, "notices.basis");
  const cite = document.createElement("p");
  if (notice.citation) cite.textContent = notice.citation;
  else say(cite, "notices.basis_pending");
  basis.append(summary, cite);
  box.append(basis);
  return box;
}

export function renderNotices() {
  const list = $("notice-list");
  list.replaceChildren();
  let previous = null;
  for (const notice of sortNotices(page.invitation.notices || [])) {
    const article = document.createElement("article");
    article.className = "notice";
    article.dataset.notice = notice.id;
    // Notices of one kind share one heading.
    const kind = noticeKind(notice.id);
    if (kind !== previous) {
      const title = document.createElement("h3");
      say(title, `notices.kind.${kind}`);
      article.append(title);
      previous = kind;
    }
    article.append(plainNotice(notice));
    list.append(article);
  }
  $("notices-none").hidden = list.children.length > 0;
}

export function submitNotices(event) {
  event.preventDefault();
  if (!$("notices-ack").checked) {
    say($("notices-error"), "notices.ack_needed");
    $("notices-ack").setAttribute("aria-invalid", "true");
    $("notices-ack").focus();
    return;
  }
  $("notices-ack").removeAttribute("aria-invalid");
  say($("notices-error"), "");
  setState(State.CODE);
}

