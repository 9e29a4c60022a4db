/**
 * Test fixture for the rule compiler: a few collections (posts, users, teams, tags, comments,
 * memberships, notes, secrets) created by hand in an in-memory node:sqlite database following
 * the storage layout contract, so the tests do not depend on the field types being registered.
 * Only tests import this file.
 * @module
 */
import { DatabaseSync } from 'node:sqlite';
import type { CollectionLookup, CollectionModel, FieldModel } from '../collections/collection.ts';
import { SqliteDialect } from '../../storage/sqlite/sqlite-dialect.ts';
import type { SqlValue } from '../../storage/types.ts';
import { compileFilter, compileSort, type CompileOptions } from './rule-compiler.ts';
import type { RequestInfo } from './record-field-resolver.ts';

function field(name: string, type: string, options: Partial<FieldModel> = {}): FieldModel {
  return { id: `f_${name}`, name, type, system: false, hidden: false, presentable: false, ...options };
}

function collection(name: string, fields: FieldModel[], extra: Partial<CollectionModel> = {}): CollectionModel {
  return {
    id: `c_${name}`,
    name,
    type: 'base',
    system: false,
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    deleteRule: '',
    fields: [field('id', 'text'), ...fields],
    indexes: [],
    created: '',
    updated: '',
    ...extra,
  };
}

export const users = collection(
  'users',
  [
    field('name', 'text'),
    field('email', 'email'),
    field('emailVisibility', 'bool'),
    field('verified', 'bool'),
    field('password', 'password', { hidden: true }),
    field('role', 'select', { maxSelect: 1, values: ['admin', 'user'] }),
    field('secret', 'text', { hidden: true }),
    field('team', 'relation', { collectionId: 'c_teams', maxSelect: 1 }),
  ],
  { type: 'auth' },
);
export const teams = collection('teams', [field('name', 'text'), field('owner', 'relation', { collectionId: 'c_users', maxSelect: 1 })]);
export const tags = collection('tags', [field('name', 'text'), field('public', 'bool')], { listRule: 'public = true' });
export const secrets = collection('secrets', [field('name', 'text')], { listRule: null });
export const posts = collection('posts', [
  field('title', 'text'),
  field('summary', 'text'),
  field('views', 'number'),
  field('published', 'bool'),
  field('author', 'relation', { collectionId: 'c_users', maxSelect: 1 }),
  field('tags', 'relation', { collectionId: 'c_tags', maxSelect: 5 }),
  field('labels', 'select', { maxSelect: 5, values: ['a', 'b', 'c'] }),
  field('category', 'select', { maxSelect: 1, values: ['x', 'y'] }),
  field('meta', 'json'),
  field('location', 'geoPoint'),
  field('created', 'autodate'),
  field('secret', 'text', { hidden: true }),
  field('privateRef', 'relation', { collectionId: 'c_secrets', maxSelect: 1 }),
]);
export const comments = collection(
  'comments',
  [
    field('post', 'relation', { collectionId: 'c_posts', maxSelect: 1 }),
    field('message', 'text'),
    field('approved', 'bool'),
    field('author', 'relation', { collectionId: 'c_users', maxSelect: 1 }),
  ],
  { listRule: 'approved = true' },
);
export const memberships = collection('memberships', [
  field('user', 'relation', { collectionId: 'c_users', maxSelect: 1 }),
  field('team', 'relation', { collectionId: 'c_teams', maxSelect: 1 }),
]);
export const notes = collection('notes', [field('posts', 'relation', { collectionId: 'c_posts', maxSelect: 9 })]);

export const allCollections: readonly CollectionModel[] = [users, teams, tags, secrets, posts, comments, memberships, notes];

export const lookup: CollectionLookup = {
  find: (idOrName) => allCollections.find((c) => c.id === idOrName) ?? allCollections.find((c) => c.name.toLowerCase() === idOrName.toLowerCase()),
  all: () => allCollections,
};

type Rows = Array<Record<string, SqlValue>>;
const j = (v: unknown): string => JSON.stringify(v);

