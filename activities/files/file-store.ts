import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HEAD_BYTES } from './document-type';

/** A file received into the storage directory's temporary area, hashed as it streamed through. */
export interface ReceivedFile {
  tempPath: string;
  size: number;
  sha256: string;
  /** The first bytes, for recognising the type by content. */
  head: Buffer;
}

/**
 * The storage directory for uploaded files. A file is streamed to a temporary name (never held whole in memory),
 * its SHA-256 computed on the way, flushed to disk, and only then moved to its final key, so a stored key always
 * names a complete file.
 */
export class FileStore {
  private readonly tmp: string;
  private readonly objects: string;

  constructor(readonly dir: string) {
    this.tmp = join(dir, 'tmp');
    this.objects = join(dir, 'objects');
  }

  async init(): Promise<void> {
    await mkdir(this.tmp, { recursive: true });
    await mkdir(this.objects, { recursive: true });
  }

  /** Streams a file in, hashing it; rejects (and removes the partial file) when the stream fails. */
  async receive(stream: Readable): Promise<ReceivedFile> {
    const tempPath = join(this.tmp, `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const heads: Buffer[] = [];
    let headLength = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        if (headLength < HEAD_BYTES) {
          const part = chunk.subarray(0, HEAD_BYTES - headLength);
          heads.push(Buffer.from(part));
          headLength += part.length;
        }
        done(null, chunk);
      },
    });
    try {
      await pipeline(stream, tap, createWriteStream(tempPath, { flags: 'wx' }));
      const handle = await open(tempPath, 'r');
      await handle.sync().finally(() => handle.close());
    } catch (error) {
      await rm(tempPath, { force: true });
      throw error;
    }
    return { tempPath, size, sha256: hash.digest('hex'), head: Buffer.concat(heads) };
  }

  /** Moves a received file to its final key (`<submission>/<position>`). */
  async commit(tempPath: string, key: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(join(target, '..'), { recursive: true });
    await rename(tempPath, target);
  }

  async discard(tempPath: string): Promise<void> {
    await rm(tempPath, { force: true });
  }

  open(key: string): ReadStream {
    return createReadStream(this.pathOf(key));
  }

  /**
   * Removes what an interrupted upload left behind, older than `olderThanMs`: partial files in the temporary area, and
   * committed files of a submission `isStored` does not know (the process died between moving the files into place and
   * committing the submission's row, so nobody was ever told they were received). Returns what was removed.
   */
  async sweep(olderThanMs: number, isStored: (submissionIds: string[]) => Promise<Set<string>>, now = Date.now()): Promise<{ partial: number; orphaned: string[] }> {
    const old = async (path: string) => {
      try {
        return now - (await stat(path)).mtimeMs > olderThanMs;
      } catch {
        return false;
      }
    };
    let partial = 0;
    for (const name of await readdir(this.tmp).catch(() => [] as string[])) {
      if (name.endsWith('.part') && (await old(join(this.tmp, name)))) {
        await rm(join(this.tmp, name), { force: true });
        partial += 1;
      }
    }
    const candidates: string[] = [];
    for (const name of await readdir(this.objects).catch(() => [] as string[])) {
      if (/^[0-9a-f-]{36}$/.test(name) && (await old(join(this.objects, name)))) candidates.push(name);
    }
    const stored = candidates.length ? await isStored(candidates) : new Set<string>();
    const orphaned = candidates.filter((id) => !stored.has(id));
    for (const id of orphaned) await rm(join(this.objects, id), { recursive: true, force: true });
    return { partial, orphaned };
  }

  private pathOf(key: string): string {
    if (!/^[0-9a-f-]{36}\/\d{1,3}$/.test(key)) throw new Error(`invalid storage key ${key}`);
    return join(this.objects, key);
  }
}
