// The pure-JS comparison path: what a JavaScript verifier without the WASM
// module would at least have to do for the accepting vectors — parse each
// document, build M(D) = utf8(type) || 0x00 || JCS(D minus signature members)
// with the `canonicalize` npm package, check key ids with node:crypto
// SHA-256, and verify every Ed25519 signature the Rust verifier checks
// (trust-root chain, delegation, attestation, bundle manifest) with
// @noble/curves. It does less than the WASM path: no strict member
// validation, no secp256k1/EIP-712 recovery, no bundle file or output hashing,
// no report. @noble/curves is called with zip215: false (RFC 8032 checks;
// dalek verify_strict additionally rejects small-order keys and R).
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ed25519 } from '@noble/curves/ed25519.js';

const enc = new TextEncoder();
const SIGNATURE_MEMBERS = new Set(['signature', 'signatures', 'onchainSignature']);

function hexToBytes(h) {
  return Uint8Array.from(Buffer.from(h, 'hex'));
}

function b64ToBytes(s) {
  return Uint8Array.from(Buffer.from(s, 'base64'));
}

/** M(D) (formats.md §0). */
export function signingMessage(doc) {
  const stripped = {};
  for (const k of Object.keys(doc)) if (!SIGNATURE_MEMBERS.has(k)) stripped[k] = doc[k];
  const type = enc.encode(doc.type);
  const body = enc.encode(canonicalize(stripped));
  const m = new Uint8Array(type.length + 1 + body.length);
  m.set(type, 0);
  m.set(body, type.length + 1);
  return m;
}

function keyIdOf(publicKeyHex) {
  return createHash('sha256').update(Buffer.from(publicKeyHex, 'hex')).digest('hex');
}

function ed25519Key(root, keyId) {
  const k = root.keys.find((x) => x.keyId === keyId);
  if (!k || k.algorithm !== 'ed25519' || k.revoked) return null;
  if (keyIdOf(k.publicKey) !== keyId) return null;
  return k;
}

function verifySig(signatureB64, message, publicKeyHex) {
  return ed25519.verify(b64ToBytes(signatureB64), message, hexToBytes(publicKeyHex), { zip215: false });
}

/** Returns true when every signature of the vector's documents verifies. */
export function pureVerify(document, options) {
  const pinned = new Set(options.rootKeys);
  let prev = null;
  for (const text of options.trustRoots) {
    const root = JSON.parse(text);
    const msg = signingMessage(root);
    let count = 0;
    for (const s of root.signatures) {
      const k = ed25519Key(root, s.keyId) || (prev && ed25519Key(prev, s.keyId));
      if (!k || !k.roles.includes('root')) continue;
      if (prev === null && !pinned.has(k.publicKey)) continue;
      if (verifySig(s.signature, msg, k.publicKey)) count++;
    }
    if (count < root.rootThreshold) return false;
    prev = root;
  }
  if (!prev) return false;
  const att = JSON.parse(document);
  let signerKey;
  if (att.delegation) {
    const d = att.delegation;
    const master = ed25519Key(prev, d.masterKeyId);
    if (!master || !verifySig(d.signature, signingMessage(d), master.publicKey)) return false;
    if (keyIdOf(d.ephemeralPublicKey) !== att.signerKeyId) return false;
    signerKey = d.ephemeralPublicKey;
  } else {
    const k = ed25519Key(prev, att.signerKeyId);
    if (!k) return false;
    signerKey = k.publicKey;
  }
  if (!verifySig(att.signature, signingMessage(att), signerKey)) return false;
  if (options.bundleManifest !== undefined) {
    const text = typeof options.bundleManifest === 'string' ? options.bundleManifest : Buffer.from(options.bundleManifest).toString('utf8');
    const m = JSON.parse(text);
    const k = ed25519Key(prev, m.signerKeyId);
    if (!k || !verifySig(m.signature, signingMessage(m), k.publicKey)) return false;
    if (m.signature !== att.manifestSignature) return false;
  }
  return true;
}
