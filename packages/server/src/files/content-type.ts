/**
 * Content types of stored files: sniffing uploads (the `file-type` package reads magic numbers;
 * text is recognised here) and naming the type a download is served with. Mirrors PocketBase
 * tools/filesystem (mimetype detection) and its `serveFile` overrides.
 * @module
 */
// Loaded on first use, like sharp in thumbnails.ts: it is not needed to start.
let fileTypeModule: Promise<typeof import('file-type')> | undefined;

/** How many leading bytes sniffing needs (file-type's own minimum for every format it knows). */
export const SNIFF_BYTES = 4100;

/** What sniffing found: a MIME type and the usual extension of that type (`''` when none). */
export interface SniffedType {
  mime: string;
  ext: string;
}

function looksLikeText(head: Buffer): boolean {
  if (head.includes(0)) return false;
  // A multi-byte character cut at the end of the sample must not make text look binary.
  const sample = head.length >= SNIFF_BYTES ? head.subarray(0, head.length - 3) : head;
  return new TextDecoder('utf-8', { fatal: false }).decode(sample).includes('\ufffd') === false;
}

/**
 * The content type of a file from its first {@link SNIFF_BYTES} bytes. Binary formats come from
 * their signatures; otherwise SVG, JSON-free plain text or `application/octet-stream`. Never
 * trusts the client's declared type or the file name.
 */
export async function sniffContentType(head: Buffer): Promise<SniffedType> {
  const { fileTypeFromBuffer } = await (fileTypeModule ??= import('file-type'));
  const found = await fileTypeFromBuffer(head);
  if (found) return { mime: found.mime, ext: found.ext };
  if (head.length > 0 && looksLikeText(head)) {
    const text = head.toString('utf8').trimStart().toLowerCase();
    if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return { mime: 'image/svg+xml', ext: 'svg' };
    return { mime: 'text/plain', ext: 'txt' };
  }
  return { mime: 'application/octet-stream', ext: '' };
}

/** Types that also satisfy an allowed entry (aliases, and parents in PocketBase's mimetype tree). */
const ACCEPTED_AS: Record<string, string[]> = {
  'image/jpeg': ['image/jpg', 'image/pjpeg'],
  'image/png': ['image/x-png'],
  'image/svg+xml': ['text/plain', 'text/xml', 'application/xml'],
  'application/json': ['text/plain'],
  'text/csv': ['text/plain'],
  'application/xml': ['text/xml', 'text/plain'],
  'application/zip': ['application/x-zip-compressed'],
};

/** Whether sniffed type `detected` is one of `allowed` (case-insensitive; aliases and parents count). */
export function isAllowedContentType(detected: string, allowed: readonly string[]): boolean {
  const wanted = new Set(allowed.map((a) => a.trim().toLowerCase()));
  const type = detected.toLowerCase();
  if (wanted.has(type)) return true;
  if (wanted.has('application/octet-stream')) return true;
  return (ACCEPTED_AS[type] ?? []).some((alias) => wanted.has(alias));
}

const BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  ico: 'image/x-icon',
  svg: 'image/svg+xml',
  heic: 'image/heic',
  pdf: 'application/pdf',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json',
  xml: 'application/xml',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

/**
 * The Content-Type a stored file is served with. Stored names always carry the extension of the
 * sniffed type when the client gave none, so the extension is the record of what was uploaded.
 */
export function contentTypeOfName(filename: string): string {
  const dot = filename.lastIndexOf('.');
  const ext = dot === -1 ? '' : filename.slice(dot + 1).toLowerCase();
  return BY_EXTENSION[ext] ?? 'application/octet-stream';
}

/** Types PocketBase serves `inline` (the rest are attachments): images, audio, video and PDF. */
export function isInlineContentType(contentType: string): boolean {
  return /^(image|audio|video)\//.test(contentType) || contentType.startsWith('application/pdf');
}

/** Types a thumbnail can be made of (spec §8.1). */
export const THUMBABLE_TYPES = new Set(['image/png', 'image/jpg', 'image/jpeg', 'image/gif', 'image/webp']);
