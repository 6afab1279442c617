import { stringify } from 'csv-stringify/sync';

/**
 * A CSV file for a Norwegian spreadsheet, written by csv-stringify: semicolons, CRLF, UTF-8 with a byte-order mark (so
 * Excel reads æøå), and every cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR) kept as text by a
 * leading apostrophe.
 */
export function spreadsheetCsv(header: string[], rows: (string | number)[][]): string {
  return stringify([header, ...rows], {
    delimiter: ';',
    record_delimiter: 'windows',
    bom: true,
    cast: { string: (value) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value), number: (value) => String(value) },
  });
}
