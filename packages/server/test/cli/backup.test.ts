/**
 * `basalt backup create|list|restore` as a user runs them: a round trip on a data directory
 * (data and stored files added after the backup are gone after the restore), the refusal to
 * overwrite data without --force, restores into a fresh directory and into PostgreSQL, and clear
 * errors with non-zero exits for missing, corrupt and badly named backups.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { POSTGRES_TEST_URL, POSTGRES_UNAVAILABLE, TEST_DIALECTS } from '../helpers/test-server.ts';

describe('basalt backup', () => {
  let dir: string;
  let fresh: string;
  before(async () => {
    dir = tempDir();
    fresh = tempDir();
    const r = await runCli(['superuser', 'upsert', 'admin@example.com', 'admin-password-1', '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    mkdirSync(join(dir, 'storage', 'col1', 'rec1'), { recursive: true });
    writeFileSync(join(dir, 'storage', 'col1', 'rec1', 'kept.txt'), 'kept');
  });
  after(() => {
    removeDir(dir);
    removeDir(fresh);
  });

  it('creates a named backup and lists it', async () => {
    const r = await runCli(['backup', 'create', 'first.zip', '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Created backup first\.zip \([\d,]+ bytes\)/);
    assert.ok(existsSync(join(dir, 'backups', 'first.zip')));
    const list = await runCli(['backup', 'list', '--dir', dir]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^first\.zip\s+[\d,]+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/m);
  });

  it('refuses to restore over existing data without --force, then restores exactly the backup with it', async () => {
    assert.equal((await runCli(['superuser', 'create', 'later@example.com', 'later-password-1', '--dir', dir])).code, 0);
    writeFileSync(join(dir, 'storage', 'col1', 'rec1', 'kept.txt'), 'changed');
    writeFileSync(join(dir, 'storage', 'col1', 'rec1', 'added-later.txt'), 'later');

    const refused = await runCli(['backup', 'restore', 'first.zip', '--dir', dir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already holds data \(2 in _superusers, 2 stored files\).*--force/);
    assert.equal((await runCli(['superuser', 'update', 'later@example.com', 'x-password-2', '--dir', dir])).code, 0, 'nothing was restored');

    const r = await runCli(['backup', 'restore', 'first.zip', '--force', '--dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Restored/);
    const gone = await runCli(['superuser', 'update', 'later@example.com', 'x-password-3', '--dir', dir]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no superuser with email later@example\.com/);
    assert.equal(existsSync(join(dir, 'storage', 'col1', 'rec1', 'added-later.txt')), false);
    assert.equal(readFileSync(join(dir, 'storage', 'col1', 'rec1', 'kept.txt'), 'utf8'), 'kept');
  });

  it('restores a backup file into a fresh data directory without --force', async () => {
    const r = await runCli(['backup', 'restore', join(dir, 'backups', 'first.zip'), '--dir', fresh]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await runCli(['superuser', 'update', 'admin@example.com', 'admin-password-2', '--dir', fresh])).code, 0);
    assert.equal(readFileSync(join(fresh, 'storage', 'col1', 'rec1', 'kept.txt'), 'utf8'), 'kept');
  });

  it('fails clearly on missing, corrupt and badly named backups', async () => {
    const missing = await runCli(['backup', 'restore', 'nope.zip', '--dir', dir]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no backup "nope\.zip"/);
    const noFile = await runCli(['backup', 'restore', '/no/such/dir/file.zip', '--dir', dir]);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /no backup file/);
    const corruptPath = join(dir, 'corrupt.zip');
    writeFileSync(corruptPath, Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(2000)]));
    const corrupt = await runCli(['backup', 'restore', corruptPath, '--force', '--dir', dir]);
    assert.equal(corrupt.code, 1);
    assert.match(corrupt.stderr, /Invalid backup archive: the file is not a readable zip archive/);
    const badName = await runCli(['backup', 'create', 'Bad Name.zip', '--dir', dir]);
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /name: Must be in a valid format/);
    const taken = await runCli(['backup', 'create', 'first.zip', '--dir', dir]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /already exists/);
    const unknown = await runCli(['backup', 'frobnicate', '--dir', dir]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown backup action "frobnicate"/);
  });
});

const pgSkip = !TEST_DIALECTS.includes('postgres') ? 'BASALT_TEST_DIALECTS excludes postgres' : POSTGRES_UNAVAILABLE;

describe('basalt backup with PostgreSQL (--db)', { skip: pgSkip }, () => {
  const schema = `basalt_backup_cli_${randomBytes(4).toString('hex')}`;
  const url = `${POSTGRES_TEST_URL}?schema=${schema}`;
  let dir: string;
  let pgDir: string;
  before(() => {
    dir = tempDir();
    pgDir = tempDir();
  });
  after(async () => {
    removeDir(dir);
    removeDir(pgDir);
    const c = new pg.Client({ connectionString: POSTGRES_TEST_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  });

  it('restores a SQLite backup into PostgreSQL and backs PostgreSQL up again', async () => {
    assert.equal((await runCli(['superuser', 'upsert', 'admin@example.com', 'admin-password-1', '--dir', dir])).code, 0);
    assert.equal((await runCli(['backup', 'create', 'lite.zip', '--dir', dir])).code, 0);
    const r = await runCli(['backup', 'restore', join(dir, 'backups', 'lite.zip'), '--db', url, '--dir', pgDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await runCli(['superuser', 'update', 'admin@example.com', 'admin-password-2', '--db', url, '--dir', pgDir])).code, 0);
    const again = await runCli(['backup', 'create', 'from_pg.zip', '--db', url, '--dir', pgDir]);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(existsSync(join(pgDir, 'backups', 'from_pg.zip')));
  });
});
