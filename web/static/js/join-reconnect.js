// A lost connection on the participant page: a visible countdown while the seat is kept, a button
// to try at once, and the browser's own offline and online events.

import { say } from "./i18n.js";
import { $, page } from "./join-state.js";

export function showReconnect(status) {
  const counting = status.kind === "reconnecting" && status.seconds > 0;
  $("reconnect").hidden = !counting;
  if (counting) say($("reconnect-text"), "lobby.lost", { seconds: status.seconds });
}

export function initReconnect() {
  $("reconnect-now").addEventListener("click", () => page.room && page.room.reconnectNow());
  window.addEventListener("offline", () => page.room && page.room.networkLost());
  window.addEventListener("online", () => page.room && page.room.reconnectNow());
}
