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

/** The manifest digest a proof names, or null (the verifier reports what is wrong with it). */
function namedDigest(proofText) {
  try {
    const doc = JSON.parse(proofText);
    return doc && typeof doc.manifest === 'string' ? doc.manifest : null;
  } catch {
    return null;
  }
}

/** The round a proof names if it is one published here, else the latest. */
function roundFor(proofText, all) {
  const named = namedDigest(proofText);
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

function amountOf(item) {
  return item.debt ? `a debt of ${String(item.balance).replace(/^-/, '')}` : item.balance;
}

function assetLines(result) {
  const list = document.createElement('ul');
  for (const [asset, item] of Object.entries(result.assets || {})) {
    const amount = amountOf(item);
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

function checking() {
  const box = document.getElementById('result');
  box.dataset.valid = '';
  box.replaceChildren(line('p', 'Checking…'));
}

async function checkIn(round, proofText, userId, balances) {
  try {
    return await globalThis.zksolv.verifyInclusion(proofText, round.text,
      { userId, balances, exchangeSignature: round.signature });
  } catch (error) {   // the verifier never rejects; if it ever did, say so rather than nothing
    return { valid: false, reason: `internal error (a bug, please report): ${error}`, assets: {} };
  }
}

async function verify() {
  const all = rounds();
  const proofText = document.getElementById('proof').value;
  const userId = document.getElementById('user').value.trim() || undefined;
  const round = roundFor(proofText, all);
  checking();
  show(await checkIn(round, proofText, userId, balancesEntered()), round, all[all.length - 1]);
}

/** Proofs (name, text) paired with the published rounds they name: {given: Map digest → proof, problems}. */
function paired(proofs, all) {
  const given = new Map();
  const problems = [];
  for (const { name, text } of proofs) {
    const round = text === null ? null : all.find((r) => r.digest === namedDigest(text));
    if (text === null) problems.push(`${name}: larger than an inclusion proof may be (1 MiB)`);
    else if (!round) problems.push(`${name}: not a proof of any round published here`);
    else if (given.has(round.digest)) problems.push(`${name}: a second proof of round ${round.id}`);
    else given.set(round.digest, { name, text });
  }
  return { given, problems };
}

/** Several proofs, one per round published here, oldest first: each checked in the round it
 * names, all for one customer (the user typed, else the one the oldest valid proof names). */
async function verifyRounds(files) {
  const all = rounds();
  checking();
  const proofs = await Promise.all(files.map(async (f) => ({ name: f.name, text: f.size > PROOF_MAX_BYTES ? null : await f.text() })));
  const { given, problems } = paired(proofs, all);
  let userId = document.getElementById('user').value.trim() || undefined;
  const rows = [];
  for (const round of all) {
    const proof = given.get(round.digest);
    const result = proof ? await checkIn(round, proof.text, userId, undefined) : null;
    if (result && result.valid && userId === undefined) userId = result.userId;
    rows.push({ round, result });
  }
  showRounds(rows, problems, userId);
}

function roundLine({ round, result }) {
  const where = `Round ${round.id} (${round.timestamp}): `;
  if (!result) return line('li', `${where}no proof given`);
  if (!result.valid) return line('li', `${where}✗ INVALID — ${result.reason}`, 'bad');
  const amounts = Object.entries(result.assets || {}).map(([a, item]) => `${a} ${amountOf(item)}`).join('; ');
  return line('li', `${where}✓ VALID — ${amounts}`, 'ok');
}

function showRounds(rows, problems, userId) {
  const checked = rows.filter((r) => r.result);
  const bad = checked.find((r) => !r.result.valid);
  const valid = problems.length === 0 && checked.length > 0 && !bad;
  const verdict = valid ? `✓ VALID in each of the ${checked.length} rounds given — balances of ${userId}, oldest first`
    : `✗ INVALID — ${problems[0] || (bad ? `round ${bad.round.id}: ${bad.result.reason}` : 'no proof given')}`;
  const list = document.createElement('ul');
  list.append(...rows.map(roundLine), ...problems.map((p) => line('li', `✗ ${p}`, 'bad')));
  const box = document.getElementById('result');
  box.dataset.valid = valid ? 'true' : 'false';
  box.replaceChildren(line('p', verdict, 'verdict'), list);
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
    const files = [...event.dataTransfer.files];
    if (files.length > 1) verifyRounds(files);
    else load(files[0]);
  });
}

function start() {
  document.getElementById('verify').addEventListener('click', () => { verify(); });
  document.getElementById('file').addEventListener('change', (event) => load(event.target.files[0]));
  const several = document.getElementById('files');
  if (several) several.addEventListener('change', (event) => verifyRounds([...event.target.files]));
  dropTarget(document.getElementById('proof'));
  dropTarget(document.getElementById('drop'));
  document.documentElement.dataset.ready = 'true';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
