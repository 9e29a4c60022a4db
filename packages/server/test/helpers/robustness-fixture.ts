/**
 * A seeded collection set for the robustness suites: `users` (auth) and `posts` with text, number,
 * bool, multi-select, relation (to users and to itself) and json fields, whose list/view rules use
 * `@request.auth`. Plus small helpers to assert PocketBase's error envelope on raw responses.
 */
import assert from 'node:assert/strict';
import type PocketBase from 'pocketbase';
import type { TestServer } from './test-server.ts';

export const USER_EMAIL = 'alice@example.com';
export const USER_PASSWORD = 'alice-password-123';

export interface SeededPosts {
  /** Client signed in as a regular `users` record. */
  user: PocketBase;
  userId: string;
  postsId: string;
  /** Ids of the seeded posts, oldest first; each one's `parent` is the previous one (a chain). */
  postIds: string[];
}

/**
 * Creates two `users` (Alice, signed in as `user`, and Bob) and a `posts` collection with `count`
 * posts: even ones published, authors Alice (i % 3 == 0) or Bob, each `parent` the previous post
 * and the first one's the last (a cycle).
 */
export async function seedPosts(t: TestServer, count = 6): Promise<SeededPosts> {
  const u = await t.admin.collection('users').create({ email: USER_EMAIL, password: USER_PASSWORD, passwordConfirm: USER_PASSWORD, name: 'Alice', verified: true });
  // Every post has an author: with an empty author, `author = @request.auth.id` would match a guest
  // ("" = ""), as it does in PocketBase.
  const bob = await t.admin.collection('users').create({ email: 'bob@example.com', password: USER_PASSWORD, passwordConfirm: USER_PASSWORD, name: 'Bob' });
  const rule = 'published = true || author = @request.auth.id';
  const posts = await t.admin.collections.create({
    name: 'posts',
    type: 'base',
    listRule: rule,
    viewRule: rule,
    createRule: '@request.auth.id != ""',
    updateRule: 'author = @request.auth.id',
    deleteRule: null,
    fields: [
      { name: 'title', type: 'text', required: true, max: 200 },
      { name: 'views', type: 'number' },
      { name: 'published', type: 'bool' },
      { name: 'tags', type: 'select', values: ['a', 'b', 'c', 'd'], maxSelect: 4 },
      { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      { name: 'meta', type: 'json' },
    ],
  });
  // A relation to the same collection can only be added once the collection exists.
  await t.admin.collections.update(posts.id, {
    fields: [...posts.fields, { name: 'parent', type: 'relation', collectionId: posts.id, maxSelect: 1 }],
  });
  const postIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = await t.admin.collection('posts').create({
      title: `post ${i}`,
      views: i * 10,
      published: i % 2 === 0,
      tags: ['a', 'b', 'c', 'd'].slice(0, i % 4),
      author: i % 3 === 0 ? u.id : bob.id,
      meta: { i, nested: { deep: [i, 'x'] } },
      parent: postIds[i - 1] ?? '',
    });
    postIds.push(r.id);
  }
  // A cycle: the first post's parent is the last one.
  await t.admin.collection('posts').update(postIds[0], { parent: postIds[postIds.length - 1] });
  const user = t.client();
  await user.collection('users').authWithPassword(USER_EMAIL, USER_PASSWORD);
  return { user, userId: u.id, postsId: posts.id, postIds };
}

/** Asserts `body` is PocketBase's error envelope for `status` (spec §2.1). */
export function assertEnvelope(body: unknown, status: number, context = ''): asserts body is { status: number; message: string; data: Record<string, unknown> } {
  assert.ok(typeof body === 'object' && body !== null && !Array.isArray(body), `${context}: error body is not an object: ${JSON.stringify(body)}`);
  const b = body as Record<string, unknown>;
  assert.deepEqual(Object.keys(b).sort(), ['data', 'message', 'status'], `${context}: envelope keys`);
  assert.equal(b.status, status, `${context}: envelope status`);
  assert.equal(typeof b.message, 'string', `${context}: envelope message`);
  assert.ok((b.message as string).length > 0, `${context}: empty message`);
  assert.ok(/[.?!]$/.test(b.message as string), `${context}: message is not a sentence: ${String(b.message)}`);
  assert.ok(typeof b.data === 'object' && b.data !== null && !Array.isArray(b.data), `${context}: envelope data`);
}

/**
 * Reads a response that must be < 500 and JSON; when ≥ 400 it must be the error envelope.
 * Returns the status and the decoded body.
 */
export async function readSafeResponse(res: Response, context = ''): Promise<{ status: number; body: any }> {
  const text = await res.text();
  assert.ok(res.status < 500, `${context}: got ${res.status} ${text.slice(0, 300)}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${context}: content-type`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    assert.fail(`${context}: body is not JSON: ${text.slice(0, 300)}`);
  }
  if (res.status >= 400) assertEnvelope(body, res.status, context);
  return { status: res.status, body };
}

/** Counts the rows of `collection` as the superuser sees them (through the API). */
export async function countRecords(t: TestServer, collection: string): Promise<number> {
  const list = await t.admin.collection(collection).getList(1, 1);
  return list.totalItems;
}

/**
 * Percent-encodes a query value; lone surrogates (which `encodeURIComponent` refuses) are sent as
 * their generalised UTF-8 (WTF-8) bytes, e.g. U+D800 → `%ED%A0%80`, which is invalid UTF-8.
 */
export function encodeQueryValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const isHigh = c >= 0xd800 && c <= 0xdbff;
    if (isHigh && i + 1 < value.length && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out += encodeURIComponent(value.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(value[i]);
    }
  }
  return out;
}
