// The authority's cosigning: its key in this browser, the sealed records of hearings held in its
// state, and the review-then-sign step. What is shown for review is parsed from the very text
// that is signed, never from other fields of the answer. Before it offers to sign, the page
// compares the record with the last one it cosigned for the same log (kept in this browser):
// shorter, different at the same length, or not proved to extend it by a consistency proof is
// a fork, refused and reported to the service with both signed notes (issue 14 point 7).

import { api, ApiError, showMessage } from "./api.js";
import {
  KEY_NAME, consistent, cosignLine, createKey, forgetKey, fromBase64Text, importKey, loadHead,
  loadKey, policyEntry, saveHead,
} from "./cosigning-key.js";

const $ = (id) => document.getElementById(id);

function problem(error) {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  if (error && error.name === "NotSupportedError") {
    return "This browser cannot keep an Ed25519 key; cosign with `vc-service log cosign` instead.";
  }
  return error && error.message ? error.message : String(error);
}

// The checkpoint text: origin, size and root hash lines, then the final newline.
function readCheckpoint(body, hearingId) {
  const lines = body.split("\n");
  if (lines.length !== 4 || lines[3] !== "" || !/^[0-9]+$/.test(lines[1])) {
    throw new Error("the service sent a checkpoint that is not origin, size and root hash");
  }
  if (!lines[0].endsWith(`/hearing/${hearingId}`)) {
    throw new Error("the checkpoint does not name this hearing's log; nothing was signed");
  }
  return { origin: lines[0], size: Number(lines[1]), root: lines[2] };
}

export class Cosigning {
  constructor(session) {
    this.account = session.user.id;
    this.defaultName = `authority/${session.user.username}`;
    this.key = null;
    this.reviewing = null;
  }

  async start() {
    try {
      this.key = await loadKey(this.account);
    } catch (error) {
      showMessage($("cosign-message"), `Your key could not be read: ${problem(error)}`);
    }
    $("key-name").value = this.defaultName;
    $("key-create").addEventListener("submit", (event) => {
      event.preventDefault();
      this.makeKey(() => createKey(this.account, this.keyName()));
    });
    $("key-import").addEventListener("change", () => {
      const file = $("key-import").files[0];
      if (file) this.makeKey(async () => importKey(this.account, this.keyName(), await file.text()));
    });
    $("key-copy").addEventListener("click", () => this.copyPolicy());
    $("key-forget").addEventListener("click", () => this.forget());
    $("review-sign").addEventListener("click", () => this.sign());
    $("review-cancel").addEventListener("click", () => this.closeReview());
    this.renderKey();
    await this.listSealed();
  }

  keyName() {
    const name = $("key-name").value.trim();
    if (!KEY_NAME.test(name)) {
      throw new Error("Give a name of 1 to 128 characters without spaces or plus signs.");
    }
    return name;
  }

  async makeKey(make) {
    $("key-name-error").textContent = "";
    try {
      this.key = await make();
    } catch (error) {
      $("key-name-error").textContent = problem(error);
      $("key-name").focus();
      return;
    }
    this.renderKey();
    $("key-status").focus();
    await this.listSealed();
  }

  renderKey() {
    const key = this.key;
    $("key-create").hidden = Boolean(key);
    $("key-details").hidden = !key;
    $("key-status").tabIndex = -1;
    $("key-status").textContent = key
      ? `This browser holds your cosigning key ${key.name} (key ID ${key.keyId}).`
      : "No cosigning key in this browser yet.";
    if (!key) return;
    $("key-shown-name").textContent = key.name;
    $("key-id").textContent = key.keyId;
    $("key-policy").value = policyEntry(key);
  }

  async copyPolicy() {
    $("key-policy").select();
    try {
      await navigator.clipboard.writeText($("key-policy").value);
      $("key-copy").textContent = "Copied";
    } catch {
      $("key-copy").textContent = "Selected: press Ctrl+C to copy";
    }
  }

  async forget() {
    // The private key cannot be recovered: records not yet cosigned stay without it.
    if (!window.confirm("Remove your cosigning key from this browser? It cannot be recovered.")) {
      return;
    }
    await forgetKey(this.account);
    this.key = null;
    this.renderKey();
    await this.listSealed();
  }

  async listSealed() {
    const list = $("sealed-list");
    let hearings;
    try {
      ({ hearings } = await api("GET", "/api/hearings?upcoming=false&state=sealed"));
    } catch (error) {
      showMessage($("cosign-message"), `The sealed records could not be listed: ${problem(error)}`);
      return;
    }
    const rows = await Promise.all(hearings.map((hearing) => this.row(hearing)));
    list.replaceChildren(...rows);
    $("sealed-empty").hidden = hearings.length > 0;
  }

