// The root package's `prepare` step: builds the dashboard (packages/admin/dist) after `npm ci`.
// Vite is a devDependency, so a production install (`npm ci --omit=dev`) has no builder: there
// the build is skipped with a note instead of failing the whole install.
// Plain JavaScript on purpose: without devDependencies it runs on the machine's own Node.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const adminRequire = createRequire(new URL('../packages/admin/package.json', import.meta.url));
try {
  adminRequire.resolve('vite/package.json');
} catch {
  console.log('Skipping the dashboard build: Vite is not installed (a production install); build it where devDependencies are installed.');
  process.exit(0);
}

const args = ['run', '-w', '@basalt/admin', 'build'];
// Under npm, npm_execpath is npm's own CLI script: run it with this Node rather than look up `npm`.
const run = process.env.npm_execpath
  ? spawnSync(process.execPath, [process.env.npm_execpath, ...args], { stdio: 'inherit' })
  : spawnSync('npm', args, { stdio: 'inherit', shell: process.platform === 'win32' });
if (run.error) throw run.error;
process.exit(run.status ?? 1);
