/**
 * Thumbnails of stored images (spec §8.1), made with `sharp` (libvips: streams, fast, no
 * ImageMagick); the alternative considered was a pure-JS codec set, far slower on large photos.
 * Mirrors PocketBase tools/filesystem CreateThumb.
 * @module
 */
import type { Readable } from 'node:stream';

// Loaded on first use: libvips takes a noticeable part of a second to load, which every CLI
// command and every server start would otherwise pay.
let sharpModule: Promise<typeof import('sharp')> | undefined;

/** A parsed thumb size: `WxH` with an optional crop mode (t: top, b: bottom, f: fit). */
export interface ThumbSize {
  width: number;
  height: number;
  mode: '' | 't' | 'b' | 'f';
}

/** Reads `WxH[t|b|f]`; `undefined` for anything else or for `0x0`. */
export function parseThumbSize(size: string): ThumbSize | undefined {
  const m = /^(\d{1,5})x(\d{1,5})(t|b|f)?$/.exec(size);
  if (!m) return undefined;
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width === 0 && height === 0) return undefined;
  return { width, height, mode: (m[3] ?? '') as ThumbSize['mode'] };
}

/** Largest edge of an input image, in pixels, sharp agrees to decode (guards decompression bombs). */
export const MAX_THUMB_INPUT_PIXELS = 100_000_000;

/**
 * Renders a thumbnail of the image read from `source`, whose sniffed type is `contentType`.
 * JPEG and GIF keep their format; anything else (PNG, WebP) becomes PNG, as in PocketBase. Only
 * the first frame of an animation is used. Rejects when the input is not a decodable image.
 */
export async function createThumbnail(source: Readable, contentType: string, size: ThumbSize): Promise<Buffer> {
  const { default: sharp } = await (sharpModule ??= import('sharp'));
  let image = sharp({ limitInputPixels: MAX_THUMB_INPUT_PIXELS, pages: 1 }).rotate();
  const { width, height, mode } = size;
  if (width === 0 || height === 0) {
    image = image.resize({ width: width || undefined, height: height || undefined });
  } else if (mode === 'f') {
    image = image.resize({ width, height, fit: 'inside', withoutEnlargement: true });
  } else {
    image = image.resize({ width, height, fit: 'cover', position: mode === 't' ? 'top' : mode === 'b' ? 'bottom' : 'centre' });
  }
  if (contentType === 'image/jpeg' || contentType === 'image/jpg') image = image.jpeg({ quality: 85 });
  else if (contentType === 'image/gif') image = image.gif();
  else image = image.png();
  source.on('error', (err) => image.destroy(err));
  source.pipe(image);
  return image.toBuffer();
}
