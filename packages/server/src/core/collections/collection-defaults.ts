/**
 * Defaults: the system fields and auth options every new collection gets, the scaffolds served
 * by `/api/collections/meta/scaffolds`, and the system collections of a new instance (spec §5.1,
 * §5.2, §5.7). Ids of system collections match PocketBase's, because SDKs and imported rules use them.
 * @module
 */
import { fieldIdFor, randomString } from '../../tools/ids.ts';
import type { AuthOptions, CollectionModel, CollectionType, FieldModel } from './collection.ts';

/** Length of generated token secrets. */
export const TOKEN_SECRET_LENGTH = 50;

export function newTokenSecret(): string {
  return randomString(TOKEN_SECRET_LENGTH, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
}

function field(type: string, name: string, options: Record<string, unknown> = {}, id?: string): FieldModel {
  return { id: id ?? fieldIdFor(type, name), name, type, system: false, hidden: false, presentable: false, ...options };
}

/** The `id` primary-key field (spec §5.4.1). */
export function idField(): FieldModel {
  return field('text', 'id', {
    system: true,
    primaryKey: true,
    required: true,
    min: 15,
    max: 15,
    pattern: '^[a-z0-9]+$',
    autogeneratePattern: '[a-z0-9]{15}',
    help: '',
  });
}

/** System fields of auth collections, in PocketBase's order after `id`. */
export function authSystemFields(): FieldModel[] {
  return [
    field('password', 'password', { system: true, hidden: true, required: true, min: 8, max: 0, pattern: '', cost: 0, help: '' }),
    field('text', 'tokenKey', { system: true, hidden: true, required: true, min: 30, max: 60, pattern: '', autogeneratePattern: '[a-zA-Z0-9]{50}', primaryKey: false, help: '' }),
    field('email', 'email', { system: true, required: true, exceptDomains: null, onlyDomains: null, help: '' }),
    field('bool', 'emailVisibility', { system: true, required: false, help: '' }),
    field('bool', 'verified', { system: true, required: false, help: '' }),
  ];
}

/** The `created`/`updated` autodate pair the dashboard pre-fills (spec §3.1). */
export function timestampFields(system = false): FieldModel[] {
  return [
    field('autodate', 'created', { system, onCreate: true, onUpdate: false }, 'autodate2990389176'),
    field('autodate', 'updated', { system, onCreate: true, onUpdate: true }, 'autodate3332085495'),
  ];
}

/** Unique indexes auth collections must keep (spec §5.1). */
export function authSystemIndexes(collectionId: string, name: string): string[] {
  return [
    `CREATE UNIQUE INDEX \`idx_tokenKey_${collectionId}\` ON \`${name}\` (\`tokenKey\`)`,
    `CREATE UNIQUE INDEX \`idx_email_${collectionId}\` ON \`${name}\` (\`email\`) WHERE \`email\` != ''`,
  ];
}

const template = (subject: string, body: string) => ({ subject, body });

/** Auth options of a newly created auth collection (spec §5.2), with fresh secrets. */
export function defaultAuthOptions(): AuthOptions {
  return {
    authRule: '',
    manageRule: null,
    authAlert: {
      enabled: true,
      emailTemplate: template(
        'Login from a new location',
        '<p>Hello,</p>\n<p>We noticed a login to your {APP_NAME} account from a new location:</p>\n<p><em>{ALERT_INFO}</em></p>\n<p><strong>If this wasn\'t you, you should immediately change your {APP_NAME} account password to revoke access from all other locations.</strong></p>\n<p>If this was you, you may disregard this email.</p>\n<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>',
      ),
    },
    oauth2: { enabled: false, mappedFields: { id: '', name: '', username: '', avatarURL: '' }, providers: [] },
    passwordAuth: { enabled: true, identityFields: ['email'] },
    mfa: { enabled: false, duration: 600, rule: '' },
    otp: {
      enabled: false,
      duration: 180,
      length: 8,
      emailTemplate: template('OTP for {APP_NAME}', '<p>Hello,</p>\n<p>Your one-time password is: <strong>{OTP}</strong></p>\n<p><i>If you didn\'t ask for the one-time password, you can ignore this email.</i></p>\n<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>'),
    },
    authToken: { duration: 432000, secret: newTokenSecret() },
    passwordResetToken: { duration: 1800, secret: newTokenSecret() },
    emailChangeToken: { duration: 1800, secret: newTokenSecret() },
    verificationToken: { duration: 86400, secret: newTokenSecret() },
    fileToken: { duration: 180, secret: newTokenSecret() },
    verificationTemplate: template(
      'Verify your {APP_NAME} email',
      '<p>Hello,</p>\n<p>Thank you for joining us at {APP_NAME}.</p>\n<p>Click on the button below to verify your email address.</p>\n<p>\n  <a class="btn" href="{APP_URL}/_/#/auth/confirm-verification/{TOKEN}" target="_blank" rel="noopener">Verify</a>\n</p>\n<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>',
    ),
    resetPasswordTemplate: template(
      'Reset your {APP_NAME} password',
      '<p>Hello,</p>\n<p>Click on the button below to reset your password.</p>\n<p>\n  <a class="btn" href="{APP_URL}/_/#/auth/confirm-password-reset/{TOKEN}" target="_blank" rel="noopener">Reset password</a>\n</p>\n<p><i>If you didn\'t ask to reset your password, you can ignore this email.</i></p>\n<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>',
    ),
    confirmEmailChangeTemplate: template(
      'Confirm your {APP_NAME} new email address',
      '<p>Hello,</p>\n<p>Click on the button below to confirm your new email address.</p>\n<p>\n  <a class="btn" href="{APP_URL}/_/#/auth/confirm-email-change/{TOKEN}" target="_blank" rel="noopener">Confirm new email</a>\n</p>\n<p><i>If you didn\'t ask to change your email address, you can ignore this email.</i></p>\n<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>',
    ),
  };
}

/** Blank collection JSON per type, as `/api/collections/meta/scaffolds` serves it. */
export function scaffold(type: CollectionType): CollectionModel {
  const base: CollectionModel = {
    id: '',
    name: '',
    type,
    system: false,
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields: type === 'view' ? [] : [idField()],
    indexes: [],
    created: '',
    updated: '',
  };
  if (type === 'view') return { ...base, viewQuery: '' };
  if (type === 'auth') {
    const { authToken, passwordResetToken, emailChangeToken, verificationToken, fileToken, ...rest } = defaultAuthOptions();
    const strip = (t: { duration: number }) => ({ duration: t.duration });
    return {
      ...base,
      ...rest,
      authToken: strip(authToken),
      passwordResetToken: strip(passwordResetToken),
      emailChangeToken: strip(emailChangeToken),
      verificationToken: strip(verificationToken),
      fileToken: strip(fileToken),
      fields: [idField(), ...authSystemFields()],
      indexes: authSystemIndexes('', ''),
    };
  }
  return base;
}

const OWNER_RULE = "@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId";

function systemBase(id: string, name: string, fields: FieldModel[], rules: Partial<CollectionModel>, indexes: string[]): CollectionModel {
  return {
    id,
    name,
    type: 'base',
    system: true,
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    ...rules,
    fields: [idField(), ...fields, ...timestampFields(true)],
    indexes,
    created: '',
    updated: '',
  };
}

const text = (name: string, extra: Record<string, unknown> = {}) =>
  field('text', name, { system: true, required: true, min: 0, max: 0, pattern: '', autogeneratePattern: '', primaryKey: false, help: '', ...extra });

/** The collections of a new instance, in creation order (spec §5.7). */
export function systemCollections(): CollectionModel[] {
  const superusers: CollectionModel = {
    ...scaffold('auth'),
    ...defaultAuthOptions(),
    id: 'pbc_3142635823',
    name: '_superusers',
    system: true,
    authToken: { duration: 86400, secret: newTokenSecret() },
    fields: [idField(), ...authSystemFields(), ...timestampFields(true)],
    indexes: authSystemIndexes('pbc_3142635823', '_superusers'),
  };
  const users: CollectionModel = {
    ...scaffold('auth'),
    ...defaultAuthOptions(),
    id: '_pb_users_auth_',
    name: 'users',
    system: false,
    listRule: 'id = @request.auth.id',
    viewRule: 'id = @request.auth.id',
    createRule: '',
    updateRule: 'id = @request.auth.id',
    deleteRule: 'id = @request.auth.id',
    oauth2: { enabled: false, mappedFields: { id: '', name: 'name', username: '', avatarURL: 'avatar' }, providers: [] },
    fields: [
      idField(),
      ...authSystemFields(),
      field('text', 'name', { required: false, min: 0, max: 255, pattern: '', autogeneratePattern: '', primaryKey: false, help: '' }),
      field('file', 'avatar', {
        required: false,
        maxSelect: 1,
        maxSize: 0,
        mimeTypes: ['image/jpeg', 'image/png', 'image/svg+xml', 'image/gif', 'image/webp'],
        thumbs: null,
        protected: false,
        help: '',
      }),
      ...timestampFields(false),
    ],
    indexes: authSystemIndexes('_pb_users_auth_', 'users'),
  };
  const ref = [text('collectionRef'), text('recordRef')];
  return [
    superusers,
    users,
    systemBase(
      'pbc_2281828961',
      '_externalAuths',
      [...ref, text('provider'), text('providerId')],
      { listRule: OWNER_RULE, viewRule: OWNER_RULE, deleteRule: OWNER_RULE },
      [
        'CREATE UNIQUE INDEX `idx_externalAuths_record_provider` ON `_externalAuths` (collectionRef, recordRef, provider)',
        'CREATE UNIQUE INDEX `idx_externalAuths_collection_provider` ON `_externalAuths` (collectionRef, provider, providerId)',
      ],
    ),
    systemBase('pbc_2279338944', '_mfas', [...ref, text('method')], { listRule: OWNER_RULE, viewRule: OWNER_RULE }, [
      'CREATE INDEX `idx_mfas_collectionRef_recordRef` ON `_mfas` (collectionRef,recordRef)',
    ]),
    systemBase(
      'pbc_1638494021',
      '_otps',
      [...ref, field('password', 'password', { system: true, hidden: true, required: true, min: 0, max: 0, pattern: '', cost: 8, help: '' }), text('sentTo', { hidden: true, required: false })],
      { listRule: OWNER_RULE, viewRule: OWNER_RULE },
      ['CREATE INDEX `idx_otps_collectionRef_recordRef` ON `_otps` (collectionRef, recordRef)'],
    ),
    systemBase('pbc_4275539003', '_authOrigins', [...ref, text('fingerprint')], { listRule: OWNER_RULE, viewRule: OWNER_RULE, deleteRule: OWNER_RULE }, [
      'CREATE UNIQUE INDEX `idx_authOrigins_unique_pairs` ON `_authOrigins` (collectionRef, recordRef, fingerprint)',
    ]),
  ];
}
