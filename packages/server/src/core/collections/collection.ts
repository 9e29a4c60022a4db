/**
 * The collection model: the JSON shape of PocketBase collections (spec §5.2), as Basalt keeps
 * it in memory and in the `_collections` table.
 * @module
 */

export type CollectionType = 'base' | 'auth' | 'view';

/** A field definition. Type-specific options sit beside the common keys. */
export interface FieldModel {
  id: string;
  name: string;
  type: string;
  system: boolean;
  hidden: boolean;
  presentable: boolean;
  [option: string]: unknown;
}

export interface TokenConfig {
  duration: number;
  /** Write-only signing secret; never serialised to clients. */
  secret?: string;
}

export interface EmailTemplate {
  subject: string;
  body: string;
}

/** Options only auth collections have (spec §5.2). */
export interface AuthOptions {
  authRule: string | null;
  manageRule: string | null;
  authAlert: { enabled: boolean; emailTemplate: EmailTemplate };
  oauth2: {
    enabled: boolean;
    mappedFields: { id: string; name: string; username: string; avatarURL: string };
    providers: Array<Record<string, unknown>>;
  };
  passwordAuth: { enabled: boolean; identityFields: string[] };
  mfa: { enabled: boolean; duration: number; rule: string };
  otp: { enabled: boolean; duration: number; length: number; emailTemplate: EmailTemplate };
  authToken: TokenConfig;
  passwordResetToken: TokenConfig;
  emailChangeToken: TokenConfig;
  verificationToken: TokenConfig;
  fileToken: TokenConfig;
  verificationTemplate: EmailTemplate;
  resetPasswordTemplate: EmailTemplate;
  confirmEmailChangeTemplate: EmailTemplate;
}

export type RuleName = 'listRule' | 'viewRule' | 'createRule' | 'updateRule' | 'deleteRule';
export const RULE_NAMES: readonly RuleName[] = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'];

export interface CollectionModel extends Partial<AuthOptions> {
  id: string;
  name: string;
  type: CollectionType;
  system: boolean;
  listRule: string | null;
  viewRule: string | null;
  createRule: string | null;
  updateRule: string | null;
  deleteRule: string | null;
  fields: FieldModel[];
  indexes: string[];
  viewQuery?: string;
  created: string;
  updated: string;
}

/** An auth collection, with its options present. */
export type AuthCollectionModel = CollectionModel & AuthOptions & { type: 'auth' };

export function isAuthCollection(c: CollectionModel): c is AuthCollectionModel {
  return c.type === 'auth';
}

/** Finds a field by name, case-insensitively as PocketBase does. */
export function findField(collection: CollectionModel, name: string): FieldModel | undefined {
  const exact = collection.fields.find((f) => f.name === name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  return collection.fields.find((f) => f.name.toLowerCase() === lower);
}

/** Read-only view of every collection, by id or (case-insensitive) name. */
export interface CollectionLookup {
  find(idOrName: string): CollectionModel | undefined;
  all(): readonly CollectionModel[];
}
