import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { InputError, fromZodIssues, type InputIssue } from '../config/errors';
import { planSchema, type Plan } from '../config/plan-schema';
import { isTemplateId } from '../domain/email-templates';

/** Parses a plan from YAML or JSON text (by file name) and validates it; throws InputError naming every problem. */
export function parsePlan(text: string, file: string): Plan {
  let raw: unknown;
  try {
    raw = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? { row: error.linePos[0].line } : {};
    throw new InputError(`The plan ${file} could not be read`, [{ file, ...where, message: (error as Error).message.split('\n')[0] ?? 'not valid' }]);
  }
  const parsed = planSchema.safeParse(raw);
  // Template names are checked on the raw document too, so every problem is reported in one go.
  const issues: InputIssue[] = [...(parsed.success ? [] : fromZodIssues(parsed.error.issues, { file })), ...templateIssues(raw, file)];
  if (!parsed.success || issues.length) throw new InputError(`The plan ${file} is not valid`, issues);
  return parsed.data;
}

function templateIssues(raw: unknown, file: string): InputIssue[] {
  const issues: InputIssue[] = [];
  const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter((x) => x && typeof x === 'object') : []);
  const doc = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  list(doc.milestones).forEach((m, i) =>
    list(m.emails).forEach((e, j) => {
      if (typeof e.template === 'string' && !isTemplateId(e.template)) {
        issues.push({ file, path: `milestones.${i}.emails.${j}.template`, message: `unknown email template "${e.template}"` });
      }
    }),
  );
  list(doc.deliverables).forEach((d, i) => {
    const templates = d.templates && typeof d.templates === 'object' ? (d.templates as Record<string, unknown>) : {};
    for (const [kind, id] of Object.entries(templates)) {
      if (typeof id === 'string' && !isTemplateId(id)) issues.push({ file, path: `deliverables.${i}.templates.${kind}`, message: `unknown email template "${id}"` });
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
    throw new InputError(`The plan ${file} could not be read`, [{ file, message: (error as Error).message }]);
  }
  return parsePlan(text, file);
}
