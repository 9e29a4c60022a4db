/**
 * Where collection definitions live: the `_collections` table, mirrored in memory so that every
 * request resolves its collection without a query. The cache is replaced only after the
 * transaction that changed a definition commits.
 * @module
 */
import type { Database, Executor, SqlDialect, SqlValue } from '../../storage/types.ts';
import { StoredSecrets } from '../auth/stored-secrets.ts';
import { CollectionChangedError } from '../errors.ts';
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

/** OAuth2 providers with each `clientSecret` passed through `convert` (sealing or opening). */
function withProviderSecrets(oauth2: unknown, convert: (secret: string) => string): unknown {
  if (typeof oauth2 !== 'object' || oauth2 === null || !Array.isArray((oauth2 as { providers?: unknown }).providers)) return oauth2;
  const o = oauth2 as { providers: unknown[] };
  return {
    ...o,
    providers: o.providers.map((p) =>
      typeof p === 'object' && p !== null && typeof (p as { clientSecret?: unknown }).clientSecret === 'string' ? { ...p, clientSecret: convert((p as { clientSecret: string }).clientSecret) } : p,
    ),
  };
}

/** `secrets` undefined: OAuth2 client secrets are left as stored (see readStoredCollections). */
function fromRow(row: CollectionRow, secrets: StoredSecrets | undefined): CollectionModel {
  const options = JSON.parse(row.options) as Record<string, unknown>;
  if (options.oauth2 !== undefined && secrets) options.oauth2 = withProviderSecrets(options.oauth2, (s) => secrets.open(s, `OAuth2 client secret of collection ${row.name}`));
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

function selectAllSql(dialect: SqlDialect): string {
  const q = dialect.quote.bind(dialect);
  return `SELECT * FROM ${q('_collections')} ORDER BY ${q('created')}, ${q('name')}`;
}

/**
 * Every collection definition in `db`, with OAuth2 client secrets left as stored: sealed ones stay
 * `enc:v1:…`, so no key is needed (a copy of the database moves the `_collections` rows
 * unchanged and only needs the definitions to create the tables).
 * Warning: never write such a definition back or use its secrets (they may be sealed).
 */
export async function readStoredCollections(db: Executor, dialect: SqlDialect): Promise<CollectionModel[]> {
  const rows = await db.all<CollectionRow>(selectAllSql(dialect));
  return rows.map((row) => fromRow(row, undefined));
}

function optionsOf(c: CollectionModel, secrets: StoredSecrets): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.type === 'view') out.viewQuery = c.viewQuery ?? '';
  if (c.type === 'auth') for (const k of AUTH_OPTION_KEYS) out[k] = k === 'oauth2' ? withProviderSecrets(c.oauth2, (s) => secrets.seal(s)) : c[k];
  return out;
}

/** In-memory, read-mostly view of every collection, backed by `_collections`. */
/** The name of collection `id`'s definition lock (SqlDialect.nameLock). */
const lockName = (id: string) => `basalt_collection:${id}`;

export class CollectionStore implements CollectionLookup {
  readonly #db: Database;
  readonly #secrets: StoredSecrets;
  #byId = new Map<string, CollectionModel>();
  #byName = new Map<string, CollectionModel>();
  #list: CollectionModel[] = [];
  /** Bumped on every reload; caches keyed by collection shape include it. */
  version = 0;

  /** `secrets` seals OAuth2 client secrets in the stored rows (BASALT_ENCRYPTION_KEY). */
  constructor(db: Database, secrets: StoredSecrets = new StoredSecrets()) {
    this.#db = db;
    this.#secrets = secrets;
  }

  /**
   * Reads every definition (from `db`, or a transaction's executor) into the cache. A change this
   * process applied while the read ran may be newer than what was read, so the read is repeated
   * until one completes with no apply in between.
   */
  async reload(db: Executor = this.#db): Promise<void> {
    for (;;) {
      const version = this.version;
      const list = await this.read(db);
      if (this.version === version) return this.apply(list);
    }
  }

