/**
 * Application settings (spec §10.1), kept as one JSON document in the `_params` table and
 * cached in memory. Only the parts this release acts on are validated strictly; the rest keep
 * PocketBase's shape so SDKs and dashboards round-trip them.
 * @module
 */
import type { Database, Executor } from '../../storage/types.ts';
import { nowDateTime } from '../../tools/datetime.ts';
import type { StoredSecrets } from '../auth/stored-secrets.ts';
import { ValidationError, fieldError, type FieldErrors } from '../errors.ts';
import { validateBackupSettings } from '../backups/backup-settings.ts';
import { isIpOrCidr, validateRateLimits } from './rate-limits.ts';

/** Default request body limit: 32 MiB, as PocketBase (spec §1.3). */
export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;
/** Default body limit of a batch request: 128 MiB (spec §9.1). */
export const DEFAULT_BATCH_BODY_LIMIT = 128 * 1024 * 1024;

export interface Settings {
  meta: { appName: string; appURL: string; senderName: string; senderAddress: string; hideControls: boolean; accentColor: string };
  smtp: { enabled: boolean; port: number; host: string; username: string; password?: string; authMethod: string; tls: boolean; localName: string };
  s3: { enabled: boolean; bucket: string; region: string; endpoint: string; accessKey: string; secret?: string; forcePathStyle: boolean };
  backups: { cron: string; cronMaxKeep: number; s3: Settings['s3'] };
  batch: { enabled: boolean; maxRequests: number; timeout: number; maxBodySize: number };
  rateLimits: { rules: Array<{ label: string; audience: string; duration: number; maxRequests: number }>; excludedIPs: string[]; enabled: boolean };
  trustedProxy: { headers: string[]; useLeftmostIP: boolean };
  logs: { maxDays: number; minLevel: number; logIP: boolean; logAuthId: boolean };
  superuserIPs: string[];
}

