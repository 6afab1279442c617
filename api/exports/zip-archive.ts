import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';

/**
 * A ZIP archive written as a stream by yazl: each file is stored (documents are compressed already) and opened only
 * when its turn comes, so no file is held whole in memory and no more than one is open. Names are UTF-8; yazl switches
 * to ZIP64 records by itself for more than 65,535 entries or past 4 GiB.
 */
export interface ZipEntry {
  name: string;
  modifiedAt: number;
  /** The stored size; yazl checks the stream against it. */
  size: number;
  open: () => Readable;
}

export function zipArchive(entries: Iterable<ZipEntry>): Readable {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  // A file that cannot be read (missing from the storage directory) ends the download with an error instead of
  // leaving it hanging; the answer's status is already sent, so the client sees a cut-off transfer and the log the cause.
  zip.on('error', (error: Error) => output.destroy(error));
  for (const entry of entries) {
    zip.addReadStreamLazy(entry.name, { mtime: new Date(entry.modifiedAt), compress: false, size: entry.size }, (done) => {
      try {
        done(null, entry.open());
      } catch (error) {
        done(error, undefined as never);
      }
    });
  }
  zip.end();
  return output;
}

/** A path part safe in every unzip tool: no separators, no control characters, no leading dots. */
export function zipPathPart(value: string): string {
  return value.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').replace(/^\.+/, '_').trim().slice(0, 120) || '_';
}
