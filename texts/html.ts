/**
 * The one HTML escaper: every value that reaches a page or an email's HTML part goes through `esc`, or through the
 * `html` template tag, which escapes every interpolated value unless it is already `Html`.
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escaped text, safe in element content and quoted attribute values. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/** A string that is already safe HTML (built from escaped parts). */
export interface Html {
  readonly html: string;
}

/** Template literal that escapes every interpolated value unless it is already `Html` (or an array of them). */
export function html(strings: TemplateStringsArray, ...values: (string | number | Html | Html[] | null | undefined | false)[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    if (value === null || value === undefined || value === false) out += '';
    else if (Array.isArray(value)) out += value.map((v) => v.html).join('');
    else if (typeof value === 'object') out += value.html;
    else out += esc(value);
    out += strings[i + 1] ?? '';
  });
  return { html: out };
}
