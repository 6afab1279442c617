import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { InputError, fromZodIssues, type InputIssue } from '../config/errors';
import { planSchema, type Plan } from '../config/plan-schema';
import { isTemplateId } from '../domain/email-templates';
import { INPUT_SUMMARY, PLAN_RULE, planSubject } from '../texts/validation';

/**
 * Parses a plan from YAML or JSON text (by file name) and validates it; throws InputError naming every problem, each
 * with its YAML line and the milestone or deliverable it is in, by id and title.
 */
export function parsePlan(text: string, file: string): Plan {
  const json = extname(file).toLowerCase() === '.json';
  let raw: unknown;
  let doc: Document | null = null;
  const lines = new LineCounter();
  try {
    if (json) raw = JSON.parse(text);
    else {
      doc = parseDocument(text, { prettyErrors: true, lineCounter: lines });
      const first = doc.errors[0];
      if (first) throw first;
      raw = doc.toJS();
    }
  } catch (error) {
    const linePos = (error as { linePos?: { line: number }[] }).linePos;
    const where = linePos?.[0] ? { line: linePos[0].line } : {};
    throw new InputError(INPUT_SUMMARY.planUnreadable(file), [{ file, ...where, message: readError(error, json) }]);
  }
  const parsed = planSchema.safeParse(raw);
  // Template names are checked on the raw document too, so every problem is reported in one go.
  const issues: InputIssue[] = [...(parsed.success ? [] : fromZodIssues(parsed.error.issues, { file })), ...templateIssues(raw, file)];
  if (!parsed.success || issues.length) throw new InputError(INPUT_SUMMARY.planInvalid(file), issues.map((i) => placed(i, raw, doc, lines)));
  return parsed.data;
}

function readError(error: unknown, json: boolean): string {
  const first = ((error as Error).message ?? '').split('\n')[0] ?? '';
  return json ? `ikke gyldig JSON (${first})` : `ikke gyldig YAML (${first.replace(/ at line \d+, column \d+:?$/, '')})`;
}

/**
 * The issue with its YAML line (of the nearest node its path reaches) and, for a path inside `milestones.N` or
 * `deliverables.N`, the milestone or deliverable named by id and title (the path stays whole, for programs).
 */
function placed(issue: InputIssue, raw: unknown, doc: Document | null, lines: LineCounter): InputIssue {
  const parts = (issue.path ?? '').split('.').filter((p) => p !== '');
  const keys = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  let line: number | undefined;
  if (doc) {
    for (let n = keys.length; n >= 0 && line === undefined; n -= 1) {
      const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
      if (isNode(node) && node.range) line = lines.linePos(node.range[0]).line;
    }
  }
  const [list, index] = keys;
  const entry = (list === 'milestones' || list === 'deliverables' || list === 'regions') && typeof index === 'number' ? listEntry(raw, list, index) : null;
  const subject = entry ? planSubject(list === 'milestones' ? 'milestone' : list === 'deliverables' ? 'deliverable' : 'region', entry.id, entry.title ?? entry.name) : undefined;
  return {
    ...issue,
    ...(line !== undefined ? { line } : {}),
    ...(subject ? { subject } : {}),
  };
}

function listEntry(raw: unknown, list: string, index: number): Record<string, unknown> | null {
  const items = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[list] : null;
  const item = Array.isArray(items) ? items[index] : null;
  return item && typeof item === 'object' ? (item as Record<string, unknown>) : null;
}

function templateIssues(raw: unknown, file: string): InputIssue[] {
  const issues: InputIssue[] = [];
  const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter((x) => x && typeof x === 'object') : []);
  const doc = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  list(doc.milestones).forEach((m, i) =>
    list(m.emails).forEach((e, j) => {
      if (typeof e.template === 'string' && !isTemplateId(e.template)) {
        issues.push({ file, path: `milestones.${i}.emails.${j}.template`, message: PLAN_RULE.unknownTemplate(e.template) });
      }
    }),
  );
  list(doc.deliverables).forEach((d, i) => {
    const templates = d.templates && typeof d.templates === 'object' ? (d.templates as Record<string, unknown>) : {};
    for (const [kind, id] of Object.entries(templates)) {
      if (typeof id === 'string' && !isTemplateId(id)) issues.push({ file, path: `deliverables.${i}.templates.${kind}`, message: PLAN_RULE.unknownTemplate(id) });
    }
  });
  return issues;
}

/** Reads and validates a plan file. */
export function loadPlan(file: string): Plan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new InputError(INPUT_SUMMARY.planUnreadable(file), [{ file, message: code === 'ENOENT' ? 'filen finnes ikke' : code === 'EACCES' ? 'du har ikke lov til å lese filen' : `filen kunne ikke leses (${code ?? 'ukjent feil'})` }]);
  }
  return parsePlan(text, file);
}