export function defaultSettings(): Settings {
  const s3 = { enabled: false, bucket: '', region: '', endpoint: '', accessKey: '', forcePathStyle: false };
  return {
    meta: { appName: 'Basalt', appURL: 'http://localhost:8090', senderName: 'Support', senderAddress: 'support@example.com', hideControls: false, accentColor: '' },
    smtp: { enabled: false, port: 587, host: 'smtp.example.com', username: '', authMethod: '', tls: false, localName: '' },
    s3: { ...s3 },
    backups: { cron: '', cronMaxKeep: 3, s3: { ...s3 } },
    batch: { enabled: false, maxRequests: 50, timeout: 3, maxBodySize: 0 },
    rateLimits: {
      rules: [
        { label: '*:auth', audience: '', duration: 3, maxRequests: 2 },
        { label: '*:create', audience: '', duration: 5, maxRequests: 20 },
        { label: '/api/batch', audience: '', duration: 1, maxRequests: 3 },
        { label: '/api/', audience: '', duration: 10, maxRequests: 300 },
      ],
      excludedIPs: [],
      enabled: false,
    },
    trustedProxy: { headers: [], useLeftmostIP: false },
    logs: { maxDays: 5, minLevel: 0, logIP: true, logAuthId: false },
    superuserIPs: [],
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key; arrays and scalars replace. Keys unknown to `base` are dropped. */
function mergeKnown<T>(base: T, patch: unknown): T {
  if (!isObject(base) || !isObject(patch)) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (!(k in out) && !(k === 'password' || k === 'secret')) continue;
    const cur = out[k];
    if (isObject(cur)) out[k] = mergeKnown(cur, v);
    else if (Array.isArray(cur)) out[k] = Array.isArray(v) ? v : cur;
    else if (cur === undefined || typeof v === typeof cur) out[k] = v;
    else out[k] = v; // wrong types are reported by validation below
  }
  return out as T;
}

/** Validation errors of complete settings (empty when valid): what `update` refuses to save. */
export function validateSettings(s: Settings): FieldErrors {
  const e: FieldErrors = {};
  const meta: FieldErrors = {};
  if (typeof s.meta.appName !== 'string' || s.meta.appName.trim() === '' || s.meta.appName.length > 255) meta.appName = fieldError('validation_required', 'Cannot be blank.');
  if (typeof s.meta.appURL !== 'string' || !URL.canParse(s.meta.appURL)) meta.appURL = fieldError('validation_is_url', 'Must be a valid URL.');
  if (typeof s.meta.senderName !== 'string' || s.meta.senderName.trim() === '') meta.senderName = fieldError('validation_required', 'Cannot be blank.');
  if (typeof s.meta.senderAddress !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(s.meta.senderAddress)) meta.senderAddress = fieldError('validation_is_email', 'Must be a valid email address.');
  if (s.meta.accentColor && !/^#[0-9a-fA-F]{6}$/.test(String(s.meta.accentColor))) meta.accentColor = fieldError('validation_is_hex_color', 'Must be a valid hexadecimal color code.');
  if (Object.keys(meta).length) e.meta = meta;
  const batch: FieldErrors = {};
  if (typeof s.batch.enabled !== 'boolean') batch.enabled = fieldError('validation_invalid_value', 'Invalid value.');
  const int = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  if (!int(s.batch.maxRequests, s.batch.enabled ? 1 : 0, 100000)) batch.maxRequests = fieldError('validation_invalid_value', 'Must be an integer between 1 and 100000.');
  if (!int(s.batch.timeout, s.batch.enabled ? 1 : 0, 3600)) batch.timeout = fieldError('validation_invalid_value', 'Must be an integer between 1 and 3600 seconds.');
  if (!int(s.batch.maxBodySize, 0, Number.MAX_SAFE_INTEGER)) batch.maxBodySize = fieldError('validation_invalid_value', 'Must be a non-negative integer.');
  if (Object.keys(batch).length) e.batch = batch;
  if (!int(s.logs.maxDays, 0, 100000)) e.logs = { maxDays: fieldError('validation_invalid_value', 'Must be a non-negative integer.') };
  const smtp: FieldErrors = {};
  if (typeof s.smtp.enabled !== 'boolean') smtp.enabled = fieldError('validation_invalid_value', 'Invalid value.');
  if (s.smtp.enabled && (typeof s.smtp.host !== 'string' || s.smtp.host.trim() === '')) smtp.host = fieldError('validation_required', 'Cannot be blank.');
  if (!int(s.smtp.port, s.smtp.enabled ? 1 : 0, 65535)) smtp.port = fieldError('validation_invalid_value', 'Must be a port number between 1 and 65535.');
  if (!['', 'PLAIN', 'LOGIN'].includes(s.smtp.authMethod)) smtp.authMethod = fieldError('validation_in_invalid', 'Must be a valid value.');
  if (Object.keys(smtp).length) e.smtp = smtp;
  if (!Array.isArray(s.superuserIPs) || s.superuserIPs.some((ip) => typeof ip !== 'string' || !isIpOrCidr(ip))) {
    e.superuserIPs = fieldError('validation_invalid_ip', 'Must be a list of IP addresses or CIDR ranges.');
  }
  const rateLimits = validateRateLimits(s.rateLimits);
  if (Object.keys(rateLimits).length) e.rateLimits = rateLimits;
  const backups = validateBackupSettings(s.backups);
  if (Object.keys(backups).length) e.backups = backups;
  if (!Array.isArray(s.trustedProxy.headers) || s.trustedProxy.headers.some((h) => typeof h !== 'string' || !/^[A-Za-z0-9-]{1,100}$/.test(h))) {
    e.trustedProxy = { headers: fieldError('validation_invalid_value', 'Must be a list of header names.') };
  }
  return e;
}

/** Settings as clients see them: write-only secrets removed. */
export function publicSettings(s: Settings): Record<string, unknown> {
  const { password: _p, ...smtp } = s.smtp;
  const { secret: _s, ...s3 } = s.s3;
  const { secret: _b, ...backupsS3 } = s.backups.s3;
  return { ...s, smtp, s3, backups: { ...s.backups, s3: backupsS3 } };
}

/** The write-only secrets of the settings, with `convert` applied (sealing or opening them). */
function withSecrets(s: Settings, convert: (value: string, what: string) => string): Settings {
  const out = structuredClone(s);
  if (typeof out.smtp.password === 'string') out.smtp.password = convert(out.smtp.password, 'SMTP password');
  if (typeof out.s3.secret === 'string') out.s3.secret = convert(out.s3.secret, 'S3 secret');
  if (typeof out.backups.s3.secret === 'string') out.backups.s3.secret = convert(out.backups.s3.secret, 'backups S3 secret');
  return out;
}

export class SettingsStore {
  readonly #db: Database;
  readonly #secrets: StoredSecrets | undefined;
  #current: Settings = defaultSettings();

  /** `secrets` seals the write-only secrets in the stored document (BASALT_ENCRYPTION_KEY). */
  constructor(db: Database, secrets?: StoredSecrets) {
    this.#db = db;
    this.#secrets = secrets;
  }

  get current(): Settings {
    return this.#current;
  }

  async load(db: Executor = this.#db): Promise<void> {
    this.apply(await this.read(db));
  }

  /**
   * Reads the stored settings (defaults where none are stored) without touching `current` (see
   * `apply`). Throws when the stored document is not JSON or a sealed secret cannot be opened;
   * does not validate (see validateSettings).
   */
  async read(db: Executor): Promise<Settings> {
    const q = this.#db.dialect.quote.bind(this.#db.dialect);
    const row = await db.get<{ value: string }>(`SELECT ${q('value')} AS value FROM ${q('_params')} WHERE ${q('id')} = ?`, ['settings']);
    const stored = row ? mergeKnown(defaultSettings(), JSON.parse(row.value)) : defaultSettings();
    const secrets = this.#secrets;
    return secrets ? withSecrets(stored, (v, what) => secrets.open(v, what)) : stored;
  }

  /** Replaces `current`: a write that went around `update` calls it once its transaction committed. */
  apply(settings: Settings): void {
    this.#current = settings;
  }

  /** Deep-merges `patch` over the current settings, validates and saves. */
  async update(patch: unknown): Promise<Settings> {
    if (!isObject(patch)) throw new ValidationError('An error occurred while saving the new settings.', {});
    const next = mergeKnown(structuredClone(this.#current), patch);
    const errors = validateSettings(next);
    if (Object.keys(errors).length) throw new ValidationError('An error occurred while saving the new settings.', errors);
    const q = this.#db.dialect.quote.bind(this.#db.dialect);
    await this.#db.transaction(async (tx) => {
      await tx.run(`DELETE FROM ${q('_params')} WHERE ${q('id')} = ?`, ['settings']);
      await tx.run(`INSERT INTO ${q('_params')} (${q('id')}, ${q('value')}, ${q('created')}, ${q('updated')}) VALUES (?, ?, ?, ?)`, [
        'settings',
        JSON.stringify(this.#secrets ? withSecrets(next, (v) => this.#secrets!.seal(v)) : next),
        nowDateTime(),
        nowDateTime(),
      ]);
    });
    this.#current = next;
    return next;
  }
}
