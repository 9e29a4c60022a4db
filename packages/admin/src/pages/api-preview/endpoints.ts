/**
 * The endpoints a collection exposes (spec §3, §6, §7, §9), described from its fields and rules:
 * method, path, parameters, the rule in force, example request and response, and the SDK call.
 * Pure data, rendered by ApiPreviewPage and checked by test/unit-endpoints.test.ts.
 * @module
 */
import {
  EXAMPLE_PASSWORD,
  describeConstraints,
  describeType,
  exampleCreateBody,
  exampleRecord,
  isMultiple,
  writableFields,
  type CollectionLike,
} from './example-values.ts';

export interface Param {
  name: string;
  type: string;
  required?: boolean;
  description: string;
}

/** The rule that decides who may call an endpoint, as configured on the collection. */
export interface RuleInForce {
  /** The collection key, e.g. `listRule`. */
  key: string;
  /** `null` = superusers only; `""` = anyone; otherwise a filter expression. */
  expression: string | null;
}

export interface Endpoint {
  id: string;
  group: 'Records' | 'Realtime' | 'Auth' | 'Batch';
  title: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path with `RECORD_ID`-style placeholders the user replaces. */
  path: string;
  description: string;
  /** Who may call it besides what the rule says (e.g. "the record's own token"). */
  access?: string;
  rule?: RuleInForce;
  /** Whether examples send `Authorization` (the caller's own token, not the record's being authenticated). */
  sendsToken: boolean;
  query: Param[];
  body: Param[];
  /** A query string for the examples (without `?`), already URL-encoded. */
  exampleQuery?: string;
  /** A JSON body for the examples and the Try-it form. */
  exampleBody?: Record<string, unknown>;
  /** Shown next to the body table, e.g. that files need multipart. */
  bodyNote?: string;
  sdk: string;
  response: { status: number; body?: unknown };
  /** Why Try it is not offered (streams, redirects through a provider); absent when it is. */
  noTryIt?: string;
}

/** What a rule expression means for callers, in words. */
export function describeRule(expression: string | null): string {
  if (expression === null) return 'Superusers only (rule is locked: null).';
  if (expression.trim() === '') return 'Anyone, including guests (rule is empty).';
  return 'Callers for whom this expression is true (superusers always pass):';
}

const listQuery = (sortExample: string): Param[] => [
  { name: 'page', type: 'Number', description: 'Page to return, from 1 (default 1).' },
  { name: 'perPage', type: 'Number', description: 'Items per page (default 30, max 1000).' },
  { name: 'sort', type: 'String', description: `Comma-separated fields, "-" for descending, e.g. ${sortExample}. Also @random.` },
  { name: 'filter', type: 'String', description: 'Filter expression, e.g. (title ~ "abc" && created > "2026-01-01").' },
  { name: 'expand', type: 'String', description: 'Relations to expand, e.g. author,comments_via_post (up to 6 levels).' },
  { name: 'fields', type: 'String', description: 'Keys to return, e.g. *,expand.author.name or description:excerpt(200).' },
  { name: 'skipTotal', type: 'Boolean', description: 'Skip the count query (totalItems and totalPages become -1); faster.' },
];

const recordQuery: Param[] = [
  { name: 'expand', type: 'String', description: 'Relations to expand in the returned record.' },
  { name: 'fields', type: 'String', description: 'Keys to return.' },
];

const js = (s: string) => JSON.stringify(s).replace(/"/g, "'");

/** A body as a JS object literal (identifier keys unquoted), the way SDK code is written. */
function literal(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/"([A-Za-z_$][\w$]*)":/g, '$1:');
}

