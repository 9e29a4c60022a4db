/**
 * Subscription strings (spec §7.3): `<topic>` optionally followed by `?options=<urlencoded JSON>`
 * where the JSON is `{"query": {...}, "headers": {...}}`. Parsed once, when a client subscribes;
 * the raw string is kept byte for byte because it is the event name sent back (spec A33).
 * @module
 */
import { parseFieldsParam, ProjectionError, type FieldsProjection } from '../../tools/fields-projection.ts';
import { normalizeHeaderName } from '../operations/context.ts';

/** Most subscriptions one client may hold (spec §7.2). */
export const MAX_SUBSCRIPTIONS_PER_CLIENT = 1000;
/** Longest subscription string, options included (spec §7.2). */
export const MAX_SUBSCRIPTION_LENGTH = 2500;
/** Prefix of custom topics that clients and server code publish to (Basalt extension). */
export const BROADCAST_PREFIX = 'broadcast/';

/** What a topic listens to. */
export type TopicTarget =
  /** `<coll>/*` or bare `<coll>`: every record of the collection, gated by its listRule. */
  | { kind: 'list'; collectionRef: string }
  /** `<coll>/<recordId>`: one record, gated by the viewRule. */
  | { kind: 'view'; collectionRef: string; recordId: string }
  /** `broadcast/<name>`: custom messages (Basalt extension). */
  | { kind: 'broadcast' };

export interface SubscriptionOptions {
  /** `@request.query.*` for rules, plus `filter`, `expand`, `fields`. Values are strings. */
  query: Record<string, string>;
  /** `@request.headers.*` for rules; names snake_cased like HTTP headers (spec §4.6). */
  headers: Record<string, string>;
}

/** A parsed subscription string. */
export interface ParsedSubscription {
  /** The string exactly as the client sent it: the event name of every delivery. */
  raw: string;
  /** The part before `?`. */
  topic: string;
  target: TopicTarget;
  options: SubscriptionOptions;
  /** Parsed `fields` option, when given. */
  projection?: FieldsProjection;
  /**
   * Why the options are unusable (not a JSON object), or undefined. Such a subscription is
   * kept (the client asked for it) but never delivered to, as PocketBase skips options it cannot read.
   */
  invalid?: string;
}

/** Stringifies an option value the way PocketBase does (`cast.ToString`). */
function optionString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function stringMap(value: unknown, key: (k: string) => string = (k) => k): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value)) out[key(k)] = optionString(v);
  return out;
}

/** Parses a subscription string; never throws (problems land in `invalid`). */
export function parseSubscription(raw: string): ParsedSubscription {
  const q = raw.indexOf('?');
  const topic = q === -1 ? raw : raw.slice(0, q);
  const options: SubscriptionOptions = { query: {}, headers: {} };
  let invalid: string | undefined;
  if (q !== -1) {
    const encoded = new URLSearchParams(raw.slice(q + 1)).get('options');
    if (encoded !== null && encoded !== '') {
      try {
        const parsed = JSON.parse(encoded) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('options must be a JSON object');
        options.query = stringMap((parsed as Record<string, unknown>).query);
        options.headers = stringMap((parsed as Record<string, unknown>).headers, normalizeHeaderName);
      } catch (err) {
        invalid = `Invalid subscription options: ${(err as Error).message}`;
      }
    }
  }
  let projection: FieldsProjection | undefined;
  if (!invalid && options.query.fields) {
    try {
      projection = parseFieldsParam(options.query.fields);
    } catch (err) {
      // Mirrors PocketBase apis/realtime.go: a `fields` value that cannot be picked is ignored
      // and the whole record is sent.
      if (!(err instanceof ProjectionError)) throw err;
    }
  }
  return { raw, topic, target: topicTarget(topic), options, projection, invalid };
}

/** Classifies a topic (the part of a subscription before `?`). */
export function topicTarget(topic: string): TopicTarget {
  if (topic.startsWith(BROADCAST_PREFIX) && topic.length > BROADCAST_PREFIX.length) return { kind: 'broadcast' };
  const slash = topic.indexOf('/');
  if (slash === -1) return { kind: 'list', collectionRef: topic };
  const collectionRef = topic.slice(0, slash);
  const rest = topic.slice(slash + 1);
  return rest === '*' ? { kind: 'list', collectionRef } : { kind: 'view', collectionRef, recordId: rest };
}

/**
 * The topics a record event is delivered to (spec §7.4 step 1): by collection name or id, as the
 * client wrote it (case-sensitive), for the whole collection, the one record, or the legacy bare name.
 */
export function recordEventTopics(collection: { id: string; name: string }, recordId: string): string[] {
  const refs = collection.id === collection.name ? [collection.name] : [collection.name, collection.id];
  return refs.flatMap((ref) => [`${ref}/*`, `${ref}/${recordId}`, ref]);
}
