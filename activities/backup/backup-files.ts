import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

/** A file as written into (or read from) a backup: its size in bytes and SHA-256, of the bytes on disk. */
export interface HashedFile {
  size: number;
  sha256: string;
}

/** A pass-through stream that hashes and counts what goes through it. */
function hashingTap(): { tap: Transform; result: () => HashedFile } {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return { tap, result: () => ({ size, sha256: hash.digest('hex') }) };
}

/** Flushes a file to the disk, so a backup that says it is complete is on the disk, not in a cache. */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a stream to `target` (optionally gzipped), hashing the bytes as they land, through a temporary name renamed
 * into place once complete and flushed: a file in a backup is whole or absent.
 */
export async function writeHashed(source: Readable, target: string, options: { gzip?: boolean } = {}): Promise<HashedFile> {
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.part`;
  const { tap, result } = hashingTap();
  try {
    if (options.gzip) await pipeline(source, createGzip({ level: 6 }), tap, createWriteStream(partial, { flags: 'wx' }));
    else await pipeline(source, tap, createWriteStream(partial, { flags: 'wx' }));
    await syncFile(partial);
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return result();
}

/** Copies a file into a backup (or back out of one), hashing it on the way. */
export async function copyHashed(from: string, to: string, options: { gzip?: boolean } = {}): Promise<HashedFile> {
  return writeHashed(createReadStream(from), to, options);
}

/** Size and SHA-256 of a file as it is on the disk. */
export async function hashFile(path: string): Promise<HashedFile> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

/** A gzipped file of a backup, unpacked as a stream. */
export function gunzipped(path: string): Readable {
  return createReadStream(path).pipe(createGunzip());
}