/** Every endpoint of `collection`, in the order the page lists them. */
export function collectionEndpoints(collection: CollectionLike): Endpoint[] {
  const name = collection.name;
  const c = `/api/collections/${encodeURIComponent(name)}`;
  const sdk = `pb.collection(${js(name)})`;
  const record = exampleRecord(collection);
  const writable = writableFields(collection).filter((f) => f.name !== 'id');
  const hasFiles = writable.some((f) => f.type === 'file');
  const textField = collection.fields.find((f) => f.type === 'text' && !f.primaryKey && !f.hidden);
  const sortExample = collection.fields.some((f) => f.name === 'created') ? '-created,id' : '-id';
  const filterExample = textField ? `${textField.name} ~ "Lorem"` : `id != ""`;
  const rule = (key: keyof CollectionLike): RuleInForce => ({ key, expression: (collection[key] as string | null | undefined) ?? null });
  // An empty rule lets guests in; anything else needs some caller identity.
  const needsToken = (key: keyof CollectionLike) => rule(key).expression !== '';
  const isAuth = collection.type === 'auth';
  const isView = collection.type === 'view';

  const bodyParams = (forUpdate: boolean): Param[] => {
    const params: Param[] = [];
    if (!forUpdate) {
      params.push({ name: 'id', type: 'String', description: 'Optional: your own id (default: 15 random characters [a-z0-9]).' });
    }
    for (const f of writable) {
      const notes = describeConstraints(f);
      if (f.hidden) notes.push('hidden: only superusers see it in responses');
      if (isAuth && f.name === 'verified') notes.push('only superusers and the manage rule may set it');
      if (isAuth && f.name === 'email' && forUpdate) notes.push('superusers/manage rule only; others use request-email-change');
      if (f.type === 'number') notes.push(`${f.name}+ / ${f.name}- add/subtract`);
      if ((f.type === 'select' || f.type === 'relation') && isMultiple(f)) notes.push(`${f.name}+ / ${f.name}- append/remove`);
      if (f.type === 'file') notes.push(isMultiple(f) ? `${f.name}+ appends, ${f.name}- removes by name` : 'send an empty value to remove');
      params.push({ name: f.name, type: describeType(f), required: !forUpdate && !!f.required, description: notes.join('; ') });
      if (isAuth && f.type === 'password' && f.name === 'password') {
        params.push({ name: 'passwordConfirm', type: 'String', required: !forUpdate, description: 'Must equal password.' });
        if (forUpdate) params.push({ name: 'oldPassword', type: 'String', description: 'Current password; required for non-superusers changing the password.' });
      }
    }
    return params;
  };
  const filesNote = hasFiles
    ? 'File fields need multipart/form-data (the SDK switches to it when a value is a File or Blob); the JSON example leaves them out.'
    : undefined;

  const endpoints: Endpoint[] = [
    {
      id: 'list',
      group: 'Records',
      title: 'List / search records',
      method: 'GET',
      path: `${c}/records`,
      description: 'A page of the records the list rule lets the caller see, filtered and sorted.',
      rule: rule('listRule'),
      sendsToken: needsToken('listRule'),
      query: listQuery(sortExample),
      exampleQuery: new URLSearchParams({ page: '1', perPage: '30', sort: sortExample, filter: filterExample }).toString(),
      body: [],
      sdk: `// one page\nconst result = await ${sdk}.getList(1, 30, {\n  filter: ${js(filterExample)},\n  sort: ${js(sortExample)},\n});\n\n// every page\nconst all = await ${sdk}.getFullList({ sort: ${js(sortExample)} });\n\n// first match (404 when none)\nconst first = await ${sdk}.getFirstListItem(${js(filterExample)});`,
      response: { status: 200, body: { page: 1, perPage: 30, totalItems: 1, totalPages: 1, items: [record] } },
    },
    {
      id: 'view',
      group: 'Records',
      title: 'View a record',
      method: 'GET',
      path: `${c}/records/RECORD_ID`,
      description: 'One record by id. 404 both when it does not exist and when the view rule hides it.',
      rule: rule('viewRule'),
      sendsToken: needsToken('viewRule'),
      query: recordQuery,
      body: [],
      sdk: `const record = await ${sdk}.getOne('RECORD_ID', { expand: '' });`,
      response: { status: 200, body: record },
    },
  ];
  if (!isView) {
    const createBody = exampleCreateBody(collection);
    const updateBody = Object.fromEntries(Object.entries(createBody).filter(([k]) => k !== 'password' && k !== 'passwordConfirm').slice(0, 2));
    endpoints.push(
      {
        id: 'create',
        group: 'Records',
        title: 'Create a record',
        method: 'POST',
        path: `${c}/records`,
        description: 'Creates a record. The response is the record as the caller may see it (200).',
        rule: rule('createRule'),
        sendsToken: needsToken('createRule'),
        query: recordQuery,
        body: bodyParams(false),
        exampleBody: createBody,
        bodyNote: filesNote,
        sdk: `const record = await ${sdk}.create(${literal(createBody)});`,
        response: { status: 200, body: record },
      },
      {
        id: 'update',
        group: 'Records',
        title: 'Update a record',
        method: 'PATCH',
        path: `${c}/records/RECORD_ID`,
        description: 'Changes only the keys sent. 404 when the update rule hides the record.',
        rule: rule('updateRule'),
        sendsToken: needsToken('updateRule'),
        query: recordQuery,
        body: bodyParams(true),
        exampleBody: updateBody,
        bodyNote: filesNote,
        sdk: `const record = await ${sdk}.update('RECORD_ID', ${literal(updateBody)});`,
        response: { status: 200, body: record },
      },
      {
        id: 'delete',
        group: 'Records',
        title: 'Delete a record',
        method: 'DELETE',
        path: `${c}/records/RECORD_ID`,
        description: 'Deletes a record (and cascades to relations set to cascade). 204 with no body.',
        rule: rule('deleteRule'),
        sendsToken: needsToken('deleteRule'),
        query: [],
        body: [],
        sdk: `await ${sdk}.delete('RECORD_ID');`,
        response: { status: 204 },
      },
    );
  }
  endpoints.push({
    id: 'realtime',
    group: 'Realtime',
    title: 'Subscribe to changes',
    method: 'POST',
    path: '/api/realtime',
    description:
      'Open the event stream with GET /api/realtime (Server-Sent Events; the first event, PB_CONNECT, carries the clientId), then set the subscriptions with POST /api/realtime. Events arrive for records the list rule (topic "*") or view rule (topic RECORD_ID) lets the subscriber see.',
    rule: rule('listRule'),
    sendsToken: needsToken('listRule'),
    query: [],
    body: [
      { name: 'clientId', type: 'String', required: true, description: 'From the PB_CONNECT event.' },
      { name: 'subscriptions', type: 'Array<String>', description: `Topics: "${name}/*" (all records) or "${name}/RECORD_ID"; an empty list unsubscribes.` },
    ],
    exampleBody: { clientId: 'CLIENT_ID', subscriptions: [`${name}/*`] },
    sdk: `// every change in the collection\nconst unsubscribe = await ${sdk}.subscribe('*', (e) => {\n  console.log(e.action, e.record); // create | update | delete\n});\n\n// one record\nawait ${sdk}.subscribe('RECORD_ID', (e) => console.log(e.record));\n\nunsubscribe();`,
    response: { status: 200, body: { 'event: PB_CONNECT': { clientId: 'CLIENT_ID' }, [`event: ${name}/*`]: { action: 'create', record } } },
    noTryIt: 'A realtime stream stays open; use the SDK or `curl -N` against GET /api/realtime.',
  });

  if (isAuth) endpoints.push(...authEndpoints(collection, c, sdk, exampleRecord(collection, { superuser: true })));

  // Batch only carries writes, which view collections do not take.
  if (!isView) endpoints.push({
    id: 'batch',
    group: 'Batch',
    title: 'Batch (transactional)',
    method: 'POST',
    path: '/api/batch',
    description:
      'Several create/update/upsert/delete requests in one transaction: all succeed or none. Each sub-request is checked against its own rule. Needs Settings → Batch enabled.',
    access: 'Each sub-request is checked against its collection rule.',
    sendsToken: true,
    query: [],
    body: [{ name: 'requests', type: 'Array<{method, url, headers?, body?}>', required: true, description: 'Sub-requests; url is a record API path.' }],
    exampleBody: {
      requests: [
        { method: 'POST', url: `${c}/records`, body: exampleCreateBody(collection) },
        { method: 'DELETE', url: `${c}/records/RECORD_ID` },
      ],
    },
    sdk: `const batch = pb.createBatch();\nbatch.collection(${js(name)}).create({ /* … */ });\nbatch.collection(${js(name)}).delete('RECORD_ID');\nconst results = await batch.send();`,
    response: { status: 200, body: [{ status: 200, body: record }, { status: 204, body: null }] },
  });
  return endpoints;
}

