// The live room's checklist and participant table, rendered from `room_state` (docs/signaling.md):
// each condition of the legal decision with who met it, how and when, and a form for the
// conditions this participant's role may meet; each participant with connection and fingerprints.

// How a condition was met (docs/signaling.md, "Ways to meet a condition"); the room says which
// of them each condition accepts (`ways`) and what details each needs.
export const METHODS = {
  identity_document: "Identity document checked",
  personal_knowledge: "Known personally to the official",
  in_attendance: "Present in the room",
  stop_control: "Stop control available to the authority",
  statement_read: "Statement read out",
  written_notice: "Written notice handed over",
  own_click: "Confirmed by the person in the room",
  interpreter_present: "Interpreter present",
  not_needed: "Not needed",
  oath_administered: "Oath administered",
  no_oath: "No oath taken",
  private_channel: "Private channel provided",
  authority_minutes: "Minutes drawn up by the authority",
  service_minutes: "The sealed minutes of this hearing",
  recorded_by_judge: "Recorded by the judge before the hearing",
  oral_declaration: "Oral declaration",
  written_declaration: "Written declaration",
  observation: "Observation",
  other: "Other",
};
const STAGES = { before: "Before the hearing", during: "During the hearing", after: "After the hearing" };
// A document number as the room accepts it (signaling/conditions.py).
const DOCUMENT_NUMBER = "[A-Za-z0-9][A-Za-z0-9 .\\/\\-]{0,39}";
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

function capital(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

function conditionForm(condition, onMeet) {
  const key = condition.id.replace(/[^a-z0-9]/gi, "-");
  const ways = condition.ways && condition.ways.length
    ? condition.ways : [{ method: "other", details: "required", asks: "how it was met" }];
  const byMethod = Object.fromEntries(ways.map((way) => [way.method, way]));
  const form = element("form", { className: "meet" });
  form.dataset.condition = condition.id;
  const method = element("select", { id: `method-${key}` });
  for (const way of ways) method.append(new Option(METHODS[way.method] || way.method, way.method));
  const methodRow = element("div", {},
    element("label", { htmlFor: method.id, textContent: "How was it met?" }), method);
  // One way only: nothing to choose, the label says how.
  methodRow.hidden = ways.length === 1;
  const [documentLabel, documentType] = select(`document-${key}`, "Document type", DOCUMENTS, "passport");
  const documentRow = element("div", {}, documentLabel, documentType);
  const details = element("input", { id: `details-${key}`, maxLength: 200, autocomplete: "off" });
  const detailsLabel = element("label", { htmlFor: details.id });
  const detailsRow = element("div", {}, detailsLabel, details);
  const note = element("input", { id: `note-${key}`, maxLength: 200 });
  const button = element("button", { type: "submit", textContent: `Confirm: ${condition.id}` });
  const showWay = () => {
    const way = byMethod[method.value];
    const identity = way.method === "identity_document";
    documentRow.hidden = !identity;
    detailsRow.hidden = way.details === "none";
    details.required = way.details === "required";
    if (identity) details.pattern = DOCUMENT_NUMBER;
    else details.removeAttribute("pattern");
    const optional = way.details === "optional" ? " (optional)" : "";
    detailsLabel.textContent = `Details: ${way.asks || "how it was met"}${optional}`;
  };
  method.addEventListener("change", showWay);
  showWay();
  form.append(
    methodRow, documentRow, detailsRow,
    element("label", { htmlFor: note.id, textContent: "Note (optional)" }), note, button,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const way = byMethod[method.value];
    const message = { type: "condition", condition: condition.id, method: way.method };
    if (way.method === "identity_document") message.document_type = documentType.value;
    if (way.details !== "none" && details.value.trim()) message.details = details.value.trim();
    if (note.value.trim()) message.note = note.value.trim();
    button.disabled = onMeet(message) === false;
  });
  return form;
}

// `live`: the room is open (after the end no condition can be met any more).
export function renderConditions(list, conditions, role, onMeet, live = true) {
  // Keep a form the user is filling in: re-render only when the met state changes (a condition
  // that lapsed and was met again has a new time).
  const signature = JSON.stringify([live, conditions.map((c) => [c.id, c.met ? c.met.at || true : false])]);
  if (list.dataset.signature === signature) return;
  list.dataset.signature = signature;
  list.replaceChildren();
  for (const condition of conditions) {
    const item = element("li", { className: condition.met ? "met" : "unmet" });
    item.dataset.condition = condition.id;
    item.dataset.stage = condition.stage;
    const open = condition.stage === "after" && live ? "Open (to meet before the hearing ends): " : "Open: ";
    item.append(
      element("p", {}, element("strong", { textContent: condition.met ? "Met: " : open }),
        `${condition.text}`),
      element("p", {
        className: "citation",
        textContent: `${condition.citation} · ${STAGES[condition.stage] || condition.stage} · met by ${condition.satisfied_by.join(" or ")}`,
      }),
    );
    if (condition.met) {
      const met = condition.met;
      const how = METHODS[met.method] || met.method || "";
      const documentName = met.document_type ? DOCUMENTS[met.document_type] || met.document_type : "";
      const what = documentName && met.details ? `${documentName} no. ${met.details}`
        : documentName || met.details || "";
      const when = metAt(met.at);
      item.append(element("p", { className: "met-by" },
        `${met.name} (${met.role}) · ${how}${what ? ` (${what})` : ""}`,
        ...(when ? [" · noted ", when] : []),
        met.note ? ` · ${met.note}` : ""));
    } else if (live && condition.stage !== "before" && condition.satisfied_by.includes(role)) {
      item.append(conditionForm(condition, onMeet));
    }
    list.append(item);
  }
}

// `onConfirm` (the judge's page only): confirm an authority that claimed an unnamed seat; until
// then the room refuses its conditions and its stop. `ended`: this page is out of the room
// (the hearing ended, or we left): nobody's connection is known any more, the table says so.
export function renderPeople(body, participants, reconnecting, onConfirm = null, ended = "") {
  body.replaceChildren();
  for (const person of participants) {
    const away = !person.connected || reconnecting.has(person.peer);
    const connection = ended || (away ? "Reconnecting…" : "Connected");
    const row = element("tr");
    row.dataset.peer = person.peer;
    row.dataset.role = person.role;
    const who = element("td", { textContent: `${person.name} (${person.role})` });
    if (person.confirmed === false) {
      who.append(" · not confirmed by the judge");
      if (onConfirm && !ended) {
        const confirm = element("button", { type: "button", textContent: "Confirm authority" });
        confirm.addEventListener("click", () => onConfirm(person.peer));
        who.append(" ", confirm);
      }
    }
    row.append(
      who,
      element("td", { textContent: connection, className: away || ended ? "away" : "" }),
      element("td", {}, ...(person.fingerprints || []).map(
        (fp) => element("code", { className: "fingerprint", textContent: fp }),
      )),
    );
    body.append(row);
  }
}
