import { open } from 'node:fs/promises';

/**
 * Recognises the document types directors may upload by their content, never by name or declared type: PDF by its
 * header, DOCX and ODT by the ZIP container's directory (OOXML's `[Content_Types].xml` and `word/document.xml`; ODF's
 * leading `mimetype` entry). The ZIP directory is read, never inflated, and containers that declare an absurd expanded
 * size or too many entries (a decompression bomb dressed as a document) are refused.
 */
export type DocumentType = 'pdf' | 'docx' | 'odt';

export const DOCUMENT_MEDIA_TYPES: Record<DocumentType, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  odt: 'application/vnd.oasis.opendocument.text',
};

export type DocumentCheck = { ok: true; type: DocumentType } | { ok: false; reason: 'unknown-type' | 'suspicious-archive' };

/** Bytes of the head a caller must pass (the first bytes of the file). */
export const HEAD_BYTES = 1024;

const ZIP_LOCAL = 0x04034b50;
const ZIP_CENTRAL = 0x02014b50;
const ZIP_END = 0x06054b50;
const ODT_MIMETYPE = 'application/vnd.oasis.opendocument.text';
const MAX_ENTRIES = 5_000;
/** A word-processing document never expands to more than this, nor compresses better than 1:MAX_RATIO overall. */
const MAX_EXPANDED_BYTES = 512 * 1024 * 1024;
const MAX_RATIO = 200;

export async function detectDocumentType(path: string, head: Buffer, size: number): Promise<DocumentCheck> {
  // PDF readers accept the header anywhere in the first 1,024 bytes; we ask for it at the start, like every producer.
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return { ok: true, type: 'pdf' };
  if (head.length < 30 || head.readUInt32LE(0) !== ZIP_LOCAL) return { ok: false, reason: 'unknown-type' };
  const entries = await readZipDirectory(path, size);
  if (entries === 'suspicious') return { ok: false, reason: 'suspicious-archive' };
  if (entries === null) return { ok: false, reason: 'unknown-type' };
  const expanded = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (expanded > MAX_EXPANDED_BYTES || expanded > Math.max(size, 1) * MAX_RATIO) return { ok: false, reason: 'suspicious-archive' };
  const names = new Set(entries.map((e) => e.name));
  if (isOdt(head)) return { ok: true, type: 'odt' };
  if (names.has('[Content_Types].xml') && names.has('word/document.xml')) return { ok: true, type: 'docx' };
  return { ok: false, reason: 'unknown-type' };
}

/** ODF puts an uncompressed `mimetype` entry first, its content right after the 30-byte local header and the name. */
function isOdt(head: Buffer): boolean {
  const nameLength = head.readUInt16LE(26);
  const extraLength = head.readUInt16LE(28);
  const method = head.readUInt16LE(8);
  if (method !== 0 || nameLength !== 8 || head.subarray(30, 38).toString('latin1') !== 'mimetype') return false;
  const start = 38 + extraLength;
  return head.subarray(start, start + ODT_MIMETYPE.length).toString('latin1') === ODT_MIMETYPE;
}

interface ZipEntry {
  name: string;
  uncompressedSize: number;
}

/** The central directory's entries; null when there is no readable ZIP directory, 'suspicious' when it is abusive. */
async function readZipDirectory(path: string, size: number): Promise<ZipEntry[] | 'suspicious' | null> {
  const handle = await open(path, 'r');
  try {
    // The end record is 22 bytes plus a comment of up to 65,535 bytes, at the very end of the file.
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    let end = -1;
    for (let i = tailLength - 22; i >= 0; i -= 1) {
      if (tail.readUInt32LE(i) === ZIP_END) {
        end = i;
        break;
      }
    }
    if (end < 0) return null;
    const count = tail.readUInt16LE(end + 10);
    const directorySize = tail.readUInt32LE(end + 12);
    const directoryOffset = tail.readUInt32LE(end + 16);
    if (count > MAX_ENTRIES) return 'suspicious';
    if (directoryOffset + directorySize > size || directorySize > 16 * 1024 * 1024) return null;
    const directory = Buffer.alloc(directorySize);
    await handle.read(directory, 0, directorySize, directoryOffset);
    const entries: ZipEntry[] = [];
    let at = 0;
    while (at + 46 <= directory.length && entries.length < count) {
      if (directory.readUInt32LE(at) !== ZIP_CENTRAL) return null;
      const uncompressedSize = directory.readUInt32LE(at + 24);
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      entries.push({ name: directory.subarray(at + 46, at + 46 + nameLength).toString('utf8'), uncompressedSize });
      at += 46 + nameLength + extraLength + commentLength;
    }
    // ZIP64 (sizes of 0xFFFFFFFF) has no place in a kindergarten's analysis.
    if (entries.some((e) => e.uncompressedSize === 0xffffffff)) return 'suspicious';
    return entries;
  } finally {
    await handle.close();
  }
}
