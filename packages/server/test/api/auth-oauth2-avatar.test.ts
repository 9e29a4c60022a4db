/**
 * OAuth2 sign-up with the provider's avatar mapped to a file field (spec §6.7.1): the avatar is
 * downloaded and stored like an upload, against a real OpenID provider and a real HTTP server
 * for the images (both on loopback, so the provider-host exception of oauth2-avatar.ts applies).
 * A refused or failed download never fails the sign-up: the field stays empty and a warning is
 * logged.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startOidcProvider, type OidcTestProvider } from '../helpers/oidc-provider.ts';
import { forEachDialect, startTestServer, type TestServer } from '../helpers/test-server.ts';

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
/** The avatar field's maxSize in these tests. */
const MAX_SIZE = 2048;

forEachDialect((dialect) =>
  describe('OAuth2 avatar into a file field', () => {
    let t: TestServer;
    let oidc: OidcTestProvider;
    let images: Server;
    let imagesURL = '';
    let callback: string;
    /** Paths the image server was asked for. */
    const hits: string[] = [];

    async function signUp(login: string, picture: string) {
      oidc.accounts.set(login, { email: `${login}@example.com`, emailVerified: true, name: login, picture });
      return signIn(login);
    }

    async function signIn(login: string) {
      const pb = t.client();
      const methods = await pb.collection('users').listAuthMethods();
      const provider = methods.oauth2.providers.find((p) => p.name === 'oidc')!;
      const landed = await oidc.login(provider.authURL + encodeURIComponent(callback), login);
      return pb.collection('users').authWithOAuth2Code('oidc', landed.searchParams.get('code')!, provider.codeVerifier, callback);
    }

    /** The reasons of the "avatar not stored" warnings logged so far. */
    async function avatarWarnings(): Promise<string[]> {
      await t.app.logs.flush();
      const { items } = await t.admin.logs.getList(1, 50, { filter: 'message = "OAuth2 avatar not stored" && level = 4', sort: 'created' });
      return items.map((i) => String(i.data.reason));
    }

    before(async () => {
      t = await startTestServer({ dialect });
      callback = `${t.url}/app/oauth-callback`;
      oidc = await startOidcProvider({ redirectURIs: [callback] });
      images = createServer((req, res) => {
        hits.push(req.url ?? '');
        if (req.url === '/ann.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
        // A PNG signature padded past the field's maxSize.
        else if (req.url === '/big.png') res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.concat([PNG, Buffer.alloc(MAX_SIZE * 2)]));
        // Claims to be an image; sniffing says text.
        else if (req.url === '/fake.png') res.writeHead(200, { 'content-type': 'image/png' }).end('just some text');
        else res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', () => resolve()));
      imagesURL = `http://127.0.0.1:${(images.address() as { port: number }).port}`;
      const users = await t.admin.collections.getOne('users');
      await t.admin.collections.update('users', {
        fields: [...users.fields, { name: 'photo', type: 'file', maxSelect: 1, maxSize: MAX_SIZE, mimeTypes: ['image/png'] }],
        oauth2: {
          enabled: true,
          mappedFields: { name: 'name', avatarURL: 'photo' },
          providers: [{ name: 'oidc', clientId: oidc.clientId, clientSecret: oidc.clientSecret, extra: { issuer: oidc.issuer } }],
        },
      });
    });
    after(async () => {
      await t?.close();
      await oidc?.close();
      await new Promise<void>((resolve) => {
        images?.closeAllConnections();
        images ? images.close(() => resolve()) : resolve();
      });
    });

    it('a sign-up stores the avatar as a file of the record, served back by /api/files', async () => {
      const auth = await signUp('ann', `${imagesURL}/ann.png`);
      assert.equal((auth.meta as Record<string, unknown>).isNew, true);
      assert.equal((auth.meta as Record<string, unknown>).avatarURL, `${imagesURL}/ann.png`);
      const photo = auth.record.photo as string;
      assert.match(photo, /^ann_[a-z0-9]{10}\.png$/);
      const res = await t.fetch(`/api/files/${auth.record.collectionId}/${auth.record.id}/${photo}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
      assert.deepEqual(await avatarWarnings(), []);
    });

    it('when sign-ups are closed (createRule null) nothing is downloaded and the sign-up is refused', async () => {
      await t.admin.collections.update('users', { createRule: null });
      try {
        const before = hits.length;
        await assert.rejects(signUp('closed', `${imagesURL}/ann.png`));
        assert.equal(hits.length, before, 'the image server was not contacted');
      } finally {
        await t.admin.collections.update('users', { createRule: '' });
      }
    });

    it('signing in again (an existing account) downloads nothing', async () => {
      const before = hits.length;
      const auth = await signIn('ann');
      assert.equal((auth.meta as Record<string, unknown>).isNew, false);
      assert.equal(hits.length, before);
    });

    it('an avatar over the field maxSize leaves the field empty, and the sign-up succeeds', async () => {
      const auth = await signUp('bea', `${imagesURL}/big.png`);
      assert.equal((auth.meta as Record<string, unknown>).isNew, true);
      assert.equal(auth.record.photo, '');
      assert.equal(auth.record.name, 'bea', 'the other mapped fields are filled');
      assert.ok(hits.includes('/big.png'));
      assert.ok((await avatarWarnings()).some((r) => r === `The avatar is larger than ${MAX_SIZE} bytes.`));
    });

    it('an avatar whose sniffed type the field does not accept is not stored', async () => {
      const auth = await signUp('cid', `${imagesURL}/fake.png`);
      assert.equal(auth.record.photo, '');
      assert.ok((await avatarWarnings()).some((r) => r === "its type text/plain is not one of the field's mimeTypes"));
    });

    it('a loopback host other than the provider\'s is refused without a request (SSRF)', async () => {
      const before = hits.length;
      // The same image server, named `localhost`: not a host of the provider's endpoints.
      const auth = await signUp('dee', `${imagesURL.replace('127.0.0.1', 'localhost')}/ann.png`);
      assert.equal(auth.record.photo, '');
      assert.equal(hits.length, before, 'the image server was not contacted');
      assert.ok((await avatarWarnings()).some((r) => r === 'localhost resolves to a non-public address.'));
    });

    it('an avatar that cannot be fetched leaves the field empty', async () => {
      const auth = await signUp('eve', `${imagesURL}/missing.png`);
      assert.equal(auth.record.photo, '');
      assert.ok((await avatarWarnings()).some((r) => r === '127.0.0.1 answered 404.'));
    });
  }),
);
