/**
 * The contract every file store implements (the local filesystem, S3-compatible object storage).
 * Keys are `/`-separated relative paths (`{collectionId}/{recordId}/{filename}`,
 * `{collectionId}/{recordId}/thumbs_{filename}/{size}_{filename}`), never absolute and never
 * containing `..`; drivers must refuse any other key rather than resolve it.
 * Everything streams: no method needs a whole file in memory.
 * @module
 */
import type { Readable } from 'node:stream';

/** What a store knows about one stored object. */
export interface StoredFileInfo {
  key: string;
  size: number;
  /** Last modification, for ETag/Last-Modified and backups. */
  modified: Date;
  /** The Content-Type recorded at upload, when the store keeps one. */
  contentType?: string;
}

/** An inclusive byte range, as in an HTTP `Range: bytes=start-end` header. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface FileStore {
  /** Stores `body` under `key`, replacing any object there; resolves once it is durable. */
  put(key: string, body: Readable | Buffer, options?: { contentType?: string; size?: number }): Promise<void>;
  /**
   * Optional: stores the local file at `path` under `key` without copying it when the store can
   * (the local store hard-links it on the same filesystem). The file at `path` is left in place.
   * Callers fall back to `put` with a stream when a store has no `putFile`.
   */
  putFile?(key: string, path: string, options?: { contentType?: string; size?: number }): Promise<void>;
  /** A stream of the object (or of `range` of it); rejects with `FileNotFoundError` when absent. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** The object's metadata, or `undefined` when absent. */
  stat(key: string): Promise<StoredFileInfo | undefined>;
  /** Deletes the object; a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (a record's or collection's folder). */
  deletePrefix(prefix: string): Promise<void>;
  /** Every object whose key starts with `prefix` (`''` for all), in key order. */
  list(prefix: string): AsyncIterable<StoredFileInfo>;
  /** Releases connections and handles. */
  close(): Promise<void>;
}

/** Raised by {@link FileStore.read} for a key with no object. */
export class FileNotFoundError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`no stored file at ${JSON.stringify(key)}`);
    this.key = key;
    this.name = 'FileNotFoundError';
    this.key = key;
  }
}

/** Where an S3-compatible store keeps objects: the `s3` block of the settings, secret included. */
export interface S3StoreConfig {
  bucket: string;
  region: string;
  /** `https://s3.example.com`; empty for AWS (`https://s3.{region}.amazonaws.com`). */
  endpoint: string;
  accessKey: string;
  secret: string;
  /** `endpoint/bucket/key` instead of `bucket.endpoint/key`. */
  forcePathStyle: boolean;
}

/** Builds an S3 store; the composition root passes the concrete one so core never imports it. */
export type S3FileStoreFactory = (config: S3StoreConfig) => FileStore;
