// The verify page: collects the inputs, calls the WASM verifier, shows the
// report. No framework; every document-derived string goes through
// textContent (never innerHTML).
import init, { verifyAttestation, inspect, version } from '../pkg/web/attest_verifier_wasm.js';

const $ = (id) => document.getElementById(id);
const state = { output: null, bundleFiles: null };
const utf8 = new TextDecoder('utf-8');

async function readText(file) {
  return utf8.decode(await file.arrayBuffer());
}

async function readBytes(file) {
  return new Uint8Array(await file.arrayBuffer());
}

// Dropping a file on a textarea loads its text.
function dropText(textarea) {
  textarea.addEventListener('dragover', (e) => { e.preventDefault(); textarea.classList.add('dragover'); });
  textarea.addEventListener('dragleave', () => textarea.classList.remove('dragover'));
  textarea.addEventListener('drop', async (e) => {
    textarea.classList.remove('dragover');
    const file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    if (!file) return; // plain text drops keep the browser's default
    e.preventDefault();
    textarea.value = await readText(file);
  });
}

// A file input that fills a textarea.
function fileToText(inputId, textareaId) {
  $(inputId).addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (file) $(textareaId).value = await readText(file);
  });
}

// Trust roots: one textarea each, oldest first.
function renumberTrustRoots() {
  [...$('trust-roots').children].forEach((row, i) => {
    row.querySelector('span').textContent = `#${i}`;
    row.querySelector('textarea').id = `trust-root-${i}`;
  });
}

function addTrustRoot(text = '') {
  const row = document.createElement('div');
  row.className = 'trust-root';
  const n = document.createElement('span');
  const ta = document.createElement('textarea');
  ta.className = 'drop trust-root-text';
  ta.rows = 4;
  ta.spellcheck = false;
  ta.placeholder = '{"type": "attest.trust-root.v1", …}';
  ta.value = text;
  dropText(ta);
  const rm = document.createElement('button');
  rm.type = 'button';
  rm.textContent = '×';
  rm.title = 'remove this trust root';
  rm.addEventListener('click', () => {
    row.remove();
    if ($('trust-roots').children.length === 0) addTrustRoot();
    renumberTrustRoots();
  });
  row.append(n, ta, rm);
  $('trust-roots').append(row);
  renumberTrustRoots();
  return ta;
}

async function addTrustRootFiles(files) {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const f of sorted) {
    const text = await readText(f);
    const empty = [...document.querySelectorAll('.trust-root-text')].find((t) => t.value.trim() === '');
    if (empty) empty.value = text;
    else addTrustRoot(text);
  }
}

// Bundle directory: path (relative to the directory) → bytes.
async function setBundle(entries) {
  const files = {};
  let manifest = null;
  for (const [path, file] of entries) {
    if (path === 'manifest.json') manifest = file;
    files[path] = await readBytes(file);
  }
  state.bundleFiles = files;
  if (manifest && $('bundle-manifest').value.trim() === '') $('bundle-manifest').value = await readText(manifest);
  const n = Object.keys(files).length;
  $('bundle-info').textContent = `${n} file${n === 1 ? '' : 's'} loaded: ${Object.keys(files).sort().join(', ')}`;
}

function stripFirst(path) {
  const i = path.indexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

async function walkEntry(entry, prefix, out) {
  if (entry.isFile) {
    const file = await new Promise((ok, fail) => entry.file(ok, fail));
    out.push([prefix + entry.name, file]);
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
      if (batch.length === 0) break;
      for (const e of batch) await walkEntry(e, `${prefix}${entry.name}/`, out);
    }
  }
}

function render(report) {
  $('error').hidden = true;
  const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.id);
  const verdict = $('verdict');
  verdict.className = report.valid ? 'valid' : 'invalid';
  verdict.textContent = report.valid
    ? 'VALID'
    : failed.length ? `INVALID: ${failed.join(', ')} failed` : 'INVALID: a required check did not run';
  $('doc-info').textContent = `${report.type}${report.digest ? ` · digest ${report.digest}` : ''}`;
  const body = $('checks').querySelector('tbody');
  body.replaceChildren();
  for (const c of report.checks) {
    const tr = document.createElement('tr');
    tr.className = c.status;
    tr.dataset.id = c.id;
    tr.dataset.status = c.status;
    const id = document.createElement('td');
    id.className = 'id';
    id.textContent = c.id;
    const st = document.createElement('td');
    const badge = document.createElement('span');
    badge.className = `status ${c.status}`;
    badge.textContent = c.status.toUpperCase();
    st.append(badge);
    const detail = document.createElement('td');
    detail.className = 'detail';
    detail.textContent = c.detail;
    const reason = document.createElement('td');
    reason.className = 'reason';
    reason.textContent = c.reason || '';
    tr.append(id, st, detail, reason);
    body.append(tr);
  }
  $('result').hidden = false;
  $('result').dataset.valid = String(report.valid);
}

