/**
 * The one registry of field types. Each type lives in its own file and is listed here.
 * @module
 */
import type { FieldModel } from '../collections/collection.ts';
import type { FieldType } from './field.ts';

const types = new Map<string, FieldType>();

/** Registers a field type; a later registration under the same name replaces the earlier one. */
export function registerFieldType(type: FieldType): void {
  types.set(type.type, type);
}

/** The field type called `name`, or undefined. */
export function findFieldType(name: string): FieldType | undefined {
  return types.get(name);
}

/** The type of `field`; throws TypeError for an unknown type (collections are validated on save). */
export function fieldTypeOf(field: FieldModel): FieldType {
  const t = types.get(field.type);
  if (!t) throw new TypeError(`Unknown field type ${JSON.stringify(field.type)} (field ${field.name}).`);
  return t;
}

/** Names of every registered type. */
export function fieldTypeNames(): string[] {
  return [...types.keys()];
}
