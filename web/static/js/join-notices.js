// The notices the legal decision requires the participant to read before joining (one heading
// per kind, each with its law), and their acknowledgement.

import { say } from "./i18n.js";
import { $, page, setState, State } from "./join-state.js";
import { noticeKind, sortNotices } from "./notices.js";

export function renderNotices() {
  const list = $("notice-list");
  list.replaceChildren();
  let previous = null;
  for (const notice of sortNotices(page.invitation.notices || [])) {
    const article = document.createElement("article");
    article.className = "notice";
    // Notices of one kind share one heading.
    const kind = noticeKind(notice.id);
    if (kind !== previous) {
      const title = document.createElement("h3");
      say(title, `notices.kind.${kind}`);
      article.append(title);
      previous = kind;
    }
    const text = document.createElement("p");
    text.textContent = notice.text || "";
    article.append(text);
    if (notice.citation) {
      const law = document.createElement("p");
      law.className = "citation";
      say(law, "notices.law", { citation: notice.citation });
      article.append(law);
    }
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
