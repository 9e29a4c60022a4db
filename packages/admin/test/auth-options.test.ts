/**
 * End-to-end: the auth options of an auth collection in the collection editor. An OIDC provider
 * is configured against a small local issuer (discovery and a token endpoint that records the
 * client secret it receives), so the tests can see that the write-only secret survives a save
 * that leaves its box empty. Token durations, the new-location alert and a template are edited
 * and read back through the API.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, it } from 'node:test';
import PocketBase, { ClientResponseError } from 'pocketbase';
import type { Locator } from 'playwright-core';
import { describeEachEngine, screenshot, signedInSession, type Engine } from './e2e-helpers.ts';

const EMAIL = 'auth-options-admin@example.com';
const PASSWORD = 'auth options admin password';
const CLIENT_ID = 'basalt-dashboard';
const CLIENT_SECRET = 'the-first-client-secret';

await describeEachEngine('auth options', authOptionsSession);

interface Issuer {
  url: string;
  /** The client_secret of every token request, in order. */
  secrets: string[];
  close(): Promise<void>;
}

/** An OpenID provider that answers discovery and refuses every code, noting the secret it was sent. */
async function startIssuer(): Promise<Issuer> {
  const secrets: string[] = [];
  let url = '';
  const server: Server = createServer((req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: url,
        authorization_endpoint: `${url}/authorize`,
        token_endpoint: `${url}/token`,
        userinfo_endpoint: `${url}/userinfo`,
        jwks_uri: `${url}/jwks`,
        token_endpoint_auth_methods_supported: ['client_secret_post'],
      });
    }
    if (req.method === 'POST' && req.url === '/token') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        secrets.push(new URLSearchParams(body).get('client_secret') ?? '');
        json(400, { error: 'invalid_grant' });
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, secrets, close: () => new Promise((resolveClose) => server.close(() => resolveClose())) };
}