function authEndpoints(collection: CollectionLike, c: string, sdk: string, authRecord: Record<string, unknown>): Endpoint[] {
  const authRule = { key: 'authRule', expression: collection.authRule ?? null };
  const authResponse = { status: 200, body: { token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6Ims…', record: authRecord } };
  const identityFields = collection.passwordAuth?.identityFields?.length ? collection.passwordAuth.identityFields : ['email'];
  const emailParam = (description: string): Param => ({ name: 'email', type: 'String (email)', required: true, description });
  const tokenParam = (kind: string): Param => ({ name: 'token', type: 'String', required: true, description: `The ${kind} token from the email link.` });
  const enabled = (what: string, on: boolean | undefined) => (on ? '' : ` Currently disabled: enable ${what} in the collection's options.`);
  return [
    {
      id: 'auth-methods',
      group: 'Auth',
      title: 'List auth methods',
      method: 'GET',
      path: `${c}/auth-methods`,
      sendsToken: false,
      description: 'Which sign-in methods are enabled, with OAuth2 provider links (fresh state and PKCE values per call).',
      access: 'Anyone.',
      query: [{ name: 'fields', type: 'String', description: 'The SDK sends mfa,otp,password,oauth2.' }],
      body: [],
      sdk: `const methods = await ${sdk}.listAuthMethods();`,
      response: {
        status: 200,
        body: {
          password: { enabled: collection.passwordAuth?.enabled ?? true, identityFields },
          oauth2: { enabled: !!collection.oauth2?.enabled, providers: [] },
          mfa: { enabled: !!collection.mfa?.enabled, duration: collection.mfa?.enabled ? 600 : 0 },
          otp: { enabled: !!collection.otp?.enabled, duration: collection.otp?.enabled ? 180 : 0 },
        },
      },
    },
    {
      id: 'auth-with-password',
      group: 'Auth',
      title: 'Authenticate with password',
      method: 'POST',
      path: `${c}/auth-with-password`,
      sendsToken: false,
      description: `Returns a token and the record. Wrong identity or password both answer 400 "Failed to authenticate."${enabled('password auth', collection.passwordAuth?.enabled ?? true)}`,
      rule: authRule,
      query: recordQuery,
      body: [
        { name: 'identity', type: 'String', required: true, description: `Value of an identity field: ${identityFields.join(', ')}.` },
        { name: 'password', type: 'String', required: true, description: 'The plain password.' },
        { name: 'identityField', type: 'String', description: 'Look the identity up in this field only.' },
      ],
      exampleBody: { identity: 'ann@example.com', password: EXAMPLE_PASSWORD },
      sdk: `const auth = await ${sdk}.authWithPassword('ann@example.com', '${EXAMPLE_PASSWORD}');\n// pb.authStore.token / pb.authStore.record are now set`,
      response: authResponse,
    },
    {
      id: 'auth-refresh',
      group: 'Auth',
      title: 'Refresh the auth token',
      method: 'POST',
      path: `${c}/auth-refresh`,
      sendsToken: true,
      description: 'A new token for the record of the current token (and the record re-read from storage).',
      access: `A valid token of a record of this collection (a superuser token gets 403).`,
      rule: authRule,
      query: recordQuery,
      body: [],
      sdk: `const auth = await ${sdk}.authRefresh();`,
      response: authResponse,
      noTryIt: 'It needs a token of this collection; the dashboard holds a superuser token.',
    },
    {
      id: 'request-otp',
      group: 'Auth',
      title: 'Request a one-time password',
      method: 'POST',
      path: `${c}/request-otp`,
      sendsToken: false,
      description: `Emails a one-time password. Always 200 with an otpId, even for unknown emails (no account enumeration).${enabled('OTP', collection.otp?.enabled)}`,
      access: 'Anyone.',
      query: [],
      body: [emailParam('Address of the record.')],
      exampleBody: { email: 'ann@example.com' },
      sdk: `const { otpId } = await ${sdk}.requestOTP('ann@example.com');`,
      response: { status: 200, body: { otpId: 'o4v2p9w1e5ta7c0' } },
    },
    {
      id: 'auth-with-otp',
      group: 'Auth',
      title: 'Authenticate with a one-time password',
      method: 'POST',
      path: `${c}/auth-with-otp`,
      sendsToken: false,
      description: 'Exchanges the otpId and the emailed code for a token.',
      rule: authRule,
      query: recordQuery,
      body: [
        { name: 'otpId', type: 'String', required: true, description: 'From request-otp.' },
        { name: 'password', type: 'String', required: true, description: 'The code from the email.' },
      ],
      exampleBody: { otpId: 'o4v2p9w1e5ta7c0', password: '12345678' },
      sdk: `const auth = await ${sdk}.authWithOTP(otpId, '12345678');`,
      response: authResponse,
    },
    {
      id: 'request-verification',
      group: 'Auth',
      title: 'Request email verification',
      method: 'POST',
      path: `${c}/request-verification`,
      sendsToken: false,
      description: 'Emails a verification link. 204 whether or not the address exists.',
      access: 'Anyone.',
      query: [],
      body: [emailParam('Address to verify.')],
      exampleBody: { email: 'ann@example.com' },
      sdk: `await ${sdk}.requestVerification('ann@example.com');`,
      response: { status: 204 },
    },
    {
      id: 'confirm-verification',
      group: 'Auth',
      title: 'Confirm email verification',
      method: 'POST',
      path: `${c}/confirm-verification`,
      sendsToken: false,
      description: 'Marks the record verified.',
      access: 'Anyone holding the token.',
      query: [],
      body: [tokenParam('verification')],
      exampleBody: { token: 'VERIFICATION_TOKEN' },
      sdk: `await ${sdk}.confirmVerification('VERIFICATION_TOKEN');`,
      response: { status: 204 },
    },
    {
      id: 'request-password-reset',
      group: 'Auth',
      title: 'Request a password reset',
      method: 'POST',
      path: `${c}/request-password-reset`,
      sendsToken: false,
      description: 'Emails a reset link. 204 whether or not the address exists.',
      access: 'Anyone.',
      query: [],
      body: [emailParam('Address of the record.')],
      exampleBody: { email: 'ann@example.com' },
      sdk: `await ${sdk}.requestPasswordReset('ann@example.com');`,
      response: { status: 204 },
    },
    {
      id: 'confirm-password-reset',
      group: 'Auth',
      title: 'Confirm a password reset',
      method: 'POST',
      path: `${c}/confirm-password-reset`,
      sendsToken: false,
      description: 'Sets the new password; existing tokens of the record stop working.',
      access: 'Anyone holding the token.',
      query: [],
      body: [
        tokenParam('password reset'),
        { name: 'password', type: 'String', required: true, description: 'New password.' },
        { name: 'passwordConfirm', type: 'String', required: true, description: 'Must equal password.' },
      ],
      exampleBody: { token: 'RESET_TOKEN', password: EXAMPLE_PASSWORD, passwordConfirm: EXAMPLE_PASSWORD },
      sdk: `await ${sdk}.confirmPasswordReset('RESET_TOKEN', '${EXAMPLE_PASSWORD}', '${EXAMPLE_PASSWORD}');`,
      response: { status: 204 },
    },
    {
      id: 'request-email-change',
      group: 'Auth',
      title: 'Request an email change',
      method: 'POST',
      path: `${c}/request-email-change`,
      sendsToken: true,
      description: 'Emails a confirmation link to the new address.',
      access: 'The record itself (its own token).',
      query: [],
      body: [{ name: 'newEmail', type: 'String (email)', required: true, description: 'The new address.' }],
      exampleBody: { newEmail: 'ann.new@example.com' },
      sdk: `await ${sdk}.requestEmailChange('ann.new@example.com');`,
      response: { status: 204 },
      noTryIt: 'It needs a token of this collection; the dashboard holds a superuser token.',
    },
    {
      id: 'confirm-email-change',
      group: 'Auth',
      title: 'Confirm an email change',
      method: 'POST',
      path: `${c}/confirm-email-change`,
      sendsToken: false,
      description: 'Switches the email; existing tokens of the record stop working.',
      access: 'Anyone holding the token and the password.',
      query: [],
      body: [tokenParam('email change'), { name: 'password', type: 'String', required: true, description: 'Current password of the record.' }],
      exampleBody: { token: 'EMAIL_CHANGE_TOKEN', password: EXAMPLE_PASSWORD },
      sdk: `await ${sdk}.confirmEmailChange('EMAIL_CHANGE_TOKEN', '${EXAMPLE_PASSWORD}');`,
      response: { status: 204 },
    },
    {
      id: 'auth-with-oauth2',
      group: 'Auth',
      title: 'Authenticate with OAuth2',
      method: 'POST',
      path: `${c}/auth-with-oauth2`,
      sendsToken: false,
      description: `Exchanges a provider's authorization code for a token, creating the record on first sign-in.${enabled('OAuth2', collection.oauth2?.enabled)}`,
      rule: authRule,
      query: recordQuery,
      body: [
        { name: 'provider', type: 'String', required: true, description: `Provider name${collection.oauth2?.providers?.length ? ` (${collection.oauth2.providers.map((p) => p.name).join(', ')})` : ''}.` },
        { name: 'code', type: 'String', required: true, description: 'Authorization code from the provider redirect.' },
        { name: 'codeVerifier', type: 'String', description: 'PKCE verifier from auth-methods.' },
        { name: 'redirectURL', type: 'String', required: true, description: 'The redirect URL used in the authorization request.' },
        { name: 'createData', type: 'Object', description: 'Extra fields for a record created on first sign-in.' },
      ],
      exampleBody: { provider: 'github', code: 'CODE', codeVerifier: 'CODE_VERIFIER', redirectURL: 'https://app.example.com/redirect' },
      sdk: `// all in one: popup, redirect and code exchange through the realtime channel\nconst auth = await ${sdk}.authWithOAuth2({ provider: 'github' });`,
      response: { status: 200, body: { ...authResponse.body, meta: { id: '12345', name: 'Ann', email: 'ann@example.com', isNew: false, accessToken: '…' } } },
      noTryIt: 'It needs a code from a real provider redirect.',
    },
  ];
}
