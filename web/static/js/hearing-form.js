// What the judge's scheduling and reschedule forms share: reading and showing times (the start is
// typed in the browser's own zone; the service answers with wall times in each state's zone), the
// required fields, and the service's 422 field errors shown next to the field they name.

// "2027-03-02 10:00 CET" from one of the service's wall times ({local, time_zone, abbreviation});
// `local` is "2027-03-02T10:00+01:00": the abbreviation says what the offset says, shorter.
export function wallTime(point) {
  return `${point.local.slice(0, 16).replace("T", " ")} ${point.abbreviation}`;
}

// The start of a hearing in one state's zone, as the hearing list shows it.
export function localTime(times) {
  if (!times) return "";
  return `${wallTime(times.starts)} (${times.starts.time_zone})`;
}

// A datetime-local value (the browser's zone) as the RFC 3339 UTC instant the API takes.
export function inputToInstant(value) {
  return new Date(value).toISOString().replace(/\.\d+Z$/, "Z");
}

// An instant as a datetime-local value in the browser's zone (seconds only when there are some).
export function instantToInput(iso) {
  const at = new Date(iso);
  const two = (n) => String(n).padStart(2, "0");
  const minutes = `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}T${two(at.getHours())}:${two(at.getMinutes())}`;
  return at.getSeconds() ? `${minutes}:${two(at.getSeconds())}` : minutes;
}

// How a datetime-local value reads in another zone, e.g. "2027-03-02 10:00 CET".
export function inZone(value, timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {
    timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
    minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
  }).formatToParts(new Date(value)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

function labelOf(control) {
  const label = document.querySelector(`label[for="${control.id}"]`);
  return label ? label.textContent.trim() : control.id;
}

// The first of `controls` left empty, or null; the caller says so next to it and focuses it.
export function firstEmpty(controls) {
  return controls.find((control) => !control.value.trim()) || null;
}

function errorNode(control) {
  const id = `${control.id}-error`;
  let node = document.getElementById(id);
  if (!node) {
    node = Object.assign(document.createElement("p"), { id, className: "field-error" });
    node.dataset.for = control.id;
    (control.closest(".check") || control).after(node);
    const described = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    control.setAttribute("aria-describedby", [...described, id].join(" "));
  }
  return node;
}

export function fieldError(control, text) {
  errorNode(control).textContent = text;
  if (text) control.setAttribute("aria-invalid", "true");
  else control.removeAttribute("aria-invalid");
}

export function clearFieldErrors(form) {
  for (const node of form.querySelectorAll(".field-error[data-for]")) {
    node.textContent = "";
    const control = document.getElementById(node.dataset.for);
    if (control) control.removeAttribute("aria-invalid");
  }
}

export function requireFilled(controls) {
  const empty = firstEmpty(controls);
  if (empty) {
    fieldError(empty, `Please fill in: ${labelOf(empty)}.`);
    empty.focus();
  }
  return !empty;
}

// Show a 422's `details.fields` next to the controls they name (`controls` maps the API's field
// name to a control); returns the problems no control shows, for the form's own message. The
// first control with a problem gets the focus.
export function showFieldErrors(fields, controls) {
  const unplaced = [];
  let first = null;
  for (const [name, problem] of Object.entries(fields || {})) {
    const control = controls[name];
    if (!control) {
      unplaced.push(`${name}: ${problem}`);
      continue;
    }
    fieldError(control, `${labelOf(control)}: ${problem}`);
    first = first || control;
  }
  if (first) first.focus();
  return unplaced;
}
