/**
 * TOTP secrets at rest (Basalt): sealed with BASALT_ENCRYPTION_KEY when it is set, shown only in
 * the enrolment response, still usable for sign-in; a secret stored plain before the key was set
 * still verifies and is sealed on its first successful use; a database copy carries the sealed
 * value as it is; without a key it is stored plain, and a sealed secret the server cannot open
 * never lets a sign-in through.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as OTPAuth from 'otpauth';
import { SecretBox } from '../../src/auth/encryption.ts';
import { copyDatabase } from '../../src/core/database-copy.ts';
import { SqliteDatabase } from '../../src/storage/sqlite/sqlite-database.ts';
import { request } from '../helpers/scenario.ts';
import { forEachDialect, startTestServer, type DialectName, type TestServer } from '../helpers/test-server.ts';

const KEY = randomBytes(32).toString('hex');
const PASSWORD = 'password123';

/** Messages of the unexpected errors the server reported. */
const reported: string[] = [];

function startServer(dialect: DialectName, encryptionKey: string | undefined): Promise<TestServer> {
  const logger = { error: (details: Record<string, unknown>) => void reported.push(String((details.err as Error | undefined)?.message)) };
  return startTestServer({ dialect, app: { encryptionKey, logger } });
}

const authenticator = (secret: string) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });

/** A code of the step `ahead` steps from now: each sign-in needs a step not used before. */
const codeAt = (secret: string, ahead: number) => authenticator(secret).generate({ timestamp: Date.now() + ahead * 30_000 });

/** The `secret` column of the record's `_authTotps` row, as stored. */
async function storedSecret(t: TestServer, recordId: string): Promise<string> {
  const q = t.app.db.dialect.quote.bind(t.app.db.dialect);
  const row = await t.app.db.get<{ secret: string }>(`SELECT ${q('secret')} AS ${q('secret')} FROM ${q('_authTotps')} WHERE ${q('recordRef')} = ?`, [recordId]);
  return row?.secret ?? assert.fail(`no enrolment stored for ${recordId}`);
}

/** A confirmed enrolment written straight into the table (as an older server, or another key, left it). */
async function insertEnrolment(t: TestServer, recordId: string, secret: string): Promise<void> {
  const q = t.app.db.dialect.quote.bind(t.app.db.dialect);
  const users = await t.admin.collections.getOne('users');
  await t.app.db.run(
    `INSERT INTO ${q('_authTotps')} (${['collectionRef', 'recordRef', 'secret', 'confirmed', 'recoveryCodes', 'lastStep', 'created', 'updated'].map(q).join(', ')}) VALUES (?, ?, ?, 1, '[]', -1, '', '')`,
    [users.id, recordId, secret],
  );
}

async function newUser(t: TestServer, email: string): Promise<string> {
  const user = await t.admin.collection('users').create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
  return user.id;
}

/** Password first (answers 401 {mfaId} for a record with TOTP), then `auth-with-totp` with `code`. */
async function signInWithCode(t: TestServer, email: string, code: string) {
  const first = await request(t, 'POST', '/api/collections/users/auth-with-password', { body: { identity: email, password: PASSWORD } });
  assert.equal(first.status, 401, first.text);
  return request(t, 'POST', '/api/collections/users/auth-with-totp', { body: { mfaId: first.json.mfaId, code } });
}

/** Enrols and confirms `email` over HTTP; returns the secret the enrolment response showed. */
async function enrol(t: TestServer, email: string, check: (secretAfterEnrol: string, secret: string) => void): Promise<string> {
  const pb = t.client();
  await pb.collection('users').authWithPassword(email, PASSWORD);
  const enrolled = await request(t, 'POST', '/api/collections/users/totp/enroll', { token: pb.authStore.token });
  assert.equal(enrolled.status, 200, enrolled.text);
  const secret: string = enrolled.json.secret;
  assert.match(secret, /^[A-Z2-7]{32}$/);
  check(await storedSecret(t, pb.authStore.record!.id), secret);
  const confirmed = await request(t, 'POST', '/api/collections/users/totp/confirm', { token: pb.authStore.token, body: { code: codeAt(secret, 0) } });
  assert.equal(confirmed.status, 200, confirmed.text);
  assert.ok(!confirmed.text.includes(secret));
  const status = await request(t, 'GET', '/api/collections/users/totp', { token: pb.authStore.token });
  assert.deepEqual(status.json, { enabled: true, recoveryCodesLeft: 10 });
  return secret;
}