function showError(e) {
  $('result').hidden = true;
  const box = $('error');
  box.textContent = `${e && e.code ? e.code + ': ' : ''}${e && e.message ? e.message : e}`;
  box.hidden = false;
}

function options() {
  const o = {
    trustRoots: [...document.querySelectorAll('.trust-root-text')].map((t) => t.value).filter((t) => t.trim() !== ''),
    rootKeys: $('root-keys').value.trim() === '' ? [] : [$('root-keys').value],
  };
  const now = $('now').value.trim();
  if (now) o.now = now;
  const min = $('min-version').value.trim();
  if (min !== '') o.minTrustRootVersion = Number(min);
  if ($('signals').value.trim() !== '') o.signals = $('signals').value;
  if (state.output) o.output = state.output;
  if ($('network').value !== '') o.network = $('network').value;
  const hosts = $('allow-hosts').value.split(/[\s,]+/).filter(Boolean);
  if (hosts.length) o.allowHosts = hosts;
  if ($('bundle-manifest').value.trim() !== '') {
    o.bundleManifest = $('bundle-manifest').value;
    if (state.bundleFiles) o.bundleFiles = state.bundleFiles;
  }
  return o;
}

function verify() {
  $('inspect-out').hidden = true;
  try {
    render(verifyAttestation($('attestation').value, options()));
  } catch (e) {
    showError(e);
  }
}

function wire() {
  for (const t of document.querySelectorAll('textarea.drop')) dropText(t);
  fileToText('attestation-file', 'attestation');
  fileToText('root-keys-file', 'root-keys');
  fileToText('signals-file', 'signals');
  fileToText('network-file', 'network');
  fileToText('bundle-manifest-file', 'bundle-manifest');
  $('add-trust-root').addEventListener('click', () => addTrustRoot().focus());
  $('trust-root-files').addEventListener('change', (e) => addTrustRootFiles(e.target.files));
  const roots = $('trust-roots');
  roots.addEventListener('dragover', (e) => e.preventDefault());
  roots.addEventListener('drop', (e) => {
    if (e.target.tagName === 'TEXTAREA' || !e.dataTransfer.files.length) return;
    e.preventDefault();
    addTrustRootFiles(e.dataTransfer.files);
  });
  $('output-file').addEventListener('change', async (e) => {
    const f = e.target.files[0];
    state.output = f ? await readBytes(f) : null;
    $('output-info').textContent = f ? `${f.name}: ${state.output.length} bytes` : '';
  });
  $('bundle-dir').addEventListener('change', (e) => {
    const files = [...e.target.files].map((f) => [stripFirst(f.webkitRelativePath || f.name), f]);
    setBundle(files);
  });
  const zone = $('bundle-drop');
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('dragover'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragover'));
  zone.addEventListener('drop', async (e) => {
    e.preventDefault();
    zone.classList.remove('dragover');
    const out = [];
    for (const item of [...e.dataTransfer.items]) {
      const entry = item.webkitGetAsEntry && item.webkitGetAsEntry();
      if (entry) await walkEntry(entry, '', out);
    }
    // A dropped directory: paths are relative to it.
    const oneDir = out.length && out.every(([p]) => p.includes('/')) &&
      new Set(out.map(([p]) => p.split('/')[0])).size === 1;
    setBundle(oneDir ? out.map(([p, f]) => [stripFirst(p), f]) : out);
  });
  $('form').addEventListener('submit', (e) => { e.preventDefault(); verify(); });
  $('inspect').addEventListener('click', () => {
    try {
      const out = inspect($('attestation').value);
      $('result').hidden = true;
      $('error').hidden = true;
      $('inspect-out').textContent = JSON.stringify(out.decoded, null, 2);
      $('inspect-out').hidden = false;
    } catch (e) {
      showError(e);
    }
  });
  $('form').addEventListener('reset', () => {
    state.output = null;
    state.bundleFiles = null;
    $('output-info').textContent = '';
    $('bundle-info').textContent = '';
    $('trust-roots').replaceChildren();
    addTrustRoot();
    for (const id of ['result', 'error', 'inspect-out']) $(id).hidden = true;
  });
}

wire();
addTrustRoot();
init().then(() => {
  $('module-version').textContent = `(verifier ${version()})`;
  document.body.dataset.ready = 'true';
}, (e) => showError(e));
