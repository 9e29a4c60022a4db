/**
 * The client's IP (spec §10.1 trustedProxy): the socket address, unless headers are listed in
 * `settings.trustedProxy.headers`; then the first listed header present gives it (its last
 * occurrence; the right-most valid IP, or the left-most with `useLeftmostIP`). Proxy headers
 * that are not configured are never read, so a client cannot choose its own IP.
 * @module
 */
import type { FastifyRequest } from 'fastify';
import { isIP } from 'node:net';
import type { Settings } from '../../core/settings/settings.ts';

export function clientIp(request: FastifyRequest, settings: Settings): string {
  const socketIp = request.socket?.remoteAddress ?? request.ip;
  const { headers, useLeftmostIP } = settings.trustedProxy;
  for (const name of headers) {
    const raw = request.headers[name.toLowerCase()];
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (!value) continue;
    const ips = value.split(',').map((s) => s.trim()).filter((s) => isIP(s) !== 0);
    if (!ips.length) continue;
    return useLeftmostIP ? ips[0] : ips[ips.length - 1];
  }
  return socketIp;
}
