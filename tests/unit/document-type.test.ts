import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEAD_BYTES, detectDocumentType } from '../../activities/files/document-type';
import { cleanFileName } from '../../application/upload-service';
import { docx, docxBomb, elf, odt, pdf, zip } from '../helpers/documents';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'arshjul-doctype-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function detect(name: string, data: Buffer) {
  const path = join(dir, name);
  writeFileSync(path, data);
  return detectDocumentType(path, data.subarray(0, HEAD_BYTES), data.length);
}

describe('recognising documents by content', () => {
  it('recognises a PDF, a DOCX and an ODT whatever they are called', async () => {
    expect(await detect('a.bin', pdf())).toEqual({ ok: true, type: 'pdf' });
    expect(await detect('b.pdf', docx())).toEqual({ ok: true, type: 'docx' });
    expect(await detect('c.txt', odt())).toEqual({ ok: true, type: 'odt' });
  });

  it('refuses a renamed executable, plain text and random bytes', async () => {
    expect(await detect('virus.pdf', elf())).toEqual({ ok: false, reason: 'unknown-type' });
    expect(await detect('notes.docx', Buffer.from('just some text, not a document'))).toEqual({ ok: false, reason: 'unknown-type' });
    expect(await detect('noise.odt', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)))).toEqual({ ok: false, reason: 'unknown-type' });
  });

  it('refuses a ZIP that is neither DOCX nor ODT, and a truncated one', async () => {
    const other = zip([{ name: 'photo.jpg', data: Buffer.alloc(100, 1) }]);
    expect(await detect('other.docx', other)).toEqual({ ok: false, reason: 'unknown-type' });
    expect(await detect('cut.docx', docx().subarray(0, 120))).toEqual({ ok: false, reason: 'unknown-type' });
  });

  it('refuses a decompression bomb dressed as a DOCX without inflating it', async () => {
    const bomb = docxBomb(64);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(await detect('bomb.docx', bomb)).toEqual({ ok: false, reason: 'suspicious-archive' });
    // Making the 64 MB bomb (deflating it) takes seconds on a busy machine: more than jest's default 5 s.
  }, 60_000);
});

describe('cleaning file names from the form', () => {
  it.each([
    ['C:\\Users\\styrer\\Documents\\analyse.pdf', 'analyse.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['<script>alert(1)</script>.pdf', 'script>.pdf'],
    ['rapport\u202Efdp.exe', 'rapportfdp.exe'],
    ['  Analyse\tsåpass .docx ', 'Analyse såpass .docx'],
    ['...', 'fil'],
    ['', 'fil'],
  ])('%j becomes %j', (raw, cleaned) => {
    expect(cleanFileName(raw)).toBe(cleaned);
  });

  it('keeps the extension when it shortens a long name to 200 characters', () => {
    const cleaned = cleanFileName(`${'a'.repeat(300)}.pdf`);
    expect(cleaned).toHaveLength(200);
    expect(cleaned.endsWith('.pdf')).toBe(true);
  });
});