forEachDialect((dialect) =>
  describe('TOTP secrets at rest', () => {
    describe('with BASALT_ENCRYPTION_KEY', () => {
      let t: TestServer;
      before(async () => {
        t = await startServer(dialect, KEY);
      });
      after(() => t.close());

      it('the enrolled secret is stored sealed, only the enrolment response shows it, and its codes sign in', async () => {
        const email = 'sealed@example.com';
        const id = await newUser(t, email);
        const sealed = (stored: string, secret: string) => {
          assert.ok(stored.startsWith('enc:v1:'), `stored as ${stored}`);
          assert.ok(!stored.includes(secret));
        };
        const secret = await enrol(t, email, sealed);
        sealed(await storedSecret(t, id), secret);
        const ok = await signInWithCode(t, email, codeAt(secret, 1));
        assert.equal(ok.status, 200, ok.text);
        assert.ok(ok.json.token);
        assert.ok(!ok.text.includes(secret));
        sealed(await storedSecret(t, id), secret);
      });

      it('a database copy (basalt migrate, backups) carries the sealed value as it is', async () => {
        const id = (await t.admin.collection('users').getFirstListItem('email = "sealed@example.com"')).id;
        const target = new SqliteDatabase(join(t.dir, 'copy.db'));
        const q = target.dialect.quote.bind(target.dialect);
        try {
          await copyDatabase(t.app.db, target);
          const copied = await target.get<{ secret: string }>(`SELECT ${q('secret')} AS ${q('secret')} FROM ${q('_authTotps')} WHERE ${q('recordRef')} = ?`, [id]);
          assert.equal(copied?.secret, await storedSecret(t, id));
          assert.ok(copied.secret.startsWith('enc:v1:'));
        } finally {
          await target.close();
        }
      });

      it('a secret stored plain before the key was set still verifies, and is sealed by that first use', async () => {
        const email = 'legacy@example.com';
        const id = await newUser(t, email);
        const secret = new OTPAuth.Secret({ size: 20 }).base32;
        await insertEnrolment(t, id, secret);
        const wrong = await signInWithCode(t, email, String((Number(codeAt(secret, 0)) + 1) % 1e6).padStart(6, '0'));
        assert.equal(wrong.status, 400);
        assert.equal(await storedSecret(t, id), secret, 'a failed attempt writes nothing');
        const ok = await signInWithCode(t, email, codeAt(secret, 0));
        assert.equal(ok.status, 200, ok.text);
        const stored = await storedSecret(t, id);
        assert.ok(stored.startsWith('enc:v1:'), `stored as ${stored}`);
        assert.ok(!stored.includes(secret));
        // The sealed value opens to the same secret: the next step's code signs in.
        const again = await signInWithCode(t, email, codeAt(secret, 1));
        assert.equal(again.status, 200, again.text);
      });
    });

    describe('without a key', () => {
      let t: TestServer;
      before(async () => {
        t = await startServer(dialect, undefined);
      });
      after(() => t.close());

      it('the secret is stored plain, as before', async () => {
        const email = 'plain@example.com';
        const id = await newUser(t, email);
        const secret = await enrol(t, email, (stored, secret) => assert.equal(stored, secret));
        assert.equal(await storedSecret(t, id), secret);
        const ok = await signInWithCode(t, email, codeAt(secret, 1));
        assert.equal(ok.status, 200, ok.text);
      });

      it('a secret sealed with a key the server does not have lets no sign-in through', async () => {
        const email = 'no-key@example.com';
        const id = await newUser(t, email);
        const secret = new OTPAuth.Secret({ size: 20 }).base32;
        await insertEnrolment(t, id, new SecretBox(Buffer.from(KEY, 'hex')).seal(secret));
        const res = await signInWithCode(t, email, codeAt(secret, 0));
        assert.equal(res.status, 500);
        assert.equal(res.json.message, 'Something went wrong while processing your request.');
        assert.ok(!res.text.includes('token'));
        assert.ok(reported.includes(`The stored TOTP secret of record ${id} is encrypted, but BASALT_ENCRYPTION_KEY is not set.`), reported.join('\n'));
      });

      it('the status of an enrolment sealed with a key the server does not have still answers, without opening it', async () => {
        const email = 'status-no-key@example.com';
        const id = await newUser(t, email);
        const pb = t.client();
        await pb.collection('users').authWithPassword(email, PASSWORD);
        await insertEnrolment(t, id, new SecretBox(Buffer.from(KEY, 'hex')).seal(new OTPAuth.Secret({ size: 20 }).base32));
        const status = await request(t, 'GET', '/api/collections/users/totp', { token: pb.authStore.token });
        assert.equal(status.status, 200, status.text);
        assert.deepEqual(status.json, { enabled: true, recoveryCodesLeft: 0 });
      });
    });
  }),
);
