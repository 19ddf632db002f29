// The live room's checklist and participant table, rendered from `room_state` (docs/signaling.md):
// each condition of the legal decision with who met it, how and when, and a form for the
// conditions this participant's role may meet; each participant with connection and fingerprints.

export const METHODS = {
  identity_document: "Identity document checked",
  oral_declaration: "Oral declaration",
  written_declaration: "Written declaration",
  observation: "Observation",
  other: "Other",
};
export const DOCUMENTS = {
  passport: "Passport",
  national_id: "National identity card",
  residence_permit: "Residence permit",
  driving_licence: "Driving licence",
  other: "Other document",
};

function element(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

// `met.at` (RFC 3339 UTC, microseconds) as a <time> in the viewer's local time; Date parsing
// is only specified for milliseconds, so the rest of the fraction is dropped first.
function metAt(at) {
  if (!at) return null;
  const moment = new Date(at.replace(/(\.\d{3})\d+/, "$1"));
  if (Number.isNaN(moment.getTime())) return null;
  return element("time", {
    dateTime: at,
    title: moment.toLocaleString(),
    textContent: moment.toLocaleTimeString(),
  });
}

function select(id, label, options, chosen) {
  const field = element("select", { id });
  for (const [value, text] of Object.entries(options)) {
    field.append(new Option(text, value, false, value === chosen));
  }
  return [element("label", { htmlFor: id, textContent: label }), field];
}

function conditionForm(condition, onMeet) {
  const key = condition.id.replace(/[^a-z0-9]/gi, "-");
  const form = element("form", { className: "meet" });
  form.dataset.condition = condition.id;
  const identity = condition.id.startsWith("identity");
  const [methodLabel, method] = select(
    `method-${key}`, "How was it met?", METHODS,
    identity ? "identity_document" : "oral_declaration",
  );
  const [documentLabel, documentType] = select(`document-${key}`, "Document type", DOCUMENTS, "passport");
  const documentRow = element("div", {}, documentLabel, documentType);
  const showDocument = () => { documentRow.hidden = method.value !== "identity_document"; };
  method.addEventListener("change", showDocument);
  showDocument();
  const note = element("input", { id: `note-${key}`, maxLength: 200 });
  const button = element("button", { type: "submit", textContent: `Confirm: ${condition.id}` });
  form.append(
    methodLabel, method, documentRow,
    element("label", { htmlFor: note.id, textContent: "Note (optional)" }), note, button,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const message = { type: "condition", condition: condition.id, method: method.value };
    if (method.value === "identity_document") message.document_type = documentType.value;
    if (note.value.trim()) message.note = note.value.trim();
    button.disabled = onMeet(message) === false;
  });
  return form;
}

export function renderConditions(list, conditions, role, onMeet) {
  // Keep a form the user is filling in: re-render only when the met state changes (a condition
  // that lapsed and was met again has a new time).
  const signature = JSON.stringify(conditions.map((c) => [c.id, c.met ? c.met.at || true : false]));
  if (list.dataset.signature === signature) return;
  list.dataset.signature = signature;
  list.replaceChildren();
  for (const condition of conditions) {
    const item = element("li", { className: condition.met ? "met" : "unmet" });
    item.dataset.condition = condition.id;
    item.append(
      element("p", {}, element("strong", { textContent: condition.met ? "Met: " : "Open: " }),
        `${condition.text}`),
      element("p", {
        className: "citation",
        textContent: `${condition.citation} · stage ${condition.stage} · met by ${condition.satisfied_by.join(" or ")}`,
      }),
    );
    if (condition.met) {
      const met = condition.met;
      const how = METHODS[met.method] || met.method || "";
      const document = met.document_type ? ` (${DOCUMENTS[met.document_type] || met.document_type})` : "";
      const when = metAt(met.at);
      item.append(element("p", { className: "met-by" },
        `${met.name} (${met.role}) · ${how}${document}`,
        ...(when ? [" · noted ", when] : []),
        met.note ? ` · ${met.note}` : ""));
    } else if (condition.stage === "during" && condition.satisfied_by.includes(role)) {
      item.append(conditionForm(condition, onMeet));
    }
    list.append(item);
  }
}

// `onConfirm` (the judge's page only): confirm an authority that claimed an unnamed seat; until
// then the room refuses its conditions.
export function renderPeople(body, participants, reconnecting, onConfirm = null) {
  body.replaceChildren();
  for (const person of participants) {
    const away = !person.connected || reconnecting.has(person.peer);
    const row = element("tr");
    row.dataset.peer = person.peer;
    row.dataset.role = person.role;
    const who = element("td", { textContent: `${person.name} (${person.role})` });
    if (person.confirmed === false) {
      who.append(" · not confirmed by the judge");
      if (onConfirm) {
        const confirm = element("button", { type: "button", textContent: "Confirm authority" });
        confirm.addEventListener("click", () => onConfirm(person.peer));
        who.append(" ", confirm);
      }
    }
    row.append(
      who,
      element("td", { textContent: away ? "Reconnecting…" : "Connected", className: away ? "away" : "" }),
      element("td", {}, ...(person.fingerprints || []).map(
        (fp) => element("code", { className: "fingerprint", textContent: fp }),
      )),
    );
    body.append(row);
  }
}
