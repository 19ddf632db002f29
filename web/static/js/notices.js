// Which kind of notice a legal condition is, for its translated heading, and the reading order:
// the person's own rights first, then how the hearing is conducted.

const KINDS = [
  ["right_to_refuse", (id) => id.startsWith("rights.") && id.includes("refus")],
  ["voluntariness", (id) => id.includes("voluntar")],
  ["consent", (id) => id.includes("consent")],
  ["rights", (id) => id.startsWith("rights.") || id.startsWith("advisory.")],
  ["information", () => true],
];
const ORDER = KINDS.map(([kind]) => kind);

export function noticeKind(id) {
  return KINDS.find(([, test]) => test(id || ""))[0];
}

export function sortNotices(notices) {
  return [...notices].sort(
    (a, b) => ORDER.indexOf(noticeKind(a.id)) - ORDER.indexOf(noticeKind(b.id)));
}
