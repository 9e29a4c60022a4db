/**
 * Filters and sorts over the log table (spec §10.2): the filter language of records, compiled by
 * the same compiler against a fixed, collection-shaped description of `_logs`, so `id`,
 * `created`, `level`, `message`, `data` and JSON paths `data.<path>` resolve and nothing else
 * does (no relations, no `@collection`).
 * @module
 */
import type { SqlDialect } from '../../storage/types.ts';
import type { CollectionLookup, CollectionModel, FieldModel } from '../collections/collection.ts';
import { BadRequestError } from '../errors.ts';
import { compileFilter, compileSort } from '../rules/rule-compiler.ts';
import { LOG_ALIAS, type LogSqlFragment } from './log-store.ts';

function field(name: string, type: string): FieldModel {
  return { id: `_logs_${name}`, name, type, system: true, hidden: false, presentable: false };
}

/** `_logs` as the compiler sees it. */
const LOG_COLLECTION: CollectionModel = Object.freeze({
  id: '_logs',
  name: '_logs',
  type: 'base',
  system: true,
  listRule: null,
  viewRule: null,
  createRule: null,
  updateRule: null,
  deleteRule: null,
  fields: [field('id', 'text'), field('created', 'autodate'), field('level', 'number'), field('message', 'text'), field('data', 'json')],
  indexes: [],
  created: '',
  updated: '',
});

const NO_COLLECTIONS: CollectionLookup = { find: () => undefined, all: () => [] };

function options(dialect: SqlDialect, now: Date) {
  return {
    collection: LOG_COLLECTION,
    alias: LOG_ALIAS,
    collections: NO_COLLECTIONS,
    dialect,
    request: { auth: null, method: 'GET', context: 'default', query: {}, headers: {}, body: {} },
    mode: 'filter' as const,
    isSuperuser: true,
    now,
  };
}

/**
 * Compiles a log filter; empty input gives undefined. Any problem (syntax, unknown field,
 * `@request.*`, `@collection.*`) is `400 Invalid filter format.` with the reason as cause.
 */
export function compileLogFilter(input: string | undefined, dialect: SqlDialect, now: Date): LogSqlFragment | undefined {
  if (!input || input.trim() === '') return undefined;
  // Logs are not a collection: nothing of the request or other collections is in scope.
  if (input.includes('@request.') || input.includes('@collection.')) throw new BadRequestError('Invalid filter format.');
  try {
    return compileFilter(input, options(dialect, now));
  } catch (err) {
    if (err instanceof BadRequestError) throw new BadRequestError('Invalid filter format.', { cause: err });
    throw err;
  }
}

/** Compiles a log sort (default newest first); problems are `400 Invalid sort format.` */
export function compileLogSort(input: string | undefined, dialect: SqlDialect, now: Date): LogSqlFragment {
  const sort = input && input.trim() !== '' ? input : '-created,-id';
  // The log table has no physical row order the compiler could name on every engine.
  if (sort.includes('@rowid')) throw new BadRequestError('Invalid sort format.');
  try {
    return compileSort(sort, options(dialect, now));
  } catch (err) {
    if (err instanceof BadRequestError) throw new BadRequestError('Invalid sort format.', { cause: err });
    throw err;
  }
}