  async row(hearing) {
    const row = document.createElement("tr");
    row.dataset.hearing = hearing.id;
    const cell = (text) => row.appendChild(Object.assign(document.createElement("td"), {
      textContent: text,
    }));
    cell(hearing.case_reference);
    cell(`${hearing.person_heard.name} (${hearing.person_heard.role})`);
    let final;
    try {
      final = await api("GET", `/api/hearings/${encodeURIComponent(hearing.id)}/log/final`);
    } catch (error) {
      cell(`Not available: ${problem(error)}`);
      cell("");
      cell("");
      return row;
    }
    cell(`${final.size} events, sealed`);
    cell(final.cosignatures.map((c) => c.name).join(", ") || "Nobody yet");
    const action = row.appendChild(document.createElement("td"));
    const mine = this.key && final.cosignatures.find(
      (c) => c.name === this.key.name && c.key_id === this.key.keyId,
    );
    if (mine) {
      action.textContent = `Cosigned ${mine.time.replace("T", " ").replace("Z", " UTC")}`;
    } else if (!this.key) {
      action.textContent = "Create or import your key above first";
    } else {
      action.appendChild(Object.assign(document.createElement("button"), {
        type: "button",
        className: "secondary",
        textContent: `Review and cosign ${hearing.case_reference}`,
      })).addEventListener("click", () => this.review(hearing));
    }
    return row;
  }

  // Null when the record may be signed; otherwise why not, with the checkpoint held.
  async contradiction(hearing, shown) {
    const held = await loadHead(this.account, shown.origin);
    if (!held || (held.size === shown.size && held.root === shown.root)) return null;
    const when = held.cosigned.replace("T", " ").replace(/(\.\d+)?Z$/, " UTC");
    const before = `the record of ${held.size} events you cosigned on ${when}`;
    if (shown.size < held.size) {
      return { reason: "rollback", held, text: `it has ${shown.size} events, fewer than ${before}` };
    }
    if (shown.size === held.size) {
      return { reason: "fork", held, text: `it has another root hash than ${before}` };
    }
    const path = `/api/hearings/${encodeURIComponent(hearing.id)}/log/final?known=${held.size}`;
    const answer = await api("GET", path);
    const proved = answer.root_hash === shown.root && answer.size === shown.size &&
      await consistent(held.size, shown.size, fromBase64Text(held.root),
        fromBase64Text(shown.root), answer.consistency.map(fromBase64Text));
    return proved ? null : { reason: "bad_proof", held, text: `it is not proved to extend ${before}` };
  }

  async refuse(hearing, found, offered) {
    const message = $("cosign-message");
    let outcome;
    try {
      await api("POST", `/api/hearings/${encodeURIComponent(hearing.id)}/log/forks`,
        { cosigner: this.key.name, held: found.held.note, offered });
      outcome = "Your refusal was reported to the service with both records.";
    } catch (error) {
      outcome = `Your refusal could not be reported: ${problem(error)}.`;
    }
    showMessage(message, `Not signed: the record of ${hearing.case_reference} contradicts what ` +
      `you cosigned before (${found.reason}): ${found.text}. ${outcome}`);
    message.focus();
  }

  async review(hearing) {
    const message = $("cosign-message");
    showMessage(message, "");
    try {
      const final = await api("GET", `/api/hearings/${encodeURIComponent(hearing.id)}/log/final`);
      const shown = readCheckpoint(final.body, hearing.id);
      const found = await this.contradiction(hearing, shown);
      if (found) {
        await this.refuse(hearing, found, final.note);
        return;
      }
      this.reviewing = { hearing, body: final.body, note: final.note, shown };
      $("review-heading").textContent = `Cosign the record of ${hearing.case_reference}`;
      $("review-origin").textContent = shown.origin;
      $("review-size").textContent = String(shown.size);
      $("review-root").textContent = shown.root;
    } catch (error) {
      showMessage(message, `The record could not be loaded: ${problem(error)}`);
      return;
    }
    $("review").hidden = false;
    $("review").focus();
  }

  closeReview() {
    $("review").hidden = true;
    this.reviewing = null;
  }

  async sign() {
    const { hearing, body, note, shown } = this.reviewing;
    const message = $("cosign-message");
    $("review-sign").disabled = true;
    try {
      const line = await cosignLine(this.key, body);
      const made = await api("POST", `/api/hearings/${encodeURIComponent(hearing.id)}/log/cosignatures`,
        { line, public_key: this.key.publicKeyBase64 });
      // Only what the service accepted is remembered: the note as signed by the log key.
      await saveHead(this.account, {
        origin: shown.origin, size: shown.size, root: shown.root, note,
        cosigned: new Date().toISOString(),
      });
      this.closeReview();
      showMessage(message, `You cosigned the record of ${hearing.case_reference} as ${made.name}.`,
        "ok");
      await this.listSealed();
    } catch (error) {
      showMessage(message, `The cosignature was refused: ${problem(error)}`);
    } finally {
      $("review-sign").disabled = false;
    }
    message.focus();
  }
}
