/**
 * Downloads a provider user's avatar (spec §6.7.1: a sign-up whose mapped `avatarURL` is a file
 * field), without letting the URL reach into the server's own network. The URL comes from the
 * user's profile at the provider, which is often whatever the user typed, so it is untrusted:
 * - only `http:` and `https:`; at most {@link MAX_AVATAR_REDIRECTS} redirects, each checked again;
 * - a host must resolve to public addresses only (checked on the addresses the connection uses,
 *   so a name that answers differently the second time cannot slip through);
 * - except on a host of the provider's own endpoints: a provider the administrator configured on
 *   a private or loopback address (a self-hosted IdP on the intranet) may serve avatars from that
 *   same host, on any port. Other private hosts stay refused;
 * - bounded in bytes (the caller's limit, never above {@link MAX_AVATAR_BYTES}) and in time.
 * @module
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** How long the whole download (redirects and body included) may take (PocketBase: 15 s). */
export const AVATAR_TIMEOUT_MS = 15_000;
/** Most bytes of an avatar, whatever the receiving field allows: it is buffered in memory. */
export const MAX_AVATAR_BYTES = 5 * 1024 * 1024;
/** Redirects followed (avatar CDNs use one at most). */
export const MAX_AVATAR_REDIRECTS = 3;

/** The download was refused or failed; `message` is safe to log (hosts only, no query strings). */
export class AvatarDownloadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AvatarDownloadError';
  }
}

// Special-purpose ranges (IANA IPv4/IPv6 special-purpose address registries) that a public
// avatar never lives on: private, loopback, link-local (cloud metadata at 169.254.169.254),
// shared, documentation, multicast, reserved. IPv6 ranges that embed an IPv4 address
// (mapped, NAT64, 6to4) are refused whole rather than decoded.
// Note: two lists, because BlockList also matches IPv4 addresses against IPv6 rules (as
// ::ffff:a.b.c.d), so refusing the mapped range in one list would refuse every IPv4 address.
const NON_PUBLIC_V4 = new BlockList();
const NON_PUBLIC_V6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
  ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NON_PUBLIC_V4.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 96], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23],
  ['2001:db8::', 32], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) NON_PUBLIC_V6.addSubnet(network, prefix, 'ipv6');

/** Whether an IP address is on the public internet (not private, loopback, link-local, …). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return family === 6 ? !NON_PUBLIC_V6.check(address, 'ipv6') : !NON_PUBLIC_V4.check(address, 'ipv4');
}

/** A URL's host as compared here: lower case, IPv6 without brackets. */
const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');

/** Resolves like dns.lookup, and fails when any address of the name is not public. */
const publicOnlyLookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err);
    // Any private answer refuses the host: picking the public ones would still let a name
    // that mixes both point the next connection inward.
    if (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a.address))) {
      return callback(new AvatarDownloadError(`${hostname} resolves to a non-public address.`));
    }
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  });
}) as unknown as LookupFunction;

/** The lookup to connect to `url` with, or a refusal. */
function lookupFor(url: URL, trustedHosts: ReadonlySet<string>): LookupFunction | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AvatarDownloadError(`Only http(s) avatar URLs are downloaded, not ${url.protocol}.`);
  const host = hostOf(url);
  if (trustedHosts.has(host)) return undefined;
  if (isIP(host)) {
    if (!isPublicAddress(host)) throw new AvatarDownloadError(`${host} is not a public address.`);
    return undefined;
  }
  return publicOnlyLookup;
}

function get(url: URL, lookup: LookupFunction | undefined, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // agent false: a pooled keep-alive socket would skip the lookup, and with it the address check.
    const req = send(url, { method: 'GET', lookup, signal, agent: false, headers: { accept: 'image/*', 'user-agent': 'Basalt' } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** A downloaded avatar: its bytes and a file name taken from the URL's last path segment. */
export interface DownloadedAvatar {
  bytes: Buffer;
  name: string;
}

export interface AvatarDownloadOptions {
  /** Most bytes accepted (capped at {@link MAX_AVATAR_BYTES}); a larger avatar is refused. */
  maxBytes: number;
  /** The provider's endpoint URLs: their hosts may be private addresses (see the module comment). */
  providerEndpoints: readonly string[];
  timeoutMs?: number;
}

/**
 * Downloads `url` under the rules of this module. Throws {@link AvatarDownloadError} when the
 * URL is refused, the server does not answer 200 in time, or the avatar is too large.
 */
export async function downloadAvatar(url: string, options: AvatarDownloadOptions): Promise<DownloadedAvatar> {
  const maxBytes = Math.min(options.maxBytes, MAX_AVATAR_BYTES);
  const trustedHosts = new Set(options.providerEndpoints.flatMap((e) => (URL.canParse(e) ? [hostOf(new URL(e))] : [])));
  const signal = AbortSignal.timeout(options.timeoutMs ?? AVATAR_TIMEOUT_MS);
  if (!URL.canParse(url)) throw new AvatarDownloadError('The avatar URL is not a URL.');
  let current = new URL(url);
  for (let redirects = 0; ; redirects++) {
    const lookup = lookupFor(current, trustedHosts);
    let res: IncomingMessage;
    try {
      res = await get(current, lookup, signal);
    } catch (err) {
      if (err instanceof AvatarDownloadError) throw err;
      throw new AvatarDownloadError(`${hostOf(current)} could not be reached (${(err as Error).name}).`, { cause: err });
    }
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if ([301, 302, 303, 307, 308].includes(status) && location) {
      res.destroy();
      if (redirects >= MAX_AVATAR_REDIRECTS) throw new AvatarDownloadError(`More than ${MAX_AVATAR_REDIRECTS} redirects.`);
      if (!URL.canParse(location, current)) throw new AvatarDownloadError('A redirect to something that is not a URL.');
      current = new URL(location, current);
      continue;
    }
    if (status !== 200) {
      res.destroy();
      throw new AvatarDownloadError(`${hostOf(current)} answered ${status}.`);
    }
    const tooLarge = () => new AvatarDownloadError(`The avatar is larger than ${maxBytes} bytes.`);
    if (Number(res.headers['content-length']) > maxBytes) {
      res.destroy();
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) break;
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      throw new AvatarDownloadError(`The avatar download from ${hostOf(current)} was cut short (${(err as Error).name}).`, { cause: err });
    } finally {
      res.destroy();
    }
    if (size > maxBytes) throw tooLarge();
    return { bytes: Buffer.concat(chunks), name: lastSegment(current) };
  }
}

function lastSegment(url: URL): string {
  const raw = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    name = raw;
  }
  // The stored name is normalised later (record-files.ts); this only bounds what it starts from.
  return name.replace(/[/\\]/g, '').slice(0, 100);
}
