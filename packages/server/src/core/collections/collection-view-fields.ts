/**
 * Derives the fields of a view collection from its query (spec §5.1): `id` becomes the text
 * primary key; a column that reads a collection field keeps that field's definition; aggregates
 * and numeric casts become numbers; anything else is json.
 * @module
 */
import type { Executor, SqlDialect } from '../../storage/types.ts';
import { fieldIdFor } from '../../tools/ids.ts';
import { findFieldType } from '../fields/registry.ts';
import type { CollectionLookup, CollectionModel, FieldModel } from './collection.ts';
import { findField } from './collection.ts';
import { idField } from './collection-defaults.ts';

function freshField(type: string, name: string, extra: Record<string, unknown> = {}): FieldModel {
  return { ...(findFieldType(type)?.defaultOptions() ?? {}), id: fieldIdFor(type, name), name, type, system: false, hidden: false, presentable: false, ...extra };
}

/** Names of collections the query reads from (FROM and JOIN clauses). */
function sourceCollections(query: string, lookup: CollectionLookup): CollectionModel[] {
  const out: CollectionModel[] = [];
  for (const m of query.matchAll(/\b(?:from|join)\s+[`"[]?(\w+)[`"\]]?/gi)) {
    const c = lookup.find(m[1]);
    if (c && c.type !== 'view' && !out.includes(c)) out.push(c);
  }
  return out;
}

/** Fields for the view `name` as it exists in the database now. */
export async function deriveViewFields(db: Executor, dialect: SqlDialect, view: CollectionModel, lookup: CollectionLookup): Promise<FieldModel[]> {
  const columns = await dialect.listColumns(db, view.name);
  const query = view.viewQuery ?? '';
  const sources = sourceCollections(query, lookup);
  const previous = new Map(view.fields.map((f) => [f.name, f]));
  const fields: FieldModel[] = [];
  for (const name of columns) {
    let field: FieldModel;
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const aggregate = new RegExp(`\\b(count|total|sum|avg|min|max)\\s*\\([^)]*\\)\\s+(?:as\\s+)?[\`"']?${escaped}[\`"']?(?:\\s|,|$)`, 'i').test(query);
    const cast = new RegExp(`cast\\s*\\([^)]*\\bas\\s+(\\w+)\\s*\\)\\s+(?:as\\s+)?[\`"']?${escaped}[\`"']?(?:\\s|,|$)`, 'i').exec(query);
    if (name === 'id') {
      field = { ...idField(), min: 0, max: 0, pattern: '', autogeneratePattern: '' };
    } else if (aggregate) {
      field = freshField('number', name);
    } else if (cast) {
      const t = cast[1].toLowerCase();
      field = freshField(['int', 'integer', 'real', 'decimal', 'numeric'].includes(t) ? 'number' : ['bool', 'boolean'].includes(t) ? 'bool' : 'text', name);
    } else {
      const origin = sources.map((s) => findField(s, name)).find((f) => f !== undefined);
      field = origin ? { ...origin, id: fieldIdFor(origin.type, name), system: false, primaryKey: undefined } : freshField('json', name);
      if (field.primaryKey === undefined) delete field.primaryKey;
    }
    const prev = previous.get(name);
    if (prev && prev.type === field.type) field.id = prev.id;
    fields.push(field);
  }
  return fields;
}
