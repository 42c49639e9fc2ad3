#!/usr/bin/env node
// Rebuild (or check) zksolv's vendored copy of @noble/curves and @noble/hashes.
//
//   node zksolv/web/vendor/rebuild.mjs          fetch, verify, write the files and VENDORED.json
//   node zksolv/web/vendor/rebuild.mjs --check  fetch, verify, and compare with what is on disk
//                                               (exit 1 on any difference; writes nothing)
//
// Each package is fetched as its registry tarball at the exact version pinned below and
// checked against the registry's `integrity` (sha512) recorded here, so a tarball that
// changed after pinning is refused. Only the files the verifier imports (the static import
// closure of ENTRY_POINTS) and the licences are kept. The one transform: the bare specifier
// '@noble/hashes/X.js' in an import or export line becomes a relative path into
// noble-hashes/, so the modules load in a browser without an import map or a bundler.
// VENDORED.json records the versions, integrities and the SHA-256 of every written file;
// tests/test_js_verifier.py checks the files against it offline.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const HERE = dirname(fileURLToPath(import.meta.url));
const REGISTRY = 'https://registry.npmjs.org';

const PACKAGES = [
  {
    name: '@noble/hashes', version: '2.4.0', dir: 'noble-hashes',
    integrity: 'sha512-X5XaVWZIBCT7HHZGm5I7ZQXDwLG+bGXuSrMQAW+7Zvl87h1kmc1ZB1VSRJcpUfoUrGQp4Fkoxm5kZ+Ms+aW+eA==',
  },
  {
    name: '@noble/curves', version: '2.4.0', dir: 'noble-curves',
    integrity: 'sha512-P4/62zrgfH33CneE3Dn4WhJVA22YUU0eR51wKIan4NVRvwsA0YnPTwWGpNbpuacSujmSFLvyzpyuR30+fbq2Ew==',
  },
];

// What zksolv/web/js imports from the vendored packages.
const ENTRY_POINTS = [
  'noble-curves/secp256k1.js', 'noble-curves/abstract/hash-to-curve.js',
  'noble-curves/abstract/modular.js', 'noble-curves/utils.js',
  'noble-hashes/sha2.js', 'noble-hashes/hmac.js', 'noble-hashes/utils.js', 'noble-hashes/sha3.js',
];
const KEPT_ALWAYS = ['LICENSE', 'package.json'];

function fail(message) {
  process.stderr.write(`rebuild: error: ${message}\n`);
  process.exit(1);
}

