/**
 * The frame of Årshjul's server-rendered pages: plain, accessible HTML in Norwegian bokmål with one stylesheet and no
 * script. Values are escaped by `texts/html` (`html`), so a file name or comment with markup is shown as text.
 */
import { type Html, html } from '../../texts/html';

export const STYLESHEET_PATH = '/assets/arshjul.css';

/** A whole page: language, viewport, title, one stylesheet, a main landmark. */
export function page(options: { title: string; heading?: string; body: Html; header?: string; language?: 'nb' | 'nn' }): string {
  return html`<!doctype html>
<html lang="${options.language ?? 'nb'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title} – Årshjul</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<header class="site"><p>${options.header ?? 'Årshjul'}</p></header>
<main id="innhold">
${options.body}
</main>
</body>
</html>
`.html;
}

/** Contrast of every text/background pair is at least 4.5:1 (WCAG 2.1 AA); focus is always visible. */
export const STYLESHEET = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4a4a4a; --paper: #ffffff; --accent: #00509e; --ok: #0b6b2f; --bad: #a4000f; --line: #767676; }
* { box-sizing: border-box; }
body { margin: 0; font: 1.0625rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--paper); }
header.site { background: var(--accent); color: #fff; padding: .75rem 1rem; }
header.site p { margin: 0; font-weight: 600; }
main { max-width: 44rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1.5rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
@media (max-width: 30rem) { dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom: .5rem; } }
label { display: block; font-weight: 600; margin: 1.25rem 0 .25rem; }
.hint { color: var(--muted); margin: 0 0 .5rem; }
input[type=file], textarea { display: block; width: 100%; font: inherit; padding: .6rem; border: 2px solid var(--line); border-radius: 4px; background: #fff; color: var(--ink); }
textarea { min-height: 6rem; }
button, .button { display: inline-block; margin-top: 1.5rem; font: inherit; font-weight: 600; padding: .75rem 1.5rem; min-height: 44px; border: 2px solid var(--accent); border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #000; outline-offset: 2px; box-shadow: 0 0 0 6px #ffd400; }
.notice { border-left: 6px solid var(--accent); padding: .75rem 1rem; margin: 1rem 0; background: #eef4fb; }
.notice.ok { border-color: var(--ok); background: #edf7f0; }
.notice.bad { border-color: var(--bad); background: #fbeeee; }
section.guidance { border-left: 4px solid var(--accent); padding: .25rem 1rem; margin: .75rem 0; background: #f4f8fb; overflow-wrap: anywhere; }
section.guidance h3 { margin: .25rem 0; font-size: 1rem; }
.notice h2 { margin-top: 0; font-size: 1.15rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .5rem; border-bottom: 1px solid var(--line); }
code.hash { font-size: .85rem; overflow-wrap: anywhere; word-break: break-all; }
.table-wrap { overflow-x: auto; }
footer.contact { margin-top: 2.5rem; padding-top: 1rem; border-top: 1px solid var(--line); color: var(--muted); }
`;
