/**
 * `POST /api/batch` (spec §9): record sub-requests run in order inside one transaction; the first
 * failure rolls everything back and is reported under `data.requests.<index>`.
 * Sub-requests are HTTP-shaped (method + URL), so the routing lives here in the REST transport;
 * each one calls the same operation its standalone route calls.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../core/app.ts';
import { BadRequestError, ForbiddenError, NotFoundError, ValidationError, fieldError, type FieldErrors } from '../../core/errors.ts';
import { deriveContext, normalizeHeaderName, runAfterCommit, type OperationContext } from '../../core/operations/context.ts';
import { recordCreate } from '../../core/operations/record-create.ts';
import { recordDelete } from '../../core/operations/record-delete.ts';
import { recordUpdate } from '../../core/operations/record-update.ts';
import { findRecordById } from '../../core/records/record-finder.ts';
import { applyProjection, parseFieldsParam } from '../../tools/fields-projection.ts';
import { toErrorEnvelope } from './errors.ts';
import { bodyOf, contextOf, sendJson } from './rest-context.ts';
import { fileUploadsOf, MAX_DYNAMIC_BODY_LIMIT } from './body.ts';
import type { RecordUploads } from '../../core/records/record-files.ts';

/** Longest sub-request URL (spec §9.1). */
export const MAX_BATCH_URL_LENGTH = 2000;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const RECORDS_PATH = /^\/api\/collections\/([^/]+)\/records(?:\/([^/]+))?$/;

interface SubRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  files?: RecordUploads;
}

/** A batch file part's name: `requests.<index>.<fieldKey>` or `requests[<index>].<fieldKey>` (spec §9.1). */
const BATCH_FILE_KEY = /^requests(?:\.(\d+)|\[(\d+)\])\.(.+)$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseRequests(body: Record<string, unknown>, maxRequests: number): SubRequest[] {
  const invalid = (errors: FieldErrors) => new ValidationError('Invalid batch request data.', { requests: errors });
  const list = body.requests;
  if (!Array.isArray(list) || list.length === 0) throw new ValidationError('Invalid batch request data.', { requests: fieldError('validation_required', 'Cannot be blank.') });
  if (list.length > maxRequests) {
    throw new ValidationError('Invalid batch request data.', { requests: fieldError('validation_length_too_long', `The length must be no more than ${maxRequests}.`, { max: maxRequests }) });
  }
  const errors: FieldErrors = {};
  const out = list.map((raw, i): SubRequest => {
    const e: FieldErrors = {};
    const r = isObject(raw) ? raw : {};
    const method = typeof r.method === 'string' ? r.method.toUpperCase() : '';
    if (!method) e.method = fieldError('validation_required', 'Cannot be blank.');
    else if (!METHODS.has(method)) e.method = fieldError('validation_in_invalid', 'Must be a valid value.');
    const url = typeof r.url === 'string' ? r.url : '';
    if (!url) e.url = fieldError('validation_required', 'Cannot be blank.');
    else if (url.length > MAX_BATCH_URL_LENGTH) e.url = fieldError('validation_length_too_long', `The length must be no more than ${MAX_BATCH_URL_LENGTH}.`, { max: MAX_BATCH_URL_LENGTH });
    const headers: Record<string, string> = {};
    if (r.headers !== undefined && r.headers !== null) {
      if (!isObject(r.headers)) e.headers = fieldError('validation_invalid_value', 'Invalid value.');
      else for (const [k, v] of Object.entries(r.headers)) headers[normalizeHeaderName(k)] = String(v);
    }
    if (r.body !== undefined && r.body !== null && !isObject(r.body)) e.body = fieldError('validation_invalid_value', 'Invalid value.');
    if (Object.keys(e).length) errors[String(i)] = e;
    return { method, url, headers, body: isObject(r.body) ? r.body : {} };
  });
  if (Object.keys(errors).length) throw invalid(errors);
  return out;
}

