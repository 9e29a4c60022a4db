import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { App } from '../app.ts';
import { deriveContext, lazyContext, type OperationContext } from './context.ts';

function counted() {
  const built = { query: 0, headers: 0 };
  const ctx = lazyContext(
    { app: {} as App, auth: null, method: 'POST', requestContext: 'default', ip: '127.0.0.1' },
    {
      query: () => (built.query++, { q: '1' }),
      headers: () => (built.headers++, { x: '2' }),
    },
  );
  return { ctx, built };
}

test('lazyContext builds query and headers on first read, once, shared with derived contexts', () => {
  const { ctx, built } = counted();
  const derived = deriveContext(ctx, { requestContext: 'expand', afterCommit: [] });
  const twice = deriveContext(derived, { method: 'GET' });
  assert.deepEqual(built, { query: 0, headers: 0 }, 'a builder ran before anything read it');
  assert.equal(derived.requestContext, 'expand');
  assert.deepEqual(derived.afterCommit, []);
  assert.equal(derived.method, 'POST');
  assert.equal(ctx.requestContext, 'default', 'the original changed');
  assert.deepEqual(twice.headers, { x: '2' });
  assert.deepEqual(ctx.headers, { x: '2' });
  assert.deepEqual(derived.headers, { x: '2' });
  assert.deepEqual(built, { query: 0, headers: 1 });
  assert.equal(twice.method, 'GET');
  assert.equal(twice.requestContext, 'expand');
});

test('deriveContext can replace a lazy property, leaving the original lazy', () => {
  const { ctx, built } = counted();
  const sub = deriveContext(ctx, { query: { from: 'batch' } });
  assert.deepEqual(sub.query, { from: 'batch' });
  assert.equal(built.query, 0);
  assert.deepEqual(deriveContext(sub, { ip: '::1' }).query, { from: 'batch' }, 'a replaced value is copied onwards');
  assert.deepEqual(ctx.query, { q: '1' });
});

test('deriveContext of a plain context copies it and shares the after-commit list', () => {
  const base = { app: {} as App, auth: null, method: 'GET', requestContext: 'default', query: {}, headers: {}, ip: '::1' } satisfies OperationContext;
  const outer = deriveContext(base, { requestContext: 'batch', afterCommit: [] as Array<() => Promise<void>> });
  const inner = deriveContext(outer, { method: 'PATCH' });
  assert.equal(inner.method, 'PATCH');
  assert.equal(inner.requestContext, 'batch');
  assert.equal(inner.afterCommit, outer.afterCommit, 'the after-commit list is shared, not copied');
  assert.equal(inner.ip, '::1');
  assert.equal(outer.method, 'GET');
  assert.equal(Object.getPrototypeOf(inner), Object.prototype);
});
