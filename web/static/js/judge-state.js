// The judge's page state: the hearing list and the hearing shown in the detail. Every part of the
// page renders from it, so the list and the detail never disagree: a hearing fetched for the
// detail replaces its line in the list (state, version, times) unless the list's is newer, and
// every subscriber redraws.

const listeners = [];

function notify() {
  for (const listener of listeners) listener(page);
}

// The fields a line of the list shares with the full view of a hearing.
const SHARED = [
  "version", "state", "requesting_state", "requested_state", "venue", "venue_timezone",
  "proceeding", "offence", "case_reference", "starts_at", "ends_at", "duration_minutes", "times",
];

export const page = {
  hearings: [],
  hearing: null,
  setHearings(hearings) {
    this.hearings = hearings;
    if (this.hearing) this.merge(this.hearing);
    notify();
  },
  setHearing(hearing) {
    this.hearing = hearing;
    this.merge(hearing);
    notify();
  },
  merge(hearing) {
    const line = this.hearings.find((h) => h.id === hearing.id);
    // Every change of a hearing raises its version: the newer of the two is the truth.
    if (!line || line.version > hearing.version) return;
    for (const key of SHARED) line[key] = hearing[key];
    line.legal_status = hearing.legal.status;
  },
};

export function subscribe(listener) {
  listeners.push(listener);
}
