/**
 * Internal tables of auth features that are not collections: TOTP enrolments (secret, recovery
 * code digests, last accepted step). Not exposed through the records API.
 * @module
 */
import type { SqlDialect } from '../../storage/types.ts';

/** Name of the TOTP enrolment table. */
export const TOTP_TABLE = '_authTotps';

/** DDL creating the auth tables when missing. */
export function authTablesSql(dialect: SqlDialect): string {
  const q = dialect.quote.bind(dialect);
  return `CREATE TABLE IF NOT EXISTS ${q(TOTP_TABLE)} (
    ${q('collectionRef')} TEXT NOT NULL,
    ${q('recordRef')} TEXT NOT NULL,
    ${q('secret')} TEXT NOT NULL,
    ${q('confirmed')} INTEGER DEFAULT 0 NOT NULL,
    ${q('recoveryCodes')} TEXT DEFAULT '[]' NOT NULL,
    ${q('lastStep')} BIGINT DEFAULT -1 NOT NULL,
    ${q('created')} TEXT DEFAULT '' NOT NULL,
    ${q('updated')} TEXT DEFAULT '' NOT NULL,
    PRIMARY KEY (${q('collectionRef')}, ${q('recordRef')})
  )`;
}
