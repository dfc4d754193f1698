// Verify a record entry in the browser: recompute its leaf hash and, from its inclusion proof,
// the Merkle root (RFC 9162), then compare with the signed checkpoint's root. The checkpoint's
// Ed25519 signature is checked too where the browser's Web Crypto supports Ed25519.
// No libraries: everything below is Web Crypto SHA-256 and a few lines of arithmetic.
(function () {
  "use strict";

  function fromBase64(text) {
    const raw = atob(text);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function concat() {
    let length = 0;
    for (const part of arguments) length += part.length;
    const out = new Uint8Array(length);
    let offset = 0;
    for (const part of arguments) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  function equal(a, b) {
    if (a.length !== b.length) return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
    return diff === 0;
  }

  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }

  const leafHash = (entry) => sha256(concat(Uint8Array.of(0), entry));
  const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

  // RFC 9162 section 2.1.3.2, with BigInt so logs beyond 2^32 entries still work.
  async function rootFromInclusion(index, size, leaf, proof) {
    if (index < 0n || index >= size) throw new Error("the index is outside the tree");
    let fn = index;
    let sn = size - 1n;
    let r = leaf;
    for (const p of proof) {
      if (sn === 0n) throw new Error("the proof is too long");
      if ((fn & 1n) === 1n || fn === sn) {
        r = await nodeHash(p, r);
        if ((fn & 1n) === 0n) {
          while (fn !== 0n && (fn & 1n) === 0n) {
            fn >>= 1n;
            sn >>= 1n;
          }
        }
      } else {
        r = await nodeHash(r, p);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    if (sn !== 0n) throw new Error("the proof is too short");
    return r;
  }

  function parseCheckpoint(text) {
    const split = text.indexOf("\n\n");
    if (split < 0) throw new Error("the checkpoint is not a signed note");
    const body = text.slice(0, split + 1);
    const lines = body.split("\n");
    return {
      body: body,
      origin: lines[0],
      size: BigInt(lines[1]),
      root: fromBase64(lines[2]),
      signatures: text.slice(split + 2).split("\n").filter((line) => line.startsWith("\u2014 ")),
    };
  }

  // Returns true (valid), false (invalid) or null (this browser cannot check Ed25519).
  async function checkSignature(checkpoint, vkey) {
    const parts = vkey.split("+");
    if (parts.length < 3) return false;
    const name = parts[0];
    const keyId = parts[1].toLowerCase();
    const raw = fromBase64(parts.slice(2).join("+"));
    if (raw.length !== 33 || raw[0] !== 1 || name !== checkpoint.origin) return false;
    let key;
    try {
      key = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
    } catch (error) {
      return null;
    }
    for (const line of checkpoint.signatures) {
      const rest = line.slice(2);
      const space = rest.indexOf(" ");
      if (rest.slice(0, space) !== name) continue;
      const signature = fromBase64(rest.slice(space + 1));
      if (hex(signature.slice(0, 4)) !== keyId || signature.length !== 68) continue;
      const message = new TextEncoder().encode(checkpoint.body);
      return crypto.subtle.verify({ name: "Ed25519" }, key, signature.slice(4), message);
    }
    return false;
  }

  async function verify(box, say) {
    const entry = fromBase64(box.dataset.entry);
    const index = BigInt(box.dataset.index);
    const size = BigInt(box.dataset.size);
    const proof = box.dataset.proof ? box.dataset.proof.split(" ").map(fromBase64) : [];
    const checkpoint = parseCheckpoint(document.getElementById("checkpoint-note").textContent);
    if (checkpoint.size !== size || !equal(checkpoint.root, fromBase64(box.dataset.root))) {
      return say(false, "The page's checkpoint does not match the proof's tree size or root.");
    }
    const root = await rootFromInclusion(index, size, await leafHash(entry), proof);
    if (!equal(root, checkpoint.root)) {
      return say(false, "The entry and its proof do not lead to the checkpoint's root: the record does not contain this entry as shown.");
    }
    const signed = await checkSignature(checkpoint, box.dataset.vkey);
    if (signed === false) {
      return say(false, "The root matches, but the checkpoint's signature by the federation's key does not verify.");
    }
    const tail = signed === null
      ? " Your browser cannot check Ed25519 signatures; use `councils verify` for that."
      : " The federation's signature on the checkpoint is valid.";
    return say(true, "Verified: this entry, hashed in your browser, is entry " + index + " of the " + size +
      "-entry record whose root is " + hex(root).slice(0, 16) + "…." + tail);
  }

  function start() {
    const box = document.getElementById("verify-entry");
    const button = document.getElementById("verify-button");
    const result = document.getElementById("verify-result");
    if (!box || !button || !result) return;
    const say = (ok, message) => {
      result.textContent = message;
      result.className = ok ? "ok" : "error";
      return ok;
    };
    button.addEventListener("click", () => {
      if (!window.crypto || !crypto.subtle) {
        say(false, "This browser has no Web Crypto (it needs HTTPS or localhost).");
        return;
      }
      result.textContent = "Checking…";
      verify(box, say).catch((error) => say(false, "Verification failed: " + error.message));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
