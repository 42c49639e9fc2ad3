#!/usr/bin/env node
// Build (or check) zksolv/web/site/zksolv-page.js: the published page's script as ONE
// classic script, minified (issue 13). Chromium refuses ES module scripts from file://, so
// the page cannot import zksolv/web/js/ as it is.
//
//   node zksolv/web/bundle/build.mjs            # rebuild: zksolv-page.js and BUNDLE.json
//   node zksolv/web/bundle/build.mjs --check    # rebuild in memory, compare (exit 1 if different)
//
// The bundler is esbuild-wasm at the exact version of package-lock.json beside this file: one
// package, no dependencies, no install script, the same WebAssembly build on every platform,
// so the same inputs give the same bytes anywhere. It is installed by `npm ci --ignore-scripts`
// (which checks the lock's sha512 integrity) into .bundle-tools/ at the top of the repository
// ($ZKSOLV_BUNDLE_TOOLS to choose), outside the package: nothing of it is shipped.
// BUNDLE.json records the SHA-256 of every input and of the output, for the offline test
// tests/test_publish_bundle.py (a bundle older than its sources fails it).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const WEB = join(HERE, '..');
const ENTRY = join(WEB, 'site', 'page.js');
const OUT = join(WEB, 'site', 'zksolv-page.js');
const RECORD = join(WEB, 'site', 'BUNDLE.json');

const TOOLS = process.env.ZKSOLV_BUNDLE_TOOLS || join(WEB, '..', '..', '.bundle-tools');
const pinned = JSON.parse(await readFile(join(HERE, 'package-lock.json'), 'utf8')).packages['node_modules/esbuild-wasm'];

/** The pinned esbuild-wasm, installed into TOOLS by `npm ci` from the lock file when missing or other. */
async function bundlerInstalled() {
  const manifest = join(TOOLS, 'node_modules', 'esbuild-wasm', 'package.json');
  const installed = await readFile(manifest, 'utf8').then((t) => JSON.parse(t).version, () => null);
  if (installed !== pinned.version) {
    await mkdir(TOOLS, { recursive: true });
    for (const name of ['package.json', 'package-lock.json']) await copyFile(join(HERE, name), join(TOOLS, name));
    execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: TOOLS, stdio: 'inherit' });
  }
  const version = JSON.parse(await readFile(manifest, 'utf8')).version;
  if (version !== pinned.version) throw new Error(`esbuild-wasm ${version} installed, ${pinned.version} pinned`);
  return { esbuild: createRequire(join(TOOLS, 'package.json'))('esbuild-wasm'), version };
}

const { esbuild, version: bundlerVersion } = await bundlerInstalled();

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const BANNER = '/*! zksolv published page (zksolv/web/site/page.js, zksolv/web/js/), with @noble/curves and '
  + '@noble/hashes (MIT licence, (c) Paul Miller): see THIRD-PARTY-LICENSES.txt beside this file */';

const result = await esbuild.build({
  entryPoints: [ENTRY], bundle: true, format: 'iife', platform: 'browser', target: 'es2020',
  minify: true, legalComments: 'none', charset: 'ascii', banner: { js: BANNER },
  absWorkingDir: WEB, metafile: true, write: false, logLevel: 'silent',
});
const output = Buffer.from(result.outputFiles[0].contents);
const inputs = {};
for (const path of Object.keys(result.metafile.inputs).sort()) {
  inputs[path] = sha256(await readFile(join(WEB, path)));
}
const record = JSON.stringify({
  bundler: { name: 'esbuild-wasm', version: bundlerVersion, integrity: pinned.integrity },
  output: { file: relative(WEB, OUT), bytes: output.length, sha256: sha256(output) }, inputs,
}, null, 1) + '\n';

if (process.argv.includes('--check')) {
  const [was, wasRecord] = [await readFile(OUT), await readFile(RECORD, 'utf8')];
  if (!was.equals(output) || wasRecord !== record) {
    process.stderr.write(`build: error: ${relative(WEB, OUT)} or BUNDLE.json differ from a rebuild `
      + `(rebuilt sha256 ${sha256(output)}, committed ${sha256(was)}): run node zksolv/web/bundle/build.mjs\n`);
    process.exit(1);
  }
  process.stdout.write(`build: ${relative(WEB, OUT)} is what its sources build to (${output.length} bytes)\n`);
} else {
  await writeFile(OUT, output);
  await writeFile(RECORD, record);
  process.stdout.write(`build: wrote ${relative(WEB, OUT)} (${output.length} bytes) and BUNDLE.json\n`);
}
