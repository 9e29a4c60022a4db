/**
 * The contract every field type implements (spec §5.4). Field types are plugins: one file per
 * type, collected in `registry.ts`. Core code never switches on a type name; it asks the type.
 *
 * Values have three forms:
 * - raw input: whatever a client submitted (JSON or inferred form values);
 * - record value: the normalised in-memory value (`prepareValue`), which is also what the REST
 *   API serialises (string, number, boolean, string[], JSON value, `{lon, lat}`);
 * - driver value: what is bound to SQL (`toDriver`) and read back (`fromDriver`).
 * @module
 */
import type { FieldError, FieldErrors } from '../errors.ts';
import type { CollectionLookup, CollectionModel, FieldModel } from '../collections/collection.ts';
import type { ColumnKind, Executor, SqlDialect, SqlValue } from '../../storage/types.ts';

/** Everything a value validator may need besides the value. */
export interface ValueValidationContext {
  collection: CollectionModel;
  collections: CollectionLookup;
  /** Executor of the running transaction, for lookups such as relation existence. */
  db: Executor;
  /** Dialect of `db`, for quoting table names in those lookups. */
  dialect: SqlDialect;
  /** The record being saved (record values, after modifiers). */
  record: Record<string, unknown>;
  /** True on create. */
  isNew: boolean;
  /**
   * The stored record values before this save (update only), for checks that compare with the
   * old value, such as the primary key that must not change (`validation_pk_change`).
   */
  previousRecord?: Record<string, unknown>;
}

/** Context for validating a field's own settings when its collection is saved. */
export interface SettingsValidationContext {
  collection: CollectionModel;
  collections: CollectionLookup;
  /** The field as it was before this save, when it existed. */
  previous?: FieldModel;
}

/** A body-key modifier (spec §3.5.2): `field+` → append, `+field` → prepend, `field-` → remove. */
export type FieldModifier = 'append' | 'prepend' | 'remove' | 'autogenerate';

export interface FieldType {
  /** The `type` name, as in collection JSON. */
  readonly type: string;
  /** Type-specific options with their defaults, merged under a submitted field. */
  defaultOptions(): Record<string, unknown>;
  /** Column kind; `undefined` when the field has no column. */
  columnKind(field: FieldModel): ColumnKind;
  /** True when the value is a list (select/relation/file with maxSelect > 1). */
  isMultiple(field: FieldModel): boolean;
  /** The value a new record gets when the field is not submitted. */
  zeroValue(field: FieldModel): unknown;
  /** Lenient coercion of raw input to a record value (spec §3.5.1); never throws. */
  prepareValue(field: FieldModel, raw: unknown): unknown;
  /** Checks a record value on save. */
  validateValue(field: FieldModel, value: unknown, ctx: ValueValidationContext): FieldError | undefined | Promise<FieldError | undefined>;
  /** Checks the field's options when its collection is saved; errors keyed by option name. */
  validateSettings(field: FieldModel, ctx: SettingsValidationContext): FieldErrors | undefined;
  /** Record value → bound SQL value. */
  toDriver(field: FieldModel, value: unknown): SqlValue;
  /** Stored SQL value → record value. */
  fromDriver(field: FieldModel, raw: SqlValue | undefined): unknown;
  /**
   * The body-key modifiers the type understands (spec §3.5.2). A body key with any other
   * modifier is not a key of this field and is ignored, as PocketBase ignores unknown setter keys.
   */
  readonly modifiers?: readonly FieldModifier[];
  /**
   * Applies a body-key modifier to the current record value and returns the new record value;
   * absent when the type has none. Never throws; `raw` is coerced as `prepareValue` would.
   */
  applyModifier?(field: FieldModel, modifier: FieldModifier, current: unknown, raw: unknown): unknown;
}
