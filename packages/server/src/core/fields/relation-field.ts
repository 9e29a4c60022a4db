/**
 * The `relation` field (spec §5.4): ids of records in another collection, one (`maxSelect` ≤ 1)
 * or a list. Mirrors PocketBase core/field_relation.go.
 * @module
 */
import { fieldError, type FieldError } from '../errors.ts';
import type { CollectionLookup, CollectionModel, FieldModel } from '../collections/collection.ts';
import type { FieldType, SettingsValidationContext, ValueValidationContext } from './field.ts';
import {
  boolOption,
  checkBool,
  checkIntOption,
  commonSettingsErrors,
  numberOption,
  requiredError,
  stringOption,
  toUniqueStrings,
  unsupportedTypeError,
  LIST_VALUE,
} from './field-helpers.ts';

/** How many ids one existence query binds; longer lists are checked in chunks. */
export const RELATION_LOOKUP_CHUNK = 500;

/** The collection a relation field points to, or undefined when it is missing. */
export function relationTarget(field: FieldModel, ctx: { collection: CollectionModel; collections: CollectionLookup }): CollectionModel | undefined {
  const id = stringOption(field, 'collectionId');
  if (id === '') return undefined;
  // A self-relation of a collection being created is not in the lookup yet.
  if (id === ctx.collection.id) return ctx.collection;
  return ctx.collections.find(id);
}

async function missingIds(ids: readonly string[], target: CollectionModel, ctx: ValueValidationContext): Promise<boolean> {
  const q = ctx.dialect.quote.bind(ctx.dialect);
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += RELATION_LOOKUP_CHUNK) {
    const chunk = ids.slice(i, i + RELATION_LOOKUP_CHUNK);
    const rows = await ctx.db.all<{ id: unknown }>(
      // Shared row locks: a concurrent delete of a referenced record waits for this save, then
      // its reference cleanup sees (and resolves) the new reference, so none is left dangling.
      `SELECT ${q('id')} AS id FROM ${q(target.name)} WHERE ${q('id')} IN (${chunk.map(() => '?').join(', ')})${target.type === 'view' ? '' : ctx.dialect.lockRows('share')}`,
      chunk,
    );
    for (const row of rows) found.add(String(row.id));
  }
  return ids.some((id) => !found.has(id));
}

function checkCollectionId(field: FieldModel, ctx: SettingsValidationContext): FieldError | undefined {
  const v = field.collectionId;
  if (v !== undefined && v !== null && typeof v !== 'string') return unsupportedTypeError();
  if (typeof v !== 'string' || v === '') return requiredError();
  if (ctx.previous && ctx.previous.type === 'relation' && stringOption(ctx.previous, 'collectionId') !== v) {
    return fieldError('validation_field_relation_change', 'The relation collection cannot be changed.');
  }
  const target = v === ctx.collection.id ? ctx.collection : ctx.collections.find(v);
  // Only an id counts (not a name), as in PocketBase.
  if (!target || target.id !== v) return fieldError('validation_field_relation_missing_collection', "The relation collection doesn't exist.");
  // Only views may relate to views (pocketbase/pocketbase#3000).
  if (ctx.collection.type !== 'view' && target.type === 'view') {
    return fieldError('validation_relation_field_non_view_base_collection', 'Non view collections are not allowed to have a view relation.');
  }
  return undefined;
}

/** The `relation` field type. Single: text column; multiple: JSON array column. */
export const relationField: FieldType = {
  type: 'relation',
  ...LIST_VALUE,
  defaultOptions() {
    return { required: false, help: '', collectionId: '', cascadeDelete: false, minSelect: 0, maxSelect: 0 };
  },

  async validateValue(field, value, ctx) {
    if (typeof value !== 'string' && !Array.isArray(value)) return unsupportedTypeError();
    const ids = toUniqueStrings(value);
    if (ids.length === 0) return boolOption(field, 'required') ? requiredError() : undefined;
    const minSelect = numberOption(field, 'minSelect');
    if (minSelect > 0 && ids.length < minSelect) return fieldError('validation_not_enough_values', `Select at least ${minSelect}.`, { minSelect });
    const maxSelect = Math.max(numberOption(field, 'maxSelect'), 1);
    if (ids.length > maxSelect) return fieldError('validation_too_many_values', `Select no more than ${maxSelect}.`, { maxSelect });
    const target = relationTarget(field, ctx);
    if (!target) return fieldError('validation_missing_rel_collection', 'Relation connection is missing or cannot be accessed.');
    if (await missingIds(ids, target, ctx)) {
      return fieldError('validation_missing_rel_records', 'Failed to find all relation records with the provided ids.');
    }
    return undefined;
  },

  validateSettings(field, ctx) {
    const errors = commonSettingsErrors(field);
    errors.add('collectionId', checkCollectionId(field, ctx));
    errors.add('cascadeDelete', checkBool(field, 'cascadeDelete'));
    errors.add('minSelect', checkIntOption(field, 'minSelect', 0));
    const minSelect = numberOption(field, 'minSelect');
    if (minSelect > 0 && numberOption(field, 'maxSelect') === 0) errors.add('maxSelect', requiredError());
    errors.add('maxSelect', checkIntOption(field, 'maxSelect', Math.max(0, minSelect)));
    return errors.result();
  },
};
