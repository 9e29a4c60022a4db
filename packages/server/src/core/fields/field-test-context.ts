/**
 * Test support for the field type tables: field and collection builders and validation
 * contexts. Imported only by `*.test.ts` files.
 * @module
 */
import type { CollectionLookup, CollectionModel, FieldModel } from '../collections/collection.ts';
import type { Executor, SqlDialect } from '../../storage/types.ts';
import { SqliteDialect } from '../../storage/sqlite/sqlite-dialect.ts';
import type { FieldType, SettingsValidationContext, ValueValidationContext } from './field.ts';

/** A field of `type` with its defaults, overridden by `options`. */
export function makeField(type: FieldType, options: Record<string, unknown> = {}): FieldModel {
  return { id: `${type.type}1`, name: 'f', type: type.type, system: false, hidden: false, presentable: false, ...type.defaultOptions(), ...options };
}

/** A base collection `test` (`pbc_test`), overridden by `overrides`. */
export function makeCollection(overrides: Partial<CollectionModel> = {}): CollectionModel {
  return {
    id: 'pbc_test',
    name: 'test',
    type: 'base',
    system: false,
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields: [],
    indexes: [],
    created: '',
    updated: '',
    ...overrides,
  };
}

/** A CollectionLookup over `collections` (id exact, name case-insensitive). */
export function makeLookup(collections: CollectionModel[]): CollectionLookup {
  return {
    find(idOrName) {
      return collections.find((c) => c.id === idOrName) ?? collections.find((c) => c.name.toLowerCase() === idOrName.toLowerCase());
    },
    all() {
      return collections;
    },
  };
}

/** An executor for validations that must not touch the database. */
const noDb: Executor = {
  all: () => Promise.reject(new Error('unexpected query')),
  get: () => Promise.reject(new Error('unexpected query')),
  run: () => Promise.reject(new Error('unexpected query')),
  exec: () => Promise.reject(new Error('unexpected query')),
};

/** A value-validation context on SQLite quoting whose executor rejects any query. */
export function valueCtx(overrides: Partial<ValueValidationContext> = {}): ValueValidationContext {
  const dialect: SqlDialect = new SqliteDialect();
  return { collection: makeCollection(), collections: makeLookup([]), db: noDb, dialect, record: {}, isNew: true, ...overrides };
}

/** A settings-validation context for the `test` collection. */
export function settingsCtx(overrides: Partial<SettingsValidationContext> = {}): SettingsValidationContext {
  return { collection: makeCollection(), collections: makeLookup([]), ...overrides };
}
