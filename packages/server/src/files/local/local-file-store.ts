/**
 * The local filesystem FileStore (Basalt's default, under `<dataDir>/storage/`). Writes go to a
 * temporary file in `<root>/.tmp/`, are flushed to disk, then renamed into place, so a reader
 * never sees half a file and a crash leaves no partial object under a real key.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertFileKey, assertFilePrefix } from '../file-key.ts';
import { FileNotFoundError, type ByteRange, type FileStore, type StoredFileInfo } from '../types.ts';

/** Read size of downloads: 4× Node's default, fewer chunks through the HTTP response per file. */
const READ_CHUNK_BYTES = 256 * 1024;

/** The folder, inside the root, where objects are written before being renamed into place. */
const TEMP_FOLDER = '.tmp';

function isMissing(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export class LocalFileStore implements FileStore {
  readonly root: string;

  /** `root` is created on first write; it may already hold objects. */
  constructor(root: string) {
    this.root = resolve(root);
  }

  #path(key: string): string {
    assertFileKey(key);
    if (key === TEMP_FOLDER || key.startsWith(`${TEMP_FOLDER}/`)) throw new RangeError(`invalid file key ${JSON.stringify(key)}: ${TEMP_FOLDER}/ is reserved`);
    const path = join(this.root, ...key.split('/'));
    // Belt and braces: assertFileKey already refuses `..`, but a key must never leave the root.
    if (!path.startsWith(this.root + sep)) throw new RangeError(`invalid file key ${JSON.stringify(key)}`);
    return path;
  }

  async put(key: string, body: Readable | Buffer, _options?: { contentType?: string; size?: number }): Promise<void> {
    const target = this.#path(key);
    const tempDir = join(this.root, TEMP_FOLDER);
    await mkdir(tempDir, { recursive: true });
    const temp = join(tempDir, `${randomBytes(12).toString('hex')}.part`);
    try {
      // `flush`: the data reaches the disk before the rename makes it visible.
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, createWriteStream(temp, { flags: 'wx', flush: true }));
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw err;
    }
  }

  async putFile(key: string, path: string, options?: { contentType?: string; size?: number }): Promise<void> {
    const target = this.#path(key);
    const tempDir = join(this.root, TEMP_FOLDER);
    await mkdir(tempDir, { recursive: true });
    const temp = join(tempDir, `${randomBytes(12).toString('hex')}.link`);
    try {
      // A hard link, not a move: the caller's file stays usable (a retried transaction stores it again).
      await link(path, temp);
    } catch (err) {
      const code = (err as { code?: string }).code;
      // Another filesystem, or one without hard links: copy instead.
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw err;
      return this.put(key, createReadStream(path), options);
    }
    try {
      const handle = await open(temp, 'r+');
      try {
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw err;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.#path(key);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if (isMissing(err) || (err as { code?: string }).code === 'EISDIR') throw new FileNotFoundError(key);
      throw err;
    }
    const info = await handle.stat().catch(async (err: unknown) => {
      await handle.close();
      throw err;
    });
    if (!info.isFile()) {
      await handle.close();
      throw new FileNotFoundError(key);
    }
    return handle.createReadStream({ ...range, highWaterMark: READ_CHUNK_BYTES });
  }

  async stat(key: string): Promise<StoredFileInfo | undefined> {
    const path = this.#path(key);
    try {
      const info = await stat(path);
      return info.isFile() ? { key, size: info.size, modified: info.mtime } : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.#path(key);
    try {
      await unlink(path);
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    await this.#removeEmptyParents(dirname(path));
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertFilePrefix(prefix);
    if (prefix === '' || prefix.endsWith('/')) {
      // A whole folder: remove it in one call (the temp folder survives a `''` prefix).
      const folder = prefix === '' ? this.root : this.#path(prefix.slice(0, -1));
      if (prefix === '') {
        const names = await readdir(folder).catch((err: unknown) => (isMissing(err) ? [] : Promise.reject(err)));
        await Promise.all(names.filter((n) => n !== TEMP_FOLDER).map((n) => rm(join(folder, n), { recursive: true, force: true })));
        return;
      }
      await rm(folder, { recursive: true, force: true });
      await this.#removeEmptyParents(dirname(folder));
      return;
    }
    const keys: string[] = [];
    for await (const info of this.list(prefix)) keys.push(info.key);
    for (const key of keys) await this.delete(key);
  }

  async *list(prefix: string): AsyncIterable<StoredFileInfo> {
    assertFilePrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const folderKey = slash < 0 ? '' : prefix.slice(0, slash);
    yield* this.#walk(folderKey, prefix);
  }

  async *#walk(folderKey: string, prefix: string): AsyncGenerator<StoredFileInfo> {
    const folder = folderKey === '' ? this.root : this.#path(folderKey);
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    // Folders sort as `name/` so the walk yields keys in plain string order, as S3 lists them.
    const sorted = entries
      .filter((e) => !(folderKey === '' && e.name === TEMP_FOLDER) && (e.isFile() || e.isDirectory()))
      .map((e) => ({ entry: e, sortKey: e.isDirectory() ? `${e.name}/` : e.name }))
      .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    for (const { entry } of sorted) {
      const key = folderKey === '' ? entry.name : `${folderKey}/${entry.name}`;
      if (entry.isDirectory()) {
        if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* this.#walk(key, prefix);
      } else if (key.startsWith(prefix)) {
        const info = await this.stat(key);
        if (info) yield info;
      }
    }
  }

  /** Removes now-empty folders between `folder` and the root, so deleted records leave nothing. */
  async #removeEmptyParents(folder: string): Promise<void> {
    let current = folder;
    while (current.startsWith(this.root + sep)) {
      try {
        await rmdir(current);
      } catch {
        return;
      }
      current = dirname(current);
    }
  }

  async close(): Promise<void> {}
}
