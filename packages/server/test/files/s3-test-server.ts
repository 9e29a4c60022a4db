/**
 * An S3 service for tests: s3rver in a child process on a free port, or the service named by
 * BASALT_TEST_S3_URL (`https://ACCESS:SECRET@host[:port]/bucket?region=eu-west-1&pathStyle=1`; the
 * bucket must exist).
 *
 * Note: s3rver runs in a child process because it encrypts ListObjectsV2 continuation tokens with
 * DES, which OpenSSL 3 only offers through `--openssl-legacy-provider` (a process-wide flag).
 * Also, s3rver does not verify SigV4 signatures (only the access key), and lists keys in
 * filesystem order rather than S3's key order; the signer is checked against AWS's published
 * examples instead (s3-file-store.test.ts). Its DeleteObjects deletes keys concurrently and each
 * then prunes empty folders, so siblings race (ENOENT/ENOTEMPTY → 500); the child patches that.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { S3StoreConfig } from '../../src/files/types.ts';

export const EXTERNAL_S3 = process.env.BASALT_TEST_S3_URL || undefined;

function externalConfig(raw: string): S3StoreConfig {
  const u = new URL(raw);
  return {
    endpoint: `${u.protocol}//${u.host}`,
    bucket: u.pathname.replace(/^\/+|\/+$/g, ''),
    region: u.searchParams.get('region') ?? 'us-east-1',
    accessKey: decodeURIComponent(u.username),
    secret: decodeURIComponent(u.password),
    forcePathStyle: u.searchParams.get('pathStyle') !== '0',
  };
}

const CHILD = `
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const deleteObject = FilesystemStore.prototype.deleteObject;
FilesystemStore.prototype.deleteObject = async function (...args) {
  try {
    return await deleteObject.apply(this, args);
  } catch (err) {
    if (err.code !== 'ENOENT' && err.code !== 'ENOTEMPTY') throw err;
  }
};
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: process.argv[1], configureBuckets: [{ name: 'basalt-test', configs: [] }] });
server.run().then(({ port }) => console.log(JSON.stringify({ port })));
process.stdin.on('end', () => server.close().then(() => process.exit(0)));
process.stdin.resume();
`;

/** Starts the S3 service of one suite; `stop` shuts it down and removes its files. */
export async function startS3(): Promise<{ config: S3StoreConfig; stop(): Promise<void> }> {
  if (EXTERNAL_S3) return { config: externalConfig(EXTERNAL_S3), stop: async () => {} };
  const directory = mkdtempSync(join(tmpdir(), 'basalt-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD, directory], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  const { port } = JSON.parse(firstLine) as { port: number };
  return {
    config: { endpoint: `http://127.0.0.1:${port}`, bucket: 'basalt-test', region: 'us-east-1', accessKey: 'S3RVER', secret: 'S3RVER', forcePathStyle: true },
    async stop() {
      child.stdin!.end();
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
