import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { zipArchive, zipPathPart } from '../../api/exports/zip-archive';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('zipArchive (yazl)', () => {
  it('writes stored entries with UTF-8 names that Python reads back byte for byte', async () => {
    const files = [
      { name: 'Kommune Åsnes/Barnehage Ærlig 974760673/analysis-so-far/v1 AH-000001 Analyse æøå.pdf', data: Buffer.from('%PDF-1.7 første') },
      { name: 'Kommune Åsnes/Barnehage Ærlig 974760673/full-analysis/v2 AH-000002 tom.pdf', data: Buffer.alloc(0) },
    ];
    const zip = await collect(zipArchive(files.map((f) => ({ name: f.name, modifiedAt: Date.UTC(2018, 0, 18, 8), size: f.data.length, open: () => Readable.from([f.data]) }))));
    const dir = mkdtempSync(join(tmpdir(), 'arshjul-zip-'));
    try {
      writeFileSync(join(dir, 'a.zip'), zip);
      const out = JSON.parse(
        execFileSync('python3', ['-c', 'import zipfile,sys,json; z=zipfile.ZipFile(sys.argv[1]); print(json.dumps({"bad": z.testzip(), "files": {i.filename: [z.read(i).decode(), i.compress_type] for i in z.infolist()}}))', join(dir, 'a.zip')], { encoding: 'utf8' }),
      );
      expect(out).toEqual({ bad: null, files: Object.fromEntries(files.map((f) => [f.name, [f.data.toString(), 0]])) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ends the stream with an error when a file cannot be opened, instead of hanging', async () => {
    const entries = [
      { name: 'a.pdf', modifiedAt: 0, size: 3, open: () => Readable.from([Buffer.from('abc')]) },
      { name: 'b.pdf', modifiedAt: 0, size: 3, open: (): Readable => { throw new Error('invalid storage key'); } },
    ];
    await expect(collect(zipArchive(entries))).rejects.toThrow('invalid storage key');
  });

  it('ends the stream with an error when a file is not the size that was stored', async () => {
    const entries = [{ name: 'a.pdf', modifiedAt: 0, size: 10, open: () => Readable.from([Buffer.from('abc')]) }];
    await expect(collect(zipArchive(entries))).rejects.toThrow();
  });

  it('makes path parts safe for every unzip tool', () => {
    expect(zipPathPart('../..\\etc/passwd')).toBe('__.._etc_passwd');
    expect(zipPathPart('a\u0000b:c*d?e"f<g>h|i')).toBe('a_b_c_d_e_f_g_h_i');
    expect(zipPathPart('')).toBe('_');
  });
});