const data: Record<string, Rows> = {
  users: [
    { id: 'u1', name: 'Ann', email: 'ann@x.com', emailVisibility: 1, verified: 1, password: 'h', role: 'admin', secret: 's1', team: 't1' },
    { id: 'u2', name: 'Bob', email: 'bob@x.com', emailVisibility: 0, verified: 0, password: 'h', role: 'user', secret: 's2', team: 't2' },
    { id: 'u3', name: '', email: 'cy@x.com', emailVisibility: 1, verified: 1, password: 'h', role: '', secret: '', team: '' },
  ],
  teams: [
    { id: 't1', name: 'Red', owner: 'u1' },
    { id: 't2', name: 'Blue', owner: 'u2' },
  ],
  tags: [
    { id: 'g1', name: 'news', public: 1 },
    { id: 'g2', name: 'tech', public: 1 },
    { id: 'g3', name: 'spam', public: 0 },
  ],
  secrets: [{ id: 'x1', name: 'p' }],
  posts: [
    { id: 'p1', title: 'Hello World', summary: 'Hello World', views: 10, published: 1, author: 'u1', tags: j(['g1', 'g2']), labels: j(['a', 'b']), category: 'x', meta: j({ a: 1, b: { c: 'deep' }, arr: [1, 2] }), location: j({ lon: 23.32, lat: 42.69 }), created: '2026-03-01 09:15:02.381Z', secret: 'k', privateRef: 'x1' },
    { id: 'p2', title: '50% off_sale', summary: 'x', views: 0, published: 0, author: 'u2', tags: j(['g3']), labels: j(['a']), category: '', meta: null, location: j({ lon: 0, lat: 0 }), created: '2026-01-15 00:00:00.000Z', secret: '', privateRef: '' },
    { id: 'p3', title: '', summary: null, views: 5, published: 1, author: '', tags: j([]), labels: j([]), category: 'y', meta: j({ a: 2 }), location: j({ lon: 23.3, lat: 42.7 }), created: '2025-12-31 23:59:59.999Z', secret: '', privateRef: '' },
    { id: 'p4', title: 'It\'s "quoted" `x`; DROP', summary: '', views: -1, published: 0, author: 'u3', tags: j(['g1', 'missing']), labels: j(['b']), category: 'x', meta: j([1, 2, 3]), location: j({ lon: 0, lat: 0 }), created: '2026-03-02 08:00:00.000Z', secret: '', privateRef: '' },
  ],
  comments: [
    { id: 'c1', post: 'p1', message: 'great', approved: 1, author: 'u2' },
    { id: 'c2', post: 'p1', message: 'spam', approved: 0, author: 'u3' },
    { id: 'c3', post: 'p2', message: 'ok', approved: 1, author: 'u1' },
  ],
  memberships: [
    { id: 'm1', user: 'u1', team: 't1' },
    { id: 'm2', user: 'u2', team: 't1' },
    { id: 'm3', user: 'u2', team: 't2' },
  ],
  notes: [
    { id: 'n1', posts: j(['p1', 'p2']) },
    { id: 'n2', posts: j(['p2']) },
  ],
};

/** A fresh in-memory database holding the fixture. */
export function openFixture(): DatabaseSync {
  const db = new DatabaseSync(':memory:');
  const dialect = new SqliteDialect();
  for (const c of allCollections) {
    const cols = c.fields.map((f) => {
      if (f.name === 'id') return '`id` TEXT PRIMARY KEY NOT NULL';
      const kind = f.type === 'number' ? 'NUMERIC' : f.type === 'bool' ? 'BOOLEAN' : f.type === 'json' ? 'JSON' : 'TEXT';
      return `${dialect.quote(f.name)} ${kind}`;
    });
    db.exec(`CREATE TABLE ${dialect.quote(c.name)} (${cols.join(', ')})`);
    for (const row of data[c.name] ?? []) {
      const keys = Object.keys(row);
      db.prepare(`INSERT INTO ${dialect.quote(c.name)} (${keys.map((k) => dialect.quote(k)).join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`).run(...keys.map((k) => row[k]));
    }
  }
  return db;
}

export const FROZEN_NOW = new Date('2026-03-01T12:00:00.000Z');

export const guestRequest: RequestInfo = { auth: null, method: 'GET', context: 'default', query: {}, headers: {}, body: {} };

/** Request of a logged-in fixture user. */
export function userRequest(id: string, extra: Partial<RequestInfo> = {}): RequestInfo {
  const record = data.users.find((u) => u.id === id);
  if (!record) throw new TypeError(`no fixture user ${id}`);
  const values: Record<string, unknown> = { ...record, emailVisibility: record.emailVisibility === 1, verified: record.verified === 1 };
  return { ...guestRequest, auth: { collection: users, record: values }, ...extra };
}

export function options(over: Partial<CompileOptions> = {}): CompileOptions {
  const c = over.collection ?? posts;
  return {
    collection: c,
    alias: new SqliteDialect().quote(c.name),
    collections: lookup,
    dialect: new SqliteDialect(),
    request: guestRequest,
    mode: 'rule',
    isSuperuser: false,
    now: FROZEN_NOW,
    ...over,
  };
}

/** Ids of the rows of `opts.collection` matching `filter`, sorted. */
export function matchIds(db: DatabaseSync, filter: string, opts: CompileOptions): string[] {
  const { sql, params } = compileFilter(filter, opts);
  const rows = db.prepare(`SELECT id FROM ${opts.dialect.quote(opts.collection.name)} WHERE ${sql} ORDER BY id`).all(...params) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

/** Ids of every row of `opts.collection` in the order `sort` gives. */
export function sortedIds(db: DatabaseSync, sort: string, opts: CompileOptions): string[] {
  const { sql, params } = compileSort(sort, opts);
  const rows = db.prepare(`SELECT id FROM ${opts.dialect.quote(opts.collection.name)} ORDER BY ${sql}`).all(...params) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}
