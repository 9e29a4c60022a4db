import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientResponseError } from 'pocketbase';
import { fromLocalInput, toLocalInput } from '../src/lib/datetime.ts';
import { errorAt, errorMessage, errorsAt, fieldErrorsOf, flattenErrors } from '../src/lib/errors.ts';

describe('datetime-local ↔ PocketBase UTC', () => {
  // Node applies a TZ change at once; a zone with an offset shows the conversion happens.
  process.env.TZ = 'America/Sao_Paulo';

  it('shows a stored UTC datetime in local time', () => {
    assert.equal(toLocalInput('2024-05-06 10:08:09.000Z'), '2024-05-06T07:08:09');
  });
  it('stores a local input as UTC in PocketBase format', () => {
    assert.equal(fromLocalInput('2024-05-06T07:08:09'), '2024-05-06 10:08:09.000Z');
  });
  it('round-trips', () => {
    assert.equal(fromLocalInput(toLocalInput('2030-12-31 23:59:59.000Z')), '2030-12-31 23:59:59.000Z');
  });
  it('maps empty and invalid values to empty', () => {
    assert.equal(toLocalInput(''), '');
    assert.equal(toLocalInput(null), '');
    assert.equal(toLocalInput('not a date'), '');
    assert.equal(fromLocalInput(''), '');
    assert.equal(fromLocalInput('garbage'), '');
  });
});

describe('error envelope helpers', () => {
  const err = new ClientResponseError({
    url: 'http://x/api/collections',
    status: 400,
    response: {
      status: 400,
      message: 'Failed to create collection.',
      data: { name: { code: 'validation_required', message: 'Cannot be blank.' }, fields: { 2: { max: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 0.' } } } },
    },
  });

  it('reads the message and the nested field errors', () => {
    assert.equal(errorMessage(err), 'Failed to create collection.');
    const data = fieldErrorsOf(err);
    assert.equal(errorAt(data, 'name'), 'Cannot be blank.');
    assert.equal(errorAt(data, 'fields', 2, 'max'), 'Must be no less than 0.');
    assert.equal(errorAt(data, 'fields', 1, 'max'), undefined);
    assert.equal(errorAt(data, 'name', 'deeper'), undefined);
    assert.deepEqual(errorsAt(data, 'fields', 2), { max: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 0.' } });
    assert.deepEqual(flattenErrors(data), ['name: Cannot be blank.', 'fields.2.max: Must be no less than 0.']);
  });
  it('describes a network failure and plain errors', () => {
    assert.equal(errorMessage(new ClientResponseError({ status: 0 })), 'Cannot reach the server.');
    assert.equal(errorMessage(new Error('boom')), 'boom');
    assert.deepEqual(fieldErrorsOf(new Error('boom')), {});
  });
});
