/**
 * The S3 FileStore: objects in one bucket of any S3-compatible service, through the owned
 * {@link S3Client}. Uploads stream with their Content-Length; a stream of unknown size is first
 * spooled to a temporary file (S3 refuses a PUT without a length).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertFileKey, assertFilePrefix } from '../file-key.ts';
import { FileNotFoundError, type ByteRange, type FileStore, type S3StoreConfig, type StoredFileInfo } from '../types.ts';
import { MAX_DELETE_KEYS, S3Client } from './s3-client.ts';

export class S3FileStore implements FileStore {
  readonly client: S3Client;

  constructor(config: S3StoreConfig) {
    this.client = new S3Client(config);
  }

  async put(key: string, body: Readable | Buffer, options: { contentType?: string; size?: number } = {}): Promise<void> {
    assertFileKey(key);
    if (Buffer.isBuffer(body)) return this.client.putObject(key, body, body.length, options.contentType);
    if (options.size !== undefined) return this.client.putObject(key, body, options.size, options.contentType);
    const spool = join(tmpdir(), `basalt-s3-${randomBytes(8).toString('hex')}`);
    try {
      await pipeline(body, createWriteStream(spool, { flags: 'wx' }));
      const { size } = await stat(spool);
      await this.client.putObject(key, createReadStream(spool), size, options.contentType);
    } finally {
      await rm(spool, { force: true });
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    assertFileKey(key);
    const stream = await this.client.getObject(key, range);
    if (!stream) throw new FileNotFoundError(key);
    return stream;
  }

  async stat(key: string): Promise<StoredFileInfo | undefined> {
    assertFileKey(key);
    const head = await this.client.headObject(key);
    return head && { key, size: head.size, modified: head.modified, contentType: head.contentType };
  }

  async delete(key: string): Promise<void> {
    assertFileKey(key);
    await this.client.deleteObject(key);
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertFilePrefix(prefix);
    let batch: string[] = [];
    // Listing continues from a token, so deleting the keys already listed does not disturb it.
    for await (const info of this.list(prefix)) {
      batch.push(info.key);
      if (batch.length === MAX_DELETE_KEYS) {
        await this.client.deleteObjects(batch);
        batch = [];
      }
    }
    await this.client.deleteObjects(batch);
  }

  async *list(prefix: string): AsyncIterable<StoredFileInfo> {
    assertFilePrefix(prefix);
    let token: string | undefined;
    do {
      const page = await this.client.listObjects(prefix, token);
      for (const o of page.objects) yield { key: o.key, size: o.size, modified: o.modified };
      token = page.next;
    } while (token);
  }

  async close(): Promise<void> {}
}

/** The factory the composition root hands to the App (AppOptions.s3FileStore). */
export function createS3FileStore(config: S3StoreConfig): FileStore {
  return new S3FileStore(config);
}