async function fetchTarball(pkg) {
  const base = pkg.name.split('/')[1];
  const url = `${REGISTRY}/${pkg.name}/-/${base}-${pkg.version}.tgz`;
  const response = await fetch(url);
  if (!response.ok) fail(`${url}: HTTP ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const got = 'sha512-' + createHash('sha512').update(bytes).digest('base64');
  if (got !== pkg.integrity) fail(`${url}: integrity ${got}, pinned ${pkg.integrity}`);
  return bytes;
}

// A ustar reader for npm tarballs: regular files only, names under "package/".
function untar(gzipped) {
  const tar = gunzipSync(gzipped);
  const files = new Map();
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start, len) => header.subarray(start, start + len).toString('latin1').replace(/\0.*$/s, '');
    const name = (field(345, 155) ? field(345, 155) + '/' : '') + field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    if ((type === '0' || type === '') && name.startsWith('package/')) {
      files.set(name.slice('package/'.length), tar.subarray(off + 512, off + 512 + size));
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

// Import and export-from statements on one line each (a statement spread over lines is refused
// by importsOf, so none is missed).
const SPECIFIER = /^((?:import|export)\b[^'"\n]*\bfrom\s+|import\s+)(['"])([^'"\n]+)\2/gm;
const STATEMENT = /^(?:import\b|export\s*(?:\{[^}]*\}|\*(?:\s+as\s+\w+)?)\s*from\b)/gm;

function rewriteHashesImports(path, text) {
  return text.replace(SPECIFIER, (whole, head, quote, spec) => {
    if (!spec.startsWith('@noble/hashes/')) return whole;
    const target = 'noble-hashes/' + spec.slice('@noble/hashes/'.length);
    let rel = posix.relative(posix.dirname(path), target);
    if (!rel.startsWith('.')) rel = './' + rel;
    return `${head}${quote}${rel}${quote}`;
  });
}

function importsOf(path, text) {
  const found = [];
  const statements = (text.match(STATEMENT) || []).length;
  if (statements !== [...text.matchAll(SPECIFIER)].length) fail(`${path}: an import not on one line`);
  for (const [, , , spec] of text.matchAll(SPECIFIER)) {
    if (!spec.startsWith('.')) fail(`${path}: unexpected import ${spec}`);
    found.push(posix.normalize(posix.join(posix.dirname(path), spec)));
  }
  return found;
}

async function buildOutputs() {
  const available = new Map();
  for (const pkg of PACKAGES) {
    for (const [name, bytes] of untar(await fetchTarball(pkg))) available.set(`${pkg.dir}/${name}`, bytes);
  }
  const outputs = new Map();
  const todo = [...ENTRY_POINTS];
  while (todo.length) {
    const path = todo.pop();
    if (outputs.has(path)) continue;
    if (!available.has(path)) fail(`${path}: not in the tarballs`);
    const text = rewriteHashesImports(path, available.get(path).toString('utf8'));
    outputs.set(path, Buffer.from(text, 'utf8'));
    todo.push(...importsOf(path, text));
  }
  for (const pkg of PACKAGES) {
    for (const name of KEPT_ALWAYS) outputs.set(`${pkg.dir}/${name}`, available.get(`${pkg.dir}/${name}`));
  }
  return new Map([...outputs].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function record(outputs) {
  const files = {};
  for (const [path, bytes] of outputs) files[path] = createHash('sha256').update(bytes).digest('hex');
  const packages = PACKAGES.map(({ name, version, integrity, dir }) => ({ name, version, integrity, dir }));
  return Buffer.from(JSON.stringify({ packages, files }, null, 2) + '\n', 'utf8');
}

async function listVendored() {
  const found = [];
  for (const pkg of PACKAGES) {
    const walk = async (dir) => {
      for (const entry of await readdir(join(HERE, dir), { withFileTypes: true })) {
        const path = posix.join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else found.push(path);
      }
    };
    await walk(pkg.dir).catch(() => {});
  }
  return found.sort();
}

async function check(outputs) {
  const expected = new Map(outputs);
  expected.set('VENDORED.json', record(outputs));
  const problems = [];
  const onDisk = await listVendored();
  for (const path of onDisk) if (!expected.has(path)) problems.push(`${path}: on disk, not in the rebuild`);
  for (const [path, bytes] of expected) {
    const disk = await readFile(join(HERE, path)).catch(() => null);
    if (disk === null) problems.push(`${path}: missing on disk`);
    else if (!disk.equals(bytes)) problems.push(`${path}: differs from the rebuild`);
  }
  if (problems.length) fail(problems.join('; '));
  process.stdout.write(`rebuild: ${outputs.size} vendored files match the registry tarballs\n`);
}

async function write(outputs) {
  for (const pkg of PACKAGES) await rm(join(HERE, pkg.dir), { recursive: true, force: true });
  for (const [path, bytes] of outputs) {
    await mkdir(dirname(join(HERE, path)), { recursive: true });
    await writeFile(join(HERE, path), bytes);
  }
  await writeFile(join(HERE, 'VENDORED.json'), record(outputs));
  process.stdout.write(`rebuild: wrote ${outputs.size} files under ${relative(process.cwd(), HERE) || '.'}\n`);
}

const args = process.argv.slice(2);
if (args.length > 1 || (args.length === 1 && args[0] !== '--check')) fail('usage: rebuild.mjs [--check]');
const outputs = await buildOutputs();
await (args[0] === '--check' ? check(outputs) : write(outputs));
