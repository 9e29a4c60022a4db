/**
 * How large a create/update body may be for a collection (spec §3.5.6): the base limit plus
 * room for every field that can carry large content.
 * @module
 */
import type { CollectionModel } from '../collections/collection.ts';
import { DEFAULT_BODY_LIMIT } from '../settings/settings.ts';

const MiB = 1024 * 1024;

export function recordBodyLimit(collection: CollectionModel, base: number = DEFAULT_BODY_LIMIT): number {
  let limit = base;
  for (const f of collection.fields) {
    const maxSize = typeof f.maxSize === 'number' && f.maxSize > 0 ? f.maxSize : 0;
    if (f.type === 'file') limit += (maxSize || 5 * MiB) * Math.max(Number(f.maxSelect) || 0, 1);
    else if (f.type === 'editor') limit += maxSize || 5 * MiB;
    else if (f.type === 'json') limit += maxSize || MiB;
  }
  return limit;
}
