/**
 * Rate-limit rules (spec §10.6): validation of `settings.rateLimits`, the choice of the one rule
 * that applies to a request, and fixed-window counting per (rule, route, client IP).
 * @module
 */
import { isIP } from 'node:net';
import { FixedWindowCounter } from '../../tools/fixed-window.ts';
import { fieldError, type FieldErrors } from '../errors.ts';
import type { Settings } from './settings.ts';

export type RateLimitRule = Settings['rateLimits']['rules'][number];

/** Label forms: `<collection>:<tag>` / `*:<tag>`, `METHOD /path`, `/path`, prefixes ending in `/`. */
const LABEL = /^(?:(?:\*|[A-Za-z0-9_]+):[A-Za-z0-9]+|(?:(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) )?\/[^\s]*)$/;

/** What a request offers to rule matching. */
export interface RateLimitRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Collection name of a collection-scoped endpoint. */
  collection?: string;
  /** Tags of the endpoint (`create`, `authWithPassword`, `auth`…). */
  tags: readonly string[];
  isAuth: boolean;
}

const audienceFits = (r: RateLimitRule, isAuth: boolean) => r.audience === '' || (r.audience === '@auth' ? isAuth : r.audience === '@guest' ? !isAuth : false);

/** The rule enforced for `req`, or undefined (spec §10.6 candidate order; first match wins). */
export function matchRateLimitRule(rules: readonly RateLimitRule[], req: RateLimitRequest): RateLimitRule | undefined {
  const candidates: string[] = [];
  if (req.collection) {
    for (const t of req.tags) candidates.push(`${req.collection}:${t}`);
    for (const t of req.tags) candidates.push(`*:${t}`);
  }
  candidates.push(`${req.method} ${req.path}`, req.path);
  const usable = rules.filter((r) => audienceFits(r, req.isAuth));
  for (const c of candidates) {
    const exact = usable.find((r) => r.label === c);
    if (exact) return exact;
    const prefix = usable.find((r) => r.label.endsWith('/') && `${c}/`.startsWith(r.label));
    if (prefix) return prefix;
  }
  return undefined;
}

/** Validation errors of `settings.rateLimits` (empty when valid). */
export function validateRateLimits(rl: Settings['rateLimits']): FieldErrors {
  const errors: FieldErrors = {};
  if (!Array.isArray(rl.rules)) return { rules: fieldError('validation_invalid_value', 'Invalid value.') };
  const ruleErrors: FieldErrors = {};
  const keys: string[] = [];
  rl.rules.forEach((r, i) => {
    const e: FieldErrors = {};
    if (typeof r !== 'object' || r === null) {
      ruleErrors[String(i)] = fieldError('validation_invalid_value', 'Invalid value.');
      return;
    }
    if (typeof r.label !== 'string' || !LABEL.test(r.label)) e.label = fieldError('validation_invalid_rate_limit_label', 'Invalid rate limit label.');
    if (!['', '@guest', '@auth'].includes(r.audience as string)) e.audience = fieldError('validation_in_invalid', 'Must be a valid value.');
    if (!Number.isInteger(r.duration) || r.duration < 1) e.duration = fieldError('validation_min_greater_equal_than_required', 'Must be no less than 1.', { threshold: 1 });
    if (!Number.isInteger(r.maxRequests) || r.maxRequests < 1) e.maxRequests = fieldError('validation_min_greater_equal_than_required', 'Must be no less than 1.', { threshold: 1 });
    const key = `${r.label}@@${r.audience}`;
    if (!e.label && keys.includes(key)) e.label = fieldError('validation_conflicting_rate_limit_rule', 'Rate limit rule configuration with label ' + r.label + ' already exists or conflicts with another rule.');
    keys.push(key);
    if (Object.keys(e).length) ruleErrors[String(i)] = e;
  });
  if (Object.keys(ruleErrors).length) errors.rules = ruleErrors;
  if (!Array.isArray(rl.excludedIPs) || rl.excludedIPs.some((ip) => typeof ip !== 'string' || !isIpOrCidr(ip))) errors.excludedIPs = fieldError('validation_invalid_ip', 'Must be a valid IP address or CIDR.');
  return errors;
}

/** True for an IP address or a CIDR range. */
export function isIpOrCidr(value: string): boolean {
  const [ip, bits, extra] = value.split('/');
  if (extra !== undefined) return false;
  const v = isIP(ip);
  if (v === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (v === 4 ? 32 : 128);
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, p) => (acc << 8) + Number(p), 0) >>> 0;
}

/** True when `ip` equals an entry or lies in one of its IPv4 CIDR ranges. */
export function ipInList(ip: string, list: readonly string[]): boolean {
  const bare = ip.replace(/^::ffff:/, '');
  return list.some((entry) => {
    const [base, bits] = entry.split('/');
    if (bits === undefined) return base === ip || base === bare;
    if (isIP(base) === 4 && isIP(bare) === 4) {
      const n = Number(bits);
      const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
      return (ipv4ToInt(base) & mask) === (ipv4ToInt(bare) & mask);
    }
    return false;
  });
}

/** Counters of one App; they reset whenever the settings object is replaced (spec §10.6). */
export class RateLimiter {
  #counter = new FixedWindowCounter();
  #settings: Settings | undefined;

  /** Counts `req` from `ip`; returns seconds to wait when over the limit, else undefined. */
  check(settings: Settings, req: RateLimitRequest, ip: string, nowMs: number): number | undefined {
    if (this.#settings !== settings) {
      this.#counter = new FixedWindowCounter();
      this.#settings = settings;
    }
    const rl = settings.rateLimits;
    if (!rl.enabled || ipInList(ip, rl.excludedIPs)) return undefined;
    const rule = matchRateLimitRule(rl.rules, req);
    if (!rule) return undefined;
    const scope = req.collection ? `${req.collection}:${req.tags[0] ?? ''}` : `${req.method} ${req.path}`;
    const hit = this.#counter.hit(`${rule.label}@@${rule.audience}\u0000${scope}\u0000${ip}`, rule.maxRequests, rule.duration * 1000, nowMs);
    return hit.allowed ? undefined : Math.max(1, Math.ceil(hit.retryAfterMs / 1000));
  }
}
