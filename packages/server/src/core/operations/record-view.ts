/**
 * Views one record (spec §3.3): a missing record and one the view rule hides are the same 404,
 * so both are answered by one query that applies the rule.
 * @module
 */
import type { Row } from '../../storage/types.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { rowToRecord } from '../records/record.ts';
import { enrichRecords } from '../records/record-enrich.ts';
import { recordColumns } from '../records/record-finder.ts';
import { ROW_ALIAS, compileRule } from '../records/record-rules.ts';
import { collectionOrThrow, isSuperuser, reader, withCurrentDefinitions, type OperationContext } from './context.ts';

export function recordView(ctx: OperationContext, collectionIdOrName: string, id: string, options: { expand?: string } = {}): Promise<Record<string, unknown>> {
  return withCurrentDefinitions(ctx, () => viewOnce(ctx, collectionIdOrName, id, options));
}

async function viewOnce(ctx: OperationContext, collectionIdOrName: string, id: string, options: { expand?: string }): Promise<Record<string, unknown>> {
  const collection = collectionOrThrow(ctx, collectionIdOrName);
  const superuser = isSuperuser(ctx);
  if (!superuser && collection.viewRule === null) throw new ForbiddenError('Only superusers can perform this action.');
  const dialect = ctx.app.db.dialect;
  const q = dialect.quote.bind(dialect);
  const rule = !superuser && collection.viewRule?.trim() ? compileRule(ctx, collection, collection.viewRule) : undefined;
  const db = reader(ctx);
  const row = await db.get<Row>(
    `SELECT ${recordColumns(dialect, collection)} FROM ${q(collection.name)} ${ROW_ALIAS} WHERE ${ROW_ALIAS}.${q('id')} = ?${rule ? ` AND (${rule.sql})` : ''}`,
    rule ? [id, ...rule.params] : [id],
  );
  if (!row) throw new NotFoundError();
  const [json] = await enrichRecords(ctx, db, collection, [rowToRecord(collection, row)], { expand: options.expand });
  return json;
}
