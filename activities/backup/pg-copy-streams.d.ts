// pg-copy-streams ships no types; the two factories Årshjul uses (backup and restore), as documented in its README.
declare module 'pg-copy-streams' {
  import type { Readable, Writable } from 'node:stream';
  import type { Submittable } from 'pg';

  /** `COPY … TO STDOUT` as a readable stream; `rowCount` is set when it ends. */
  export function to(text: string): Readable & Submittable & { rowCount: number };
  /** `COPY … FROM STDIN` as a writable stream; `rowCount` is set when it finishes. */
  export function from(text: string): Writable & Submittable & { rowCount: number };
}
