import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { InputError, fromZodIssues, type InputIssue } from '../config/errors';
import { planSchema, type Plan } from '../config/plan-schema';
import { isTemplateId } from '../activities/email/templates';

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
  if (!parsed.success) throw new InputError(`The plan ${file} is not valid`, fromZodIssues(parsed.error.issues, { file }));
  const plan = parsed.data;
  const issues: InputIssue[] = [];
  plan.milestones.forEach((m, i) =>
    m.emails.forEach((e, j) => {
      if (!isTemplateId(e.template)) issues.push({ file, path: `milestones.${i}.emails.${j}.template`, message: `unknown email template "${e.template}"` });
    }),
  );
  plan.deliverables.forEach((d, i) =>
    Object.entries(d.templates).forEach(([kind, id]) => {
      if (!isTemplateId(id)) issues.push({ file, path: `deliverables.${i}.templates.${kind}`, message: `unknown email template "${id}"` });
    }),
  );
  if (issues.length) throw new InputError(`The plan ${file} is not valid`, issues);
  return plan;
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
