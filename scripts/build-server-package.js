// The `basalt` package's build, run by its `prepack` so `npm pack` and `npm publish` always ship
// fresh output: compiles packages/server/src to packages/server/dist (JavaScript and declarations,
// without the colocated tests) and builds the dashboard into dist/dashboard, where the compiled
// server looks for it (transports/rest/admin-ui.ts). Needs the devDependencies (tsc, Vite).
// Plain JavaScript, like prepare-dashboard.js: it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = fileURLToPath(new URL('../packages/server/', import.meta.url));
const adminDir = fileURLToPath(new URL('../packages/admin/', import.meta.url));
const distDir = join(serverDir, 'dist');

/** Where `pkg` is installed, as seen from the workspace `from` (its own tree, then the root's). */
function packageDir(from, pkg) {
  return dirname(createRequire(join(from, 'package.json')).resolve(`${pkg}/package.json`));
}

function run(cwd, script, args) {
  const result = spawnSync(process.execPath, [script, ...args], { cwd, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// From scratch, so files of modules removed since the last build cannot ship.
rmSync(distDir, { recursive: true, force: true });
run(serverDir, join(packageDir(serverDir, 'typescript'), 'bin/tsc'), ['-p', 'tsconfig.build.json']);
// Built from the current sources rather than copied from packages/admin/dist, which may be stale
// or being rebuilt by someone else (the admin e2e tests build into a private folder for the same
// reason). Vite takes a second or two.
run(adminDir, join(packageDir(adminDir, 'vite'), 'bin/vite.js'), ['build', '--logLevel', 'warn', '--outDir', join(distDir, 'dashboard'), '--emptyOutDir']);
