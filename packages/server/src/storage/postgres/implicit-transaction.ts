/**
 * Several statements sent as one implicit transaction: each statement's Parse (when the
 * connection has not prepared it), Bind and Execute, then a single Sync. PostgreSQL runs what
 * comes before a Sync in one transaction when no BEGIN opened one, commits it at the Sync, and
 * after a failure skips the rest and rolls back. So a transaction whose statements need no
 * answers costs the database one round of protocol messages instead of one per statement plus
 * BEGIN and COMMIT, and the driver one query object instead of four.
 *
 * `pg` has no API for this; its Query is subclassed (pg refuses other query objects on a
 * pipelined connection) and takes part in pg's bookkeeping of named statements the way pg's
 * own Query does: parsedStatements and submittedNamedStatements on the connection.
 * @module
 */
import pg from 'pg';

/** A statement as `statement()` in postgres-database.ts makes it: named when prepared by name. */
export interface ImplicitStatement {
  name?: string;
  text: string;
  values?: unknown[];
  /** Settled with the statement: resolved once it ran, or when it was skipped after a failure. */
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** What the transaction ended with, as the answer to a COMMIT would say. */
export interface ImplicitOutcome {
  command: 'COMMIT' | 'ROLLBACK';
}

/** The parts of pg's connection the protocol messages go through (pg/lib/connection.js). */
interface PgConnection {
  stream: { cork(): void; uncork(): void };
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  parse(message: { name?: string; text: string }): void;
  bind(message: { statement?: string; values: unknown[]; valueMapper: (value: unknown) => unknown }): void;
  execute(message: Record<string, never>): void;
  sync(): void;
}

const PgQuery = pg.Query as unknown as new (config: { text: string }) => object;

/** Values arrive bound already (bind() in postgres-database.ts); pg only needs them as text. */
const toWire = (v: unknown): unknown => (v === null || v === undefined ? null : typeof v === 'string' || Buffer.isBuffer(v) ? v : String(v));

/**
 * True for a statement's failure, which carries a SQLSTATE. Anything else is the connection's,
 * and leaves the transaction's fate unknown to the caller.
 */
const isStatementError = (err: unknown): boolean => typeof (err as { code?: unknown })?.code === 'string' && /^[0-9A-Z]{5}$/.test((err as { code: string }).code);

class ImplicitTransaction extends PgQuery {
  readonly #statements: readonly ImplicitStatement[];
  /** Statements whose Parse goes out in this transaction, by index. */
  readonly #parsing = new Set<number>();
  /** Statements that completed; the next one is the one the database answers about. */
  #done = 0;
  readonly #resolve: (outcome: ImplicitOutcome) => void;
  readonly #reject: (error: unknown) => void;
  /**
   * Set by pg when a read timeout (`query_timeout`) applies: its wrapper clears the timer, which
   * would otherwise fire after the transaction ended and destroy the connection under its next
   * user. Called once, when the transaction settles.
   */
  declare callback: ((error: unknown) => void) | undefined;

  constructor(statements: readonly ImplicitStatement[], resolve: (outcome: ImplicitOutcome) => void, reject: (error: unknown) => void) {
    super({ text: '' });
    this.#statements = statements;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /**
   * pg reads these when a ParseComplete arrives, to record the statement as prepared, and on an
   * error, to forget one only submitted: both concern the statement the database is at.
   */
  get name(): string | undefined {
    return this.#parsing.has(this.#done) ? this.#statements[this.#done].name : undefined;
  }
  get text(): string | undefined {
    return this.#statements[this.#done]?.text;
  }
  // pg's Query constructor assigns both; the accessors above answer instead.
  set name(_: unknown) {}
  set text(_: unknown) {}

  submit(connection: PgConnection): null {
    connection.stream.cork();
    try {
      this.#statements.forEach((s, i) => {
        const name = s.name;
        if (name === undefined || (connection.parsedStatements[name] === undefined && connection.submittedNamedStatements[name] === undefined)) {
          connection.parse({ name, text: s.text });
          if (name !== undefined) {
            connection.submittedNamedStatements[name] = s.text;
            this.#parsing.add(i);
          }
        }
        connection.bind({ statement: name, values: s.values ?? [], valueMapper: toWire });
        connection.execute({});
      });
      connection.sync();
    } finally {
      connection.stream.uncork();
    }
    return null;
  }

  // Rows are not wanted: no Describe is sent, and DataRows are dropped.
  handleRowDescription(): void {}
  handleDataRow(): void {}

  handleCommandComplete(): void {
    this.#statements[this.#done++]?.resolve();
  }
  handleEmptyQuery(): void {
    this.handleCommandComplete();
  }

  handleReadyForQuery(): void {
    this.#settled(null);
    this.#resolve({ command: 'COMMIT' });
  }

  #settled(error: unknown): void {
    const callback = this.callback;
    this.callback = undefined;
    callback?.(error);
  }

  /**
   * pg calls this, not handleReadyForQuery, when the transaction fails. The statement the
   * database was at failed; the ones after it never ran. A failure after the last statement is
   * the commit's own, and a failure of the connection leaves the outcome unknown: both reject.
   */
  handleError(err: unknown, connection: PgConnection): void {
    this.#settled(err);
    const statements = this.#statements;
    const failed = this.#done;
    this.#done = statements.length;
    for (let i = failed; i < statements.length; i++) {
      const s = statements[i];
      if (i === failed) s.reject(err);
      else s.resolve();
      // Skipped by the database: a Parse sent for it never ran.
      if (i > failed && this.#parsing.has(i) && s.name !== undefined) delete connection.submittedNamedStatements[s.name];
    }
    if (failed < statements.length && isStatementError(err)) this.#resolve({ command: 'ROLLBACK' });
    else this.#reject(err);
  }
}

/**
 * Sends `statements` on `client` as one implicit transaction (see the module comment); the
 * promise says whether it committed. Each statement's own outcome settles its callbacks.
 */
export function sendImplicitTransaction(client: pg.PoolClient, statements: readonly ImplicitStatement[]): Promise<ImplicitOutcome> {
  return new Promise((resolve, reject) => {
    const tx = new ImplicitTransaction(statements, resolve, reject);
    try {
      client.query(tx as unknown as pg.Query);
    } catch (err) {
      // Not queued, or failed while being written: settle every statement, or whoever waits
      // for them would wait forever. The rejection (no SQLSTATE) has the connection discarded,
      // so a Sync never follows what may have been written, and nothing of it commits.
      tx.handleError(err, (client as unknown as { connection: PgConnection }).connection);
    }
  });
}
