import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { App } from '../app.ts';
import { deriveContext, type OperationContext } from './context.ts';

test('deriveContext lays extras over the context without reading its getters', () => {
  let built = 0;
  const ctx: OperationContext = {
    app: {} as App,
    auth: null,
    method: 'POST',
    requestContext: 'default',
    get query() {
      built++;
      return { q: '1' };
    },
    get headers() {
      built++;
      return { x: '2' };
    },
    ip: '127.0.0.1',
  };
  const derived = deriveContext(ctx, { requestContext: 'expand', afterCommit: [] });
  assert.equal(built, 0, 'a getter ran while deriving');
  assert.equal(derived.requestContext, 'expand');
  assert.deepEqual(derived.afterCommit, []);
  assert.equal(derived.method, 'POST');
  assert.equal(ctx.requestContext, 'default', 'the original changed');
  assert.deepEqual(derived.headers, { x: '2' });
  assert.equal(built, 1);
});

test('deriveContext of a derived context sees every layer, the nearest first', () => {
  const base = { app: {} as App, auth: null, method: 'GET', requestContext: 'default', query: {}, headers: {}, ip: '::1' } satisfies OperationContext;
  const outer = deriveContext(base, { requestContext: 'batch', afterCommit: [] as Array<() => Promise<void>> });
  const inner = deriveContext(outer, { method: 'PATCH' });
  assert.equal(inner.method, 'PATCH');
  assert.equal(inner.requestContext, 'batch');
  assert.equal(inner.afterCommit, outer.afterCommit, 'the after-commit list is shared, not copied');
  assert.equal(inner.ip, '::1');
  assert.equal(outer.method, 'GET');
});

test('deriveContext can replace a property the context only has a getter for', () => {
  const ctx = {
    app: {} as App,
    auth: null,
    method: 'POST',
    requestContext: 'default',
    get query(): Record<string, string> {
      return { from: 'request' };
    },
    headers: {},
    ip: '::1',
  } satisfies OperationContext;
  assert.deepEqual(deriveContext(ctx, { query: { from: 'batch' } }).query, { from: 'batch' });
});
