#!/usr/bin/env node
// Entry point of the `basalt` command. Basalt needs Node >= 24.10 (node:sqlite with statement
// metadata, array rows and an authorizer, used by the SQL console); when an older
// Node started us (e.g. the machine's default), re-run under the Node pinned in the project.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 24 || (major === 24 && minor < 10)) {
  let pinned;
  try {
    pinned = createRequire(import.meta.url).resolve('node/bin/node');
  } catch {
    pinned = undefined;
  }
  if (!pinned || !existsSync(pinned)) {
    console.error(`basalt: Node.js >= 24.10 is required (this is ${process.version}). Install Node.js 24 LTS (https://nodejs.org); in a clone of the Basalt repository, 'npm ci' also installs the pinned one.`);
    process.exit(1);
  }
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  // Forward termination signals: a process manager (docker stop, kill PID) signals only this
  // process, and the server running in the child must get the chance to stop cleanly.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  const code = await new Promise((resolveCode) => {
    child.on('error', (err) => {
      console.error(`basalt: cannot run ${pinned}: ${err.message}`);
      resolveCode(1);
    });
    child.on('exit', (status, signal) => resolveCode(status ?? 128 + (constants.signals[signal] ?? 0)));
  });
  process.exit(code);
}

// In the repository Node runs the TypeScript sources directly; an installed package (inside
// node_modules, where Node does not strip types) runs the compiled JavaScript.
const source = new URL('../src/cli/main.ts', import.meta.url);
const useSource = existsSync(fileURLToPath(source)) && !fileURLToPath(source).includes('/node_modules/');
const { main } = await import(useSource ? source.href : new URL('../dist/src/cli/main.js', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