  /** Reads every definition without touching the cache (see `apply`). */
  async read(db: Executor): Promise<readonly CollectionModel[]> {
    const rows = await db.all<CollectionRow>(selectAllSql(this.#db.dialect));
    return rows.map((row) => fromRow(row, this.#secrets));
  }

  /**
   * Reads one definition inside `tx`, locking it until the transaction ends, so concurrent
   * changes of the same collection apply one after the other, each on the other's result, and
   * writes to its records wait (see readForWrite).
   */
  async readForUpdate(tx: Executor, id: string): Promise<CollectionModel | undefined> {
    await this.#lockDefinition(tx, id, 'exclusive');
    const d = this.#db.dialect;
    const row = await tx.get<CollectionRow>(`SELECT * FROM ${d.quote('_collections')} WHERE ${d.quote('id')} = ?${d.lockRows('update')}`, [id]);
    return row ? fromRow(row, this.#secrets) : undefined;
  }

  /**
   * The definition a write transaction must use. Where writers run concurrently (PostgreSQL), it
   * takes a shared lock on the definition, so a schema change waits for running writes and
   * writes wait for a running schema change; the cached model is used while it is current.
   * `optimistic` (the default) lets an engine that pipelines statements go ahead with the cached
   * model and have the database check it (deferred statements, decided at COMMIT at the
   * latest); a stale one then fails the transaction with CollectionChangedError, and
   * inTransaction runs it again with `optimistic: false`.
   */
  async readForWrite(tx: Executor, cached: CollectionModel, options: { optimistic: boolean } = { optimistic: true }): Promise<CollectionModel | undefined> {
    const d = this.#db.dialect;
    if (d.serializesWriters) return cached;
    const q = d.quote.bind(d);
    const check = d.definitionCheck();
    if (tx.defer && options.optimistic && check) {
      tx.defer(check, [lockName(cached.id), cached.id, cached.updated], (err) => (d.isChangedDefinition(err) ? new CollectionChangedError() : err));
      return cached;
    }
    await this.#lockDefinition(tx, cached.id, 'shared');
    const row = await tx.get<CollectionRow>(`SELECT * FROM ${q('_collections')} WHERE ${q('id')} = ?`, [cached.id]);
    if (!row) return undefined;
    return row.updated === cached.updated ? cached : fromRow(row, this.#secrets);
  }

  /**
   * Waits for running writes to collection `id` and blocks new ones until `tx` ends. A definition
   * change calls it before any DDL: taken after, a writer that the DDL blocks would hold the
   * shared lock the change waits for (a deadlock). write() and remove() take it too.
   */
  async lockForChange(tx: Executor, id: string): Promise<void> {
    await this.#lockDefinition(tx, id, 'exclusive');
  }

  /** Takes the definition lock of collection `id` (a no-op where writers are serialised). */
  async #lockDefinition(tx: Executor, id: string, mode: 'shared' | 'exclusive'): Promise<void> {
    const sql = this.#db.dialect.nameLock(mode);
    if (sql) await tx.get(sql, [lockName(id)]);
  }

  /**
   * Replaces the cache. Definition changes call it from the transaction's onCommit, so the
   * cache changes exactly when the data does: a writer that runs next sees the new schema.
   */
  apply(list: readonly CollectionModel[]): void {
    this.#list = [...list];
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
    await this.#lockDefinition(tx, c.id, 'exclusive');
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
      JSON.stringify(optionsOf(c, this.#secrets)),
      c.created,
      c.updated,
    ];
    await tx.run(`DELETE FROM ${q('_collections')} WHERE ${q('id')} = ?`, [c.id]);
    await tx.run(`INSERT INTO ${q('_collections')} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, values);
  }

  async remove(tx: Executor, id: string): Promise<void> {
    await this.#lockDefinition(tx, id, 'exclusive');
    const q = this.#db.dialect.quote.bind(this.#db.dialect);
    await tx.run(`DELETE FROM ${q('_collections')} WHERE ${q('id')} = ?`, [id]);
  }
}
