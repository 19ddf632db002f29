// The authority's cosigning key, kept in this browser: an Ed25519 key pair from WebCrypto whose
// private half is not extractable, stored in IndexedDB per account. It signs `cosignature/v1`
// lines (c2sp.org/tlog-cosignature) over a hearing's final checkpoint. Beside it the browser
// keeps, per account and log, the last checkpoint it cosigned: the service holds the log key and
// could sign another history, but it cannot make this browser sign two (issue 14 point 7).

const DB_NAME = "vc-service-cosigning";
const STORE = "keys";
const HEADS = "heads";
const COSIGNATURE_V1 = 0x04;
const encoder = new TextEncoder();

// C2SP key names: not empty, no whitespace, no plus sign (they separate a vkey's fields).
export const KEY_NAME = /^[^\s+]{1,128}$/;

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 2);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE);
      if (!db.objectStoreNames.contains(HEADS)) db.createObjectStore(HEADS);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore(mode, action, name = STORE) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(name, mode);
      const request = action(transaction.objectStore(name));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

export function base64(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function keyId(name, publicKey) {
  const material = concat(encoder.encode(`${name}\n`), Uint8Array.of(COSIGNATURE_V1), publicKey);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", material)).slice(0, 4);
}

async function describe(record) {
  const id = await keyId(record.name, record.publicKey);
  return {
    ...record,
    keyId: [...id].map((b) => b.toString(16).padStart(2, "0")).join(""),
    publicKeyBase64: base64(record.publicKey),
  };
}

export async function loadKey(account) {
  const record = await withStore("readonly", (store) => store.get(account));
  return record ? describe(record) : null;
}

async function saveKey(account, name, privateKey, publicKey) {
  const record = { name, privateKey, publicKey, created: new Date().toISOString() };
  await withStore("readwrite", (store) => store.put(record, account));
  return describe(record);
}

export async function createKey(account, name) {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return saveKey(account, name, pair.privateKey, publicKey);
}

// An Ed25519 private key the authority already holds, as PKCS#8 PEM (`openssl genpkey -algorithm
// ed25519`). Imported once to read its public half, kept only as a non-extractable key.
export async function importKey(account, name, pem) {
  const match = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(pem);
  if (!match) throw new Error("the file is not a PKCS#8 PEM private key (BEGIN PRIVATE KEY)");
  const der = fromBase64(match[1].replace(/\s+/g, ""));
  const algorithm = { name: "Ed25519" };
  let readable;
  try {
    readable = await crypto.subtle.importKey("pkcs8", der, algorithm, true, ["sign"]);
  } catch {
    throw new Error("the file does not hold an Ed25519 private key");
  }
  const jwk = await crypto.subtle.exportKey("jwk", readable);
  const publicKey = fromBase64(jwk.x.replace(/-/g, "+").replace(/_/g, "/") + "=");
  const privateKey = await crypto.subtle.importKey("pkcs8", der, algorithm, false, ["sign"]);
  return saveKey(account, name, privateKey, publicKey);
}

export async function forgetKey(account) {
  await withStore("readwrite", (store) => store.delete(account));
}

// One `cosignature/v1` signature line over a checkpoint's note text: key ID, the time as a
// big-endian u64, then Ed25519 over "cosignature/v1\ntime <t>\n" + body.
export async function cosignLine(key, body, now = Date.now()) {
  const seconds = Math.floor(now / 1000);
  const message = encoder.encode(`cosignature/v1\ntime ${seconds}\n${body}`);
  const signature = new Uint8Array(
    await crypto.subtle.sign({ name: "Ed25519" }, key.privateKey, message),
  );
  const time = new Uint8Array(8);
  new DataView(time.buffer).setBigUint64(0, BigInt(seconds));
  const id = await keyId(key.name, key.publicKey);
  return `— ${key.name} ${base64(concat(id, time, signature))}\n`;
}

// What a verifier pastes into its trust policy to accept this key's cosignatures.
export function policyEntry(key) {
  const from = key.created.replace(/\.\d+Z$/, "Z");
  return `[[cosigners]]\nname = "${key.name}"\npublic_key = "${key.publicKeyBase64}"\n` +
    `valid_from = "${from}"\n`;
}

// -- the last checkpoint cosigned per log -------------------------------------------------------

const headKey = (account, origin) => `${account} ${origin}`;

// { origin, size, root (base64), note (the service's signed checkpoint text), cosigned (ISO) }
export async function loadHead(account, origin) {
  return (await withStore("readonly", (store) => store.get(headKey(account, origin)), HEADS)) ||
    null;
}

export async function saveHead(account, head) {
  await withStore("readwrite", (store) => store.put(head, headKey(account, head.origin)), HEADS);
}

async function nodeHash(left, right) {
  const data = concat(Uint8Array.of(1), left, right);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

const sameBytes = (a, b) => a.length === b.length && a.every((byte, i) => byte === b[i]);
const half = (n) => Math.floor(n / 2);

// RFC 9162 section 2.1.4.2: is the tree of `first` leaves with root `firstRoot` a prefix of the
// tree of `second` leaves with root `secondRoot`, by `proof` (Uint8Array hashes)?
export async function consistent(first, second, firstRoot, secondRoot, proof) {
  if (first < 1 || first > second) return false;
  if (first === second) return proof.length === 0 && sameBytes(firstRoot, secondRoot);
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameBytes(fr, firstRoot) && sameBytes(sr, secondRoot);
}

export const fromBase64Text = fromBase64;
