/**
 * Rows appended with `COPY … FROM STDIN`: one message for the statement, the rows as text in one
 * CopyData message, then CopyDone. PostgreSQL parses COPY's text format far more cheaply than
 * the parameters of a multi-row INSERT, and the driver writes one buffer instead of binding each
 * value: for the request log, whose every request adds a row, this halves what a row costs.
 *
 * `pg` has no API for COPY; its Query is subclassed (pg refuses other query objects on a
 * pipelined connection) and answers the CopyInResponse that its own Query would refuse. The
 * statement must be the only one on its connection: a statement pipelined behind it would reach
 * the server while it still expects copy data.
 * @module
 */
import pg from 'pg';
import type { SqlValue } from '../types.ts';

/** The parts of pg's connection that copy data goes through (pg/lib/connection.js). */
interface PgConnection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

const PgQuery = pg.Query as unknown as new (text: string, values: undefined, callback: (err: Error | null) => void) => object;

class CopyIn extends PgQuery {
  readonly #data: Buffer;

  constructor(sql: string, data: Buffer, callback: (err: Error | null) => void) {
    super(sql, undefined, callback);
    this.#data = data;
  }

  /**
   * Sends every row and ends the copy. Should the server refuse a row, it answers with the error
   * and drops what follows up to the end of the copy, so sending everything at once is safe.
   */
  handleCopyInResponse(connection: PgConnection): void {
    connection.sendCopyFromChunk(this.#data);
    connection.endCopyFrom();
  }
}

/** Runs `sql` (a `COPY … FROM STDIN` in text format) on `client` with `rows` as its data. */
export function copyIn(client: pg.PoolClient, sql: string, rows: readonly (readonly SqlValue[])[]): Promise<void> {
  const data = Buffer.from(copyText(rows));
  return new Promise((resolve, reject) => {
    client.query(new CopyIn(sql, data, (err) => (err ? reject(err) : resolve())) as unknown as pg.Query);
  });
}

const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `rows` in COPY's text format: tab between columns, newline after each row, `\N` for NULL, and
 * backslash, newline, carriage return and tab escaped in values. Numbers are written as
 * PostgreSQL reads them (`NaN` and `Infinity` included) and bytes as hex.
 */
function copyText(rows: readonly (readonly SqlValue[])[]): string {
  let out = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      if (i > 0) out += '\t';
      const v = row[i];
      if (v === null) out += '\\N';
      else if (typeof v === 'string') out += SPECIAL.test(v) ? v.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : v;
      else if (v instanceof Uint8Array) out += `\\\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
      else out += String(v);
    }
    out += '\n';
  }
  return out;
}
