import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * SQLite's online backup API through Python 3's sqlite3 module: Node 20 has no node:sqlite, and better-sqlite3 needs
 * a native build that cannot be downloaded here, while python3 is on every machine Årshjul runs on (its tools install
 * into .venv). `Connection.backup` copies every page in one step under a read transaction, so the copy is the database
 * as it was at one instant although the Temporal dev server keeps writing; the copy is then checked
 * (`PRAGMA integrity_check`) and turned into a single self-contained file (journal mode DELETE, no -wal beside it).
 */
const SCRIPT = `
import pathlib, sqlite3, sys
src = sqlite3.connect(pathlib.Path(sys.argv[1]).resolve().as_uri() + '?mode=ro', uri=True, timeout=60)
dst = sqlite3.connect(sys.argv[2])
src.backup(dst)
src.close()
check = dst.execute('PRAGMA integrity_check').fetchone()[0]
if check != 'ok':
    sys.stderr.write('integrity_check: ' + str(check) + '\\n')
    sys.exit(3)
dst.execute('PRAGMA journal_mode=DELETE').fetchone()
dst.close()
`;

/** Copies the SQLite database at `from` to the new file `to` while others write to it; throws with Python's message. */
export async function copySqliteOnline(from: string, to: string): Promise<void> {
  try {
    await promisify(execFile)('python3', ['-c', SCRIPT, from, to], { timeout: 30 * 60_000, maxBuffer: 1024 * 1024 });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`SQLite backup of ${from} failed: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/** Whether a file is a sound SQLite database (`PRAGMA integrity_check` says ok). */
export async function sqliteIsSound(path: string): Promise<boolean> {
  const check = "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nprint(c.execute('PRAGMA integrity_check').fetchone()[0])";
  try {
    const { stdout } = await promisify(execFile)('python3', ['-c', check, path], { timeout: 30 * 60_000 });
    return stdout.trim() === 'ok';
  } catch {
    return false;
  }
}