/** Runs one sub-request; returns its response. */
async function runOne(ctx: OperationContext, sub: SubRequest): Promise<{ status: number; body: unknown }> {
  let url: URL;
  let collection: string;
  let id: string | undefined;
  try {
    url = new URL(sub.url, 'http://batch.invalid');
    const m = RECORDS_PATH.exec(url.pathname);
    if (!m) throw new NotFoundError();
    collection = decodeURIComponent(m[1]);
    id = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
  } catch (err) {
    if (err instanceof NotFoundError) throw err;
    throw new BadRequestError('Invalid batch request URL.', { cause: err });
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (!(k in query)) query[k] = v;
  const subCtx: OperationContext = deriveContext(ctx, { method: sub.method, query, headers: { ...ctx.headers, ...sub.headers } });
  const options = { expand: query.expand, files: sub.files };
  let result: unknown;
  if (sub.method === 'POST' && id === undefined) result = await recordCreate(subCtx, collection, sub.body, options);
  else if (sub.method === 'PATCH' && id !== undefined) result = await recordUpdate(subCtx, collection, id, sub.body, options);
  else if (sub.method === 'DELETE' && id !== undefined) {
    await recordDelete(subCtx, collection, id);
    return { status: 204, body: null };
  } else if (sub.method === 'PUT' && id === undefined) {
    // Upsert: update when body.id names an existing record, create otherwise (spec §9.1).
    const c = ctx.app.collections.find(collection);
    const existing = c && typeof sub.body.id === 'string' && sub.body.id !== '' ? await findRecordById(ctx.tx!, ctx.app.db.dialect, c, sub.body.id) : undefined;
    result = existing ? await recordUpdate(subCtx, collection, String(sub.body.id), sub.body, options) : await recordCreate(subCtx, collection, sub.body, options);
  } else {
    throw new BadRequestError('Unsupported batch request.');
  }
  return { status: 200, body: query.fields ? applyProjection(result, parseFieldsParam(query.fields)) : result };
}

export function batchRoutes(server: FastifyInstance, app: App): void {
  server.post('/api/batch', { bodyLimit: MAX_DYNAMIC_BODY_LIMIT }, async (request, reply) => {
    const ctx = await contextOf(app, request);
    const settings = app.settings.current.batch;
    if (!settings.enabled || settings.maxRequests <= 0) throw new ForbiddenError('Batch requests are not allowed.');
    const requests = parseRequests(bodyOf(request), settings.maxRequests);
    requests.forEach((sub, i) => {
      sub.files = fileUploadsOf(request.uploads, (field) => {
        const m = BATCH_FILE_KEY.exec(field);
        return m && Number(m[1] ?? m[2]) === i ? m[3] : undefined;
      });
    });
    const deadline = Date.now() + (settings.timeout > 0 ? settings.timeout : 3) * 1000;
    const results: Array<{ status: number; body: unknown }> = [];
    const afterCommit: Array<() => Promise<void>> = [];
    const afterRollback: Array<() => Promise<void>> = [];
    await app.db.transaction(async (tx) => {
      for (const [i, sub] of requests.entries()) {
        if (Date.now() > deadline) throw new BadRequestError('Batch transaction failed.');
        try {
          results.push(await runOne(deriveContext(ctx, { tx, afterCommit, afterRollback, requestContext: 'batch' }), sub));
          // Writes a sub-request deferred (Executor.defer) must fail as that sub-request.
          await tx.settle?.();
        } catch (err) {
          const { body } = toErrorEnvelope(err);
          // The batch answers 400 either way; an unexpected failure still belongs in the error log.
          if (body.status >= 500) app.logger.error({ err, reqId: request.id }, 'batch sub-request failed');
          throw new BadRequestError('Batch transaction failed.', {
            cause: err,
            data: { requests: { [String(i)]: { code: 'batch_request_failed', message: 'Batch request failed.', response: body } } },
          });
        }
      }
    }).catch(async (err: unknown) => {
      // Files written for sub-requests that did not fail go too: nothing of the batch remains.
      await runAfterCommit(app, afterRollback);
      throw err;
    });
    await runAfterCommit(app, afterCommit);
    return sendJson(request, reply, results);
  });
}
