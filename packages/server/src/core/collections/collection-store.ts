/**
 * Where collection definitions live: the `_collections` table, mirrored in memory so that every
 * request resolves its collection without a query. The cache is replaced only after the
 * transaction that changed a definition commits.
 * @module
 */
import type { Database, Executor, SqlValue } from '../../storage/types.ts';
import type { CollectionLookup, CollectionModel } from './collection.ts';

const AUTH_OPTION_KEYS = [
  'authRule',
  'manageRule',
  'authAlert',
  'oauth2',
  'passwordAuth',
  'mfa',
  'otp',
  'authToken',
  'passwordResetToken',
  'emailChangeToken',
  'verificationToken',
  'fileToken',
  'verificationTemplate',
  'resetPasswordTemplate',
  'confirmEmailChangeTemplate',
] as const;

interface CollectionRow {
  id: string;
  system: number;
  type: string;
  name: string;
  fields: string;
  indexes: string;
  listRule: string | null;
  viewRule: string | null;
  createRule: string | null;
  updateRule: string | null;
  deleteRule: string | null;
  options: string;
  created: string;
  updated: string;
}

/** DDL of the internal table that holds collection definitions. */
export function collectionsTableSql(q: (id: string) => string): string {
  return `CREATE TABLE IF NOT EXISTS ${q('_collections')} (
    ${q('id')} TEXT PRIMARY KEY NOT NULL,
    ${q('system')} BOOLEAN DEFAULT FALSE NOT NULL,
    ${q('type')} TEXT DEFAULT 'base' NOT NULL,
    ${q('name')} TEXT UNIQUE NOT NULL,
    ${q('fields')} JSON DEFAULT '[]' NOT NULL,
    ${q('indexes')} JSON DEFAULT '[]' NOT NULL,
    ${q('listRule')} TEXT DEFAULT NULL,
    ${q('viewRule')} TEXT DEFAULT NULL,
    ${q('createRule')} TEXT DEFAULT NULL,
    ${q('updateRule')} TEXT DEFAULT NULL,
    ${q('deleteRule')} TEXT DEFAULT NULL,
    ${q('options')} JSON DEFAULT '{}' NOT NULL,
    ${q('created')} TEXT DEFAULT '' NOT NULL,
    ${q('updated')} TEXT DEFAULT '' NOT NULL
  )`;
}

function fromRow(row: CollectionRow): CollectionModel {
  const options = JSON.parse(row.options) as Record<string, unknown>;
  return {
    id: row.id,
    name: row.name,
    type: row.type as CollectionModel['type'],
    system: Boolean(row.system),
    listRule: row.listRule,
    viewRule: row.viewRule,
    createRule: row.createRule,
    updateRule: row.updateRule,
    deleteRule: row.deleteRule,
    fields: JSON.parse(row.fields),
    indexes: JSON.parse(row.indexes),
    ...options,
    created: row.created,
    updated: row.updated,
  };
}

function optionsOf(c: CollectionModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.type === 'view') out.viewQuery = c.viewQuery ?? '';
  if (c.type === 'auth') for (const k of AUTH_OPTION_KEYS) out[k] = c[k];
  return out;
}

/** In-memory, read-mostly view of every collection, backed by `_collections`. */
export class CollectionStore implements CollectionLookup {
  readonly #db: Database;
  #byId = new Map<string, CollectionModel>();
  #byName = new Map<string, CollectionModel>();
  #list: CollectionModel[] = [];
  /** Bumped on every reload; caches keyed by collection shape include it. */
  version = 0;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Reads every definition (from `db`, or a transaction's executor) into the cache. */
  async reload(db: Executor = this.#db): Promise<void> {
    const q = this.#db.dialect.quote.bind(this.#db.dialect);
    const rows = await db.all<CollectionRow>(`SELECT * FROM ${q('_collections')} ORDER BY ${q('created')}, ${q('name')}`);
    const list = rows.map(fromRow);
    this.#list = list;
    this.#byId = new Map(list.map((c) => [c.id, c]));
    this.#byName = new Map(list.map((c) => [c.name.toLowerCase(), c]));
    this.version++;
  }

  find(idOrName: string): CollectionModel | undefined {
    if (typeof idOrName !== 'string') return undefined;
    return this.#byId.get(idOrName) ?? this.#byName.get(idOrName.toLowerCase());
  }

  all(): readonly CollectionModel[] {
    return this.#list;
  }

  /** Writes a definition row (insert or replace) inside `tx`. */
  async write(tx: Executor, c: CollectionModel): Promise<void> {
    const q = this.#db.dialect.quote.bind(this.#db.dialect);
    const cols = ['id', 'system', 'type', 'name', 'fields', 'indexes', 'listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule', 'options', 'created', 'updated'];
    const values: SqlValue[] = [
      c.id,
      c.system ? 1 : 0,
      c.type,
      c.name,
      JSON.stringify(c.fields),
      JSON.stringify(c.indexes),
      c.listRule,
      c.viewRule,
      c.createRule,
      c.updateRule,
      c.deleteRule,
      JSON.stringify(optionsOf(c)),
      c.created,
      c.updated,
    ];
    await tx.run(`DELETE FROM ${q('_collections')} WHERE ${q('id')} = ?`, [c.id]);
    await tx.run(`INSERT INTO ${q('_collections')} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, values);
  }

  async remove(tx: Executor, id: string): Promise<void> {
    const q = this.#db.dialect.quote.bind(this.#db.dialect);
    await tx.run(`DELETE FROM ${q('_collections')} WHERE ${q('id')} = ?`, [id]);
  }
}
