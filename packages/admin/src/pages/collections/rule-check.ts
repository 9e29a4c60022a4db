/**
 * Checks a collection's rules against the server while the user types.
 *
 * The server has no dry-run endpoint, so we ask it to create a copy of the draft under the id
 * `!rule-check`. That id can never pass validation (ids are `^\w+$`), and validation runs in
 * full before any DDL or write, so the request always fails with a 400 whose envelope holds
 * every rule's precise error (`validation_invalid_rule`, with the parser's position), checked
 * in rule mode against the draft's own fields — exactly what saving would report.
 * Checking the rule as a records filter instead would differ: filters resolve `@request.auth`
 * against the superuser, and an unsaved collection has no records endpoint.
 * @module
 */
import type { CollectionModel } from 'pocketbase';
import { ClientResponseError } from 'pocketbase';
import { errorMessage, fieldErrorsOf, isFieldError } from '../../lib/errors.ts';
import { pb } from '../../lib/pb.ts';

const RULE_CHECK_ID = '!rule-check';

export type RuleName = 'listRule' | 'viewRule' | 'createRule' | 'updateRule' | 'deleteRule' | 'authRule' | 'manageRule';

export interface RuleCheckResult {
  /** Problems per rule; a rule absent here is valid. */
  problems: Partial<Record<RuleName, string>>;
  /** Set when the rules could not be checked (fields invalid, server unreachable). */
  unchecked?: string;
}

const RULES: RuleName[] = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule', 'authRule', 'manageRule'];

export async function checkRules(draft: Partial<CollectionModel>): Promise<RuleCheckResult> {
  try {
    await pb.collections.create({ ...draft, id: RULE_CHECK_ID, created: undefined, updated: undefined }, { requestKey: 'rule-check' });
  } catch (err) {
    if (err instanceof ClientResponseError && err.status === 400) {
      const data = fieldErrorsOf(err);
      const problems: RuleCheckResult['problems'] = {};
      for (const rule of RULES) {
        const e = data[rule];
        if (isFieldError(e)) problems[rule] = e.message;
      }
      // The server checks rules only once the fields are valid.
      return data.fields ? { problems, unchecked: 'Rules are checked once the fields are valid.' } : { problems };
    }
    if (err instanceof ClientResponseError && err.isAbort) throw err;
    return { problems: {}, unchecked: `Could not check the rules: ${errorMessage(err)}` };
  }
  // Unreachable in practice (the id is always invalid); should it ever be created, remove it.
  await pb.collections.delete(RULE_CHECK_ID).catch(() => undefined);
  return { problems: {} };
}

/** The character position the parser reported, if any ("… at position 12 …", counted from 0). */
export function problemPosition(message: string): number | undefined {
  const m = /at position (\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
}
