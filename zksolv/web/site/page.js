// The published page's script (issue 13 items 3–4): the "Check my account" form, and the
// automation contract window.zksolv.verifyInclusion (set by ../js/browser.js). Built into
// zksolv-page.js, one classic script, by zksolv/web/bundle/build.mjs: Chromium runs no ES
// module from file://. Everything shown is set with textContent, never as markup.
import '../js/browser.js';

const PROOF_MAX_BYTES = 1 << 20;

/** The rounds embedded by `zksolv publish`, oldest first: {digest, id, timestamp, text,
 * signature} (signature: the exchange's exchange-signature.json of a version-2 round). */
function rounds() {
  const signatures = new Map([...document.querySelectorAll('script.zksolv-signature')]
    .map((node) => [node.dataset.digest, node.textContent]));
  return [...document.querySelectorAll('script.zksolv-manifest')].map((node) => ({
    digest: node.dataset.digest, id: node.dataset.round, timestamp: node.dataset.timestamp, text: node.textContent,
    signature: signatures.get(node.dataset.digest),
  }));
}

/** The round a proof names (by manifest digest) if it is one published here, else the latest. */
function roundFor(proofText, all) {
  let named = null;
  try {
    const doc = JSON.parse(proofText);
    named = doc && typeof doc.manifest === 'string' ? doc.manifest : null;
  } catch {
    named = null;   // the verifier reports what is wrong with it
  }
  return all.find((r) => r.digest === named) || all[all.length - 1];
}

function balancesEntered() {
  const balances = {};
  let any = false;
  for (const input of document.querySelectorAll('input.balance')) {
    const value = input.value.trim();
    if (value !== '') {
      balances[input.dataset.asset] = value;
      any = true;
    }
  }
  return any ? balances : undefined;
}

function line(tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}

function assetLines(result) {
  const list = document.createElement('ul');
  for (const [asset, item] of Object.entries(result.assets || {})) {
    const amount = item.debt ? `a debt of ${String(item.balance).replace(/^-/, '')}` : item.balance;
    const text = item.valid ? `${asset}: ${amount} — ✓ VALID, counted in this round`
      : `${asset}: ✗ INVALID — ${item.reason}`;
    list.append(line('li', text, item.valid ? 'ok' : 'bad'));
  }
  for (const asset of result.notCovered || []) {
    list.append(line('li', `${asset}: not covered by this proof (no balance of yours is shown there)`));
  }
  if (result.valid && result.margin) {
    const scenarios = (result.margin.collateralized || []).join(', ') || 'none';
    list.append(line('li', `Margin account: proven collateralized in the scenarios ${scenarios} (base: the `
      + `round's prices)${result.margin.provenBy ? ` — ${result.margin.provenBy}` : ''}`));
  }
  if (result.valid && result.signedBy) list.append(line('li', `Round signed by the exchange ${result.signedBy}`));
  return list;
}

function show(result, round, latest) {
  const box = document.getElementById('result');
  box.dataset.valid = result.valid ? 'true' : 'false';
  const verdict = result.valid
    ? `✓ VALID — your balances are counted in round ${round.id} (${round.timestamp})`
    : `✗ INVALID — ${result.reason}`;
  const parts = [line('p', verdict, 'verdict'), assetLines(result)];
  if (round !== latest) {
    parts.push(line('p', `This proof is for an earlier round published here (${round.id}); the latest is `
      + `${latest.id} (${latest.timestamp}): ask the exchange for your proof of it.`, 'note'));
  }
  box.replaceChildren(...parts);
}

async function verify() {
  const all = rounds();
  const proofText = document.getElementById('proof').value;
  const userId = document.getElementById('user').value.trim() || undefined;
  const round = roundFor(proofText, all);
  const box = document.getElementById('result');
  box.dataset.valid = '';
  box.replaceChildren(line('p', 'Checking…'));
  const options = { userId, balances: balancesEntered(), exchangeSignature: round.signature };
  let result;
  try {
    result = await globalThis.zksolv.verifyInclusion(proofText, round.text, options);
  } catch (error) {   // the verifier never rejects; if it ever did, say so rather than nothing
    result = { valid: false, reason: `internal error (a bug, please report): ${error}`, assets: {} };
  }
  show(result, round, all[all.length - 1]);
}

async function load(file) {
  if (!file) return;
  if (file.size > PROOF_MAX_BYTES) {
    show({ valid: false, reason: `${file.name} is larger than an inclusion proof may be (1 MiB)`, assets: {} },
      rounds().at(-1), rounds().at(-1));
    return;
  }
  document.getElementById('proof').value = await file.text();
}

function dropTarget(node) {
  node.addEventListener('dragover', (event) => { event.preventDefault(); node.classList.add('over'); });
  node.addEventListener('dragleave', () => node.classList.remove('over'));
  node.addEventListener('drop', (event) => {
    event.preventDefault();
    node.classList.remove('over');
    load(event.dataTransfer.files[0]);
  });
}

function start() {
  document.getElementById('verify').addEventListener('click', () => { verify(); });
  document.getElementById('file').addEventListener('change', (event) => load(event.target.files[0]));
  dropTarget(document.getElementById('proof'));
  dropTarget(document.getElementById('drop'));
  document.documentElement.dataset.ready = 'true';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