/** The auth options of `users` on a fresh server on `engine`. */
function authOptionsSession(engine: Engine) {
  const s = signedInSession(engine, EMAIL, PASSWORD);
  let issuer: Issuer;

  before(async () => {
    issuer = await startIssuer();
  });

  after(async () => {
    await issuer?.close();
  });

  function assertNoProblems() {
    assert.deepEqual(s.problems.take(), []);
  }

  /** Opens the editor of `users` on its Auth options tab. */
  async function openAuthOptions(): Promise<Locator> {
    await s.page.getByRole('link', { name: 'users auth', exact: true }).click();
    await s.page.getByRole('heading', { name: 'users', exact: true }).waitFor();
    await s.page.getByRole('button', { name: 'Edit collection' }).click();
    const editor = s.page.getByRole('dialog', { name: 'Edit users' });
    await editor.getByRole('tab', { name: 'Auth options' }).click();
    return editor;
  }

  /** Clicks Save changes and returns the PATCH body once the server has answered it with `status`. */
  async function save(editor: Locator, status = 200): Promise<Record<string, unknown>> {
    const answered = s.page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/api/collections/'));
    await editor.getByRole('button', { name: 'Save changes' }).click();
    const response = await answered;
    assert.equal(response.status(), status, await response.text());
    if (status === 200) await editor.waitFor({ state: 'detached' });
    return response.request().postDataJSON() as Record<string, unknown>;
  }

  it('adds an OIDC provider with its client id, secret and issuer', async () => {
    const editor = await openAuthOptions();
    const oauth2 = editor.getByRole('group', { name: 'OAuth2', exact: true });
    // Collapsed while OAuth2 is off; the legend's button opens it.
    assert.equal(await oauth2.getByRole('button', { name: 'OAuth2' }).getAttribute('aria-expanded'), 'false');
    await oauth2.getByRole('button', { name: 'OAuth2' }).click();
    await oauth2.getByLabel('Enabled', { exact: true }).check();
    await oauth2.getByText(`${s.server.url}/api/oauth2-redirect`).waitFor();
    await oauth2.getByLabel('Provider to add').selectOption('oidc');
    await oauth2.getByRole('button', { name: 'Add provider' }).click();
    const card = oauth2.locator('[data-provider="oidc"]');
    // The new provider's first box takes the focus.
    assert.equal(await card.getByLabel('Client ID').evaluate((el) => el === document.activeElement), true);
    await card.getByLabel('Client ID').fill(CLIENT_ID);
    await card.getByLabel('Client secret').fill(CLIENT_SECRET);
    await card.getByLabel('Issuer URL').fill(issuer.url);
    await card.getByLabel('PKCE').selectOption('on');
    await oauth2.getByLabel('Profile username').selectOption('name');
    await screenshot(s.page, `${engine}-auth-options-oauth2`);
    const sent = await save(editor);
    assert.equal((sent.oauth2 as { providers: Array<{ clientSecret?: string }> }).providers[0].clientSecret, CLIENT_SECRET);

    const users = await s.pb.collections.getOne('users');
    assert.equal(users.oauth2.enabled, true);
    assert.deepEqual(users.oauth2.mappedFields, { id: '', name: 'name', username: 'name', avatarURL: 'avatar' });
    const [provider] = users.oauth2.providers;
    assert.equal(provider.name, 'oidc');
    assert.equal(provider.clientId, CLIENT_ID);
    assert.equal(provider.pkce, true);
    assert.deepEqual(provider.extra, { issuer: issuer.url });
    assert.equal('clientSecret' in provider, false, 'the server never returns the secret');
    assertNoProblems();
  });

  it('lists the saved provider with an empty secret box and keeps the secret on the next save', async () => {
    await s.page.reload();
    const editor = await openAuthOptions();
    const card = editor.locator('[data-provider="oidc"]');
    assert.equal(await card.getByLabel('Client ID').inputValue(), CLIENT_ID);
    assert.equal(await card.getByLabel('Issuer URL').inputValue(), issuer.url);
    assert.equal(await card.getByLabel('Client secret').inputValue(), '');
    await card.getByText('leave empty to keep the stored secret').waitFor();
    await card.getByLabel('Display name').fill('Company SSO');
    const sent = await save(editor);
    const [provider] = (sent.oauth2 as { providers: Array<Record<string, unknown>> }).providers;
    assert.equal('clientSecret' in provider, false, 'an empty box sends no clientSecret');

    // Guests see the provider; the sign-in reaches the issuer with the secret typed the first time.
    const guest = new PocketBase(s.server.url);
    const methods = await guest.collection('users').listAuthMethods();
    const listed = methods.oauth2.providers.find((p) => p.name === 'oidc');
    assert.ok(listed, JSON.stringify(methods.oauth2));
    assert.equal(listed.displayName, 'Company SSO');
    assert.ok(listed.authURL.startsWith(`${issuer.url}/authorize?`), listed.authURL);
    await assert.rejects(guest.collection('users').authWithOAuth2Code('oidc', 'some-code', listed.codeVerifier, `${s.server.url}/api/oauth2-redirect`), (err: ClientResponseError) => err.status === 400);
    assert.deepEqual(issuer.secrets, [CLIENT_SECRET]);
    assertNoProblems();
  });

  it("shows the server's error next to a missing client id, from another tab", async () => {
    const editor = await openAuthOptions();
    const card = editor.locator('[data-provider="oidc"]');
    await card.getByLabel('Client ID').fill('');
    await editor.getByRole('tab', { name: 'Fields & indexes' }).click();
    await save(editor, 400);
    // The editor goes back to the tab that holds the problem.
    assert.equal(await editor.getByRole('tab', { name: /Auth options/ }).getAttribute('aria-selected'), 'true');
    const clientId = card.getByLabel('Client ID');
    assert.equal(await clientId.getAttribute('aria-invalid'), 'true');
    const describedBy = (await clientId.getAttribute('aria-describedby'))!;
    assert.equal(await editor.locator(`[id="${describedBy}"]`).innerText(), 'Cannot be blank.');
    await editor.getByRole('button', { name: 'Cancel' }).click();
    await editor.waitFor({ state: 'detached' });
    assert.equal((await s.pb.collections.getOne('users')).oauth2.providers[0].clientId, CLIENT_ID);
    assertNoProblems();
  });

  it('saves token durations, the alert switch and a template subject', async () => {
    let editor = await openAuthOptions();
    const tokens = editor.getByRole('group', { name: 'Token durations' });
    await tokens.getByRole('button', { name: 'Token durations' }).click();
    await tokens.getByLabel('Password reset token (seconds)').fill('5');
    await save(editor, 400);
    await tokens.getByText('Must be an integer between 10 and').waitFor();
    await tokens.getByLabel('Password reset token (seconds)').fill('3600');
    await tokens.getByText('1 hour').waitFor();
    await tokens.getByLabel('File token (seconds)').fill('600');

    const alert = editor.getByRole('group', { name: 'New-location alert', exact: true });
    await alert.getByRole('button', { name: 'New-location alert' }).click();
    await alert.getByRole('checkbox').uncheck();

    const templates = editor.getByRole('group', { name: 'Email templates' });
    await templates.getByRole('button', { name: 'Email templates' }).click();
    const verification = templates.getByRole('group', { name: 'Verification email' });
    await verification.getByRole('button', { name: 'Verification email' }).click();
    await verification.getByLabel('Subject').fill('Confirm your address for {APP_NAME}');
    await save(editor);

    const users = await s.pb.collections.getOne('users');
    assert.equal(users.passwordResetToken.duration, 3600);
    assert.equal(users.fileToken.duration, 600);
    assert.equal(users.authAlert.enabled, false);
    assert.equal(users.verificationTemplate.subject, 'Confirm your address for {APP_NAME}');
    assert.match(users.verificationTemplate.body, /\{TOKEN\}/);
    assert.equal(users.oauth2.providers[0].displayName, 'Company SSO');

    await s.page.reload();
    editor = await openAuthOptions();
    await editor.getByRole('button', { name: 'Token durations' }).click();
    assert.equal(await editor.getByLabel('Password reset token (seconds)').inputValue(), '3600');
    await editor.getByRole('button', { name: 'Email templates' }).click();
    await editor.getByRole('button', { name: 'Verification email' }).click();
    assert.equal(await editor.getByRole('group', { name: 'Verification email' }).getByLabel('Subject').inputValue(), 'Confirm your address for {APP_NAME}');
    await s.page.keyboard.press('Escape');
    await editor.waitFor({ state: 'detached' });
    assertNoProblems();
  });

  it('works from the keyboard, on a phone and in the dark theme', async () => {
    await s.page.getByLabel('Theme').selectOption('dark');
    await s.page.setViewportSize({ width: 390, height: 844 });
    await s.page.reload();
    await s.page.getByRole('heading', { name: 'users', exact: true }).waitFor();
    await s.page.getByRole('button', { name: 'Edit collection' }).click();
    const editor = s.page.getByRole('dialog', { name: 'Edit users' });
    const tab = editor.getByRole('tab', { name: 'Auth options' });
    await tab.focus();
    await s.page.keyboard.press('Enter');
    assert.equal(await tab.getAttribute('aria-selected'), 'true');
    const toggle = editor.getByRole('button', { name: 'OAuth2', exact: true });
    await toggle.focus();
    await s.page.keyboard.press('Enter');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.equal(await editor.locator('[data-provider="oidc"]').isVisible(), false);
    await s.page.keyboard.press('Space');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    // Tab goes from the section's toggle to its first control.
    await s.page.keyboard.press('Tab');
    assert.equal(await editor.getByRole('group', { name: 'OAuth2', exact: true }).getByLabel('Enabled', { exact: true }).evaluate((el) => el === document.activeElement), true);
    // Nothing in the editor is wider than the phone.
    assert.equal(await editor.locator('.dialog-body').evaluate((el) => el.scrollWidth <= el.clientWidth), true);
    assert.equal(await s.page.evaluate(() => getComputedStyle(document.querySelector('.provider-card')!).backgroundColor), 'rgb(34, 42, 53)');
    await editor.locator('[data-provider="oidc"]').scrollIntoViewIfNeeded();
    await screenshot(s.page, `${engine}-auth-options-phone-dark`);
    await s.page.keyboard.press('Escape');
    await editor.waitFor({ state: 'detached' });
    await s.page.setViewportSize({ width: 1280, height: 900 });
    await s.page.getByLabel('Theme').selectOption('system');
    assertNoProblems();
  });
}
