import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError, formatIssue } from '../../config/errors';
import { parsePlan } from '../../planning/load-plan';

const EXAMPLE_PLAN = path.join(__dirname, '../../examples/kfl-2017-2018.yaml');
const example = readFileSync(EXAMPLE_PLAN, 'utf8');

/** The example plan with `from` replaced by `to`; fails loudly if `from` is not in the plan exactly once. */
function edit(text: string, from: string, to: string): string {
  const first = text.indexOf(from);
  if (first < 0 || text.indexOf(from, first + 1) >= 0) throw new Error(`expected exactly one "${from}" in the plan`);
  return text.slice(0, first) + to + text.slice(first + from.length);
}

/** 1-based line number of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`no line contains "${needle}"`);
  return index + 1;
}

function refusal(text: string, file = 'plan.yaml'): InputError {
  try {
    parsePlan(text, file);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected parsePlan to refuse the plan');
}

describe('parsePlan accepts the example plan', () => {
  it('reads the Hedmark 2017/2018 plan with 19 milestones, 4 deliverables (the authorities\' group set-up among them) and the default send policy filled in', () => {
    const plan = parsePlan(example, 'plan.yaml');
    expect(plan.schoolYear).toBe(2017);
    expect(plan.milestones).toHaveLength(19);
    expect(plan.deliverables.map((d) => d.id)).toEqual(['analysis-so-far', 'full-analysis', 'booklet-material', 'group-setup']);
    expect(plan.deliverables.map((d) => d.submittedBy)).toEqual(['directors', 'directors', 'directors', 'municipal-authorities']);
    expect(plan.sendPolicy).toEqual({ quietHours: { start: '08:00', end: '16:00' }, skipWeekends: true, skipHolidays: true, defaultTime: '08:00', authorityDigest: { enabled: true, at: '12:00' } });
    expect(plan.deliverables[0]?.templates).toEqual({ prompt: 'deliverable-prompt', reminder: 'deliverable-reminder', escalation: 'deliverable-escalation' });
  });

  it('accepts the same plan as JSON when the file name ends in .json', () => {
    const json = JSON.stringify(parseYaml(example));
    expect(parsePlan(json, 'plan.json')).toEqual(parsePlan(example, 'plan.yaml'));
  });

  it('reads a .JSON file name case-insensitively as JSON', () => {
    const json = JSON.stringify(parseYaml(example), null, 2);
    expect(parsePlan(json, 'PLAN.JSON').county).toBe('hedmark');
  });
});

describe('parsePlan refuses a broken plan with file, path and what was expected', () => {
  it('names an unknown milestone in a relative date and lists the milestones it could be', () => {
    const error = refusal(
      edit(example, 'at: { milestone: workshop-1, days: -7, time: "12:00" }', 'at: { milestone: workshop-one, days: -7, time: "12:00" }'),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.summary).toBe('Planen plan.yaml er ikke gyldig');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ file: 'plan.yaml', path: 'milestones.11.at.milestone' });
    expect(error.issues[0]?.message).toMatch(/^«workshop-one» er ikke en milepæl i planen; milepælene er survey-information, .*workshop-1, /);
  });

  it('names a per-region date that leaves out a region', () => {
    const error = refusal(edit(example, '        hedmarken: "2017-09-18T09:00"      # Scandic Hamar\n', ''));
    expect(error.issues).toEqual([expect.objectContaining({ file: 'plan.yaml', path: 'milestones.1.at.regions', message: 'mangler dato for regionen «hedmarken»' })]);
  });

  it('names an unknown region key in a per-region date', () => {
    const error = refusal(edit(example, 'hedmarken: "2017-09-18T09:00"', 'hedmarken: "2017-09-18T09:00"\n        innlandet: "2017-09-19T09:00"'));
    expect(error.issues).toEqual([expect.objectContaining({ file: 'plan.yaml', path: 'milestones.1.at.regions.innlandet', message: '«innlandet» er ikke en region i planen' })]);
  });

  it('names an unknown workshop group and a missing one in a per-group date', () => {
    const error = refusal(edit(example, 'hamar-stange: "2018-01-23T09:00"', 'hamar: "2018-01-23T09:00"'));
    expect(error.issues).toEqual([
      expect.objectContaining({ file: 'plan.yaml', path: 'milestones.12.at.groups.hamar', message: '«hamar» er ikke en workshopgruppe i planen' }),
      expect.objectContaining({ file: 'plan.yaml', path: 'milestones.12.at.groups', message: 'mangler dato for workshopgruppen «hamar-stange»' }),
    ]);
  });

  it('names a duplicate milestone id at the second occurrence', () => {
    const error = refusal(edit(example, '  - id: kick-off\n', '  - id: portal-opens\n'));
    expect(error.issues).toContainEqual(expect.objectContaining({ file: 'plan.yaml', path: 'milestones.3.id', message: 'milepælen «portal-opens» står to ganger i planen' }));
  });

  it('names an unknown email template of a milestone', () => {
    const error = refusal(edit(example, '{ template: survey-reminder, to: directors }', '{ template: survey-reminders, to: directors }'));
    expect(error.issues).toEqual([
      expect.objectContaining({ file: 'plan.yaml', path: 'milestones.5.emails.0.template', message: '«survey-reminders» er ikke en e-postmal' }),
    ]);
  });

  it('names an unknown email template of a deliverable', () => {
    const error = refusal(
      edit(example, '    reminders: [7, 2]\n', '    reminders: [7, 2]\n    templates: { reminder: analysis-reminder }\n'),
    );
    expect(error.issues).toEqual([
      expect.objectContaining({ file: 'plan.yaml', path: 'deliverables.0.templates.reminder', message: '«analysis-reminder» er ikke en e-postmal' }),
    ]);
  });

  it('names both milestones when relative dates form a cycle', () => {
    let text = edit(example, 'at: "2017-09-01T08:00"', 'at: { milestone: portal-opens, days: -45 }');
    text = edit(text, 'at: "2017-10-16T08:00"', 'at: { milestone: survey-information, days: 45 }');
    const error = refusal(text);
    expect(error.issues).toEqual([
      expect.objectContaining({ file: 'plan.yaml', path: 'milestones.0.at', message: 'de relative datoene går i ring gjennom «survey-information»' }),
      expect.objectContaining({ file: 'plan.yaml', path: 'milestones.2.at', message: 'de relative datoene går i ring gjennom «portal-opens»' }),
    ]);
  });

  it('refuses a milestone relative to itself', () => {
    const error = refusal(edit(example, 'at: "2017-11-17T08:00"', 'at: { milestone: survey-reminder, days: 1 }'));
    expect(error.issues).toContainEqual(expect.objectContaining({ file: 'plan.yaml', path: 'milestones.5.at.milestone', message: 'en milepæl kan ikke ha dato relativt til seg selv' }));
  });

  it('names a deliverable that nothing opens', () => {
    const error = refusal(edit(example, '    opens: analysis-so-far\n', ''));
    expect(error.issues).toEqual([
      expect.objectContaining({ file: 'plan.yaml', path: 'deliverables.0.opens', message: 'forventet en åpningsdato, eller en milepæl med «opens» som nevner denne innleveringen' }),
    ]);
  });

  it('names a deliverable opened both by a milestone and by its own date', () => {
    const error = refusal(edit(example, '    submittedBy: directors\n    recipient: research-centre\n', '    submittedBy: directors\n    recipient: research-centre\n    opens: "2018-01-18T12:00"\n'));
    expect(error.issues).toEqual([
      expect.objectContaining({ file: 'plan.yaml', path: 'deliverables.0.opens', message: 'både «opens» og milepælen «modules-1-2» åpner denne innleveringen; behold én av dem' }),
    ]);
  });

  it('names a date that is not a local date and time', () => {
    const error = refusal(edit(example, 'at: "2017-11-17T08:00"', 'at: "17.11.2017 08:00"'));
    expect(error.issues).toContainEqual(expect.objectContaining({ file: 'plan.yaml', path: 'milestones.5.at', message: 'forventet en lokal dato og tid som 2018-01-18T09:00' }));
  });

  it('refuses 30 February as a workshop date, naming the group whose date does not exist', () => {
    const error = refusal(edit(example, 'kongsvinger: "2018-02-02T09:00"', 'kongsvinger: "2018-02-30T09:00"'));
    expect(error.summary).toBe('Planen plan.yaml er ikke gyldig');
    expect(error.issues).toEqual([
      expect.objectContaining({ file: 'plan.yaml', path: 'milestones.12.at.groups.kongsvinger', message: 'forventet en dato som finnes i kalenderen' }),
    ]);
    expect(error.issues[0]?.path).toMatch(/\.at\.groups\.kongsvinger$/);
  });

  it('reports a duplicate milestone id and an unknown email template together in one refusal', () => {
    let text = edit(example, '  - id: kick-off\n', '  - id: portal-opens\n');
    text = edit(text, '{ template: survey-reminder, to: directors }', '{ template: survey-reminders, to: directors }');
    const error = refusal(text);
    expect(error).toBeInstanceOf(InputError);
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'plan.yaml', path: 'milestones.3.id', message: 'milepælen «portal-opens» står to ganger i planen' }),
        expect.objectContaining({ file: 'plan.yaml', path: 'milestones.5.emails.0.template', message: '«survey-reminders» er ikke en e-postmal' }),
        // The group set-up opens with the kick-off, which is no longer there by that id.
        expect.objectContaining({ file: 'plan.yaml', path: 'deliverables.3.opens.milestone', message: expect.stringMatching(/^«kick-off» er ikke en milepæl i planen/) }),
      ]),
    );
    expect(error.issues).toHaveLength(3);
  });

  it('reports the row of a YAML syntax error (a repeated key)', () => {
    const text = edit(example, 'county: hedmark\n', 'county: hedmark\ncounty: innlandet\n');
    const error = refusal(text);
    expect(error.summary).toBe('Planen plan.yaml kunne ikke leses');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ file: 'plan.yaml', line: lineOf(text, 'county: innlandet') });
    expect(error.issues[0]?.message).toMatch(/^ikke gyldig YAML \(Map keys must be unique/);
  });

  it('reports the row of a YAML syntax error (a stray colon in a value)', () => {
    const text = edit(example, 'countyName: Hedmark\n', 'countyName: Hedmark: Innlandet\n');
    const error = refusal(text);
    expect(error.issues[0]).toMatchObject({ file: 'plan.yaml', line: lineOf(text, 'countyName:') });
    expect(formatIssue(error.issues[0] ?? { message: '' })).toMatch(/^plan\.yaml, linje 8: /);
  });

  it('reports a JSON syntax error in a .json plan without pretending to know a row', () => {
    const error = refusal('{ "programme": ', 'plan.json');
    expect(error.summary).toBe('Planen plan.json kunne ikke leses');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.file).toBe('plan.json');
    expect(error.issues[0]?.line).toBeUndefined();
  });

  it('reports problems of a JSON plan with the same paths as YAML', () => {
    const raw = parseYaml(edit(example, '  - id: kick-off\n', '  - id: portal-opens\n')) as unknown;
    const error = refusal(JSON.stringify(raw), 'plan.json');
    expect(error.issues).toContainEqual(expect.objectContaining({ file: 'plan.json', path: 'milestones.3.id', message: 'milepælen «portal-opens» står to ganger i planen' }));
  });

  it('reports every problem at once, not only the first', () => {
    let text = edit(example, 'at: { milestone: workshop-1, days: -7, time: "12:00" }', 'at: { milestone: workshop-one, days: -7, time: "12:00" }');
    text = edit(text, '        hedmarken: "2017-09-18T09:00"      # Scandic Hamar\n', '');
    text = edit(text, '  - id: kick-off\n', '  - id: portal-opens\n');
    text = edit(text, '        kongsvinger: "2017-12-01T10:00"\n', '        kongsvinger: "2017-12-01T10:00"\n        innlandet: "2017-12-02T10:00"\n');
    text = edit(text, 'at: "2017-11-17T08:00"', 'at: "2017-11-17 08:00"');
    text = edit(text, '    opens: analysis-so-far\n', '');
    const error = refusal(text);
    const paths = error.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'milestones.11.at.milestone',
        'milestones.1.at.regions',
        'milestones.3.id',
        'milestones.4.at.regions.innlandet',
        'milestones.5.at',
        'deliverables.0.opens',
      ]),
    );
    expect(error.issues.every((i) => i.file === 'plan.yaml')).toBe(true);
    for (const issue of error.issues) expect(error.message).toContain(formatIssue(issue));
  });

  it('gives the YAML line and names the milestone by id and title, the path then within it', () => {
    const text = edit(example, 'kongsvinger: "2018-02-02T09:00"', 'kongsvinger: "2018-02-30T09:00"');
    const [issue] = refusal(text).issues;
    expect(issue).toEqual({
      file: 'plan.yaml',
      line: lineOf(text, 'kongsvinger: "2018-02-30T09:00"'),
      subject: 'milepæl workshop-1 «Workshop 1: Tolke og analysere data»',
      path: 'milestones.12.at.groups.kongsvinger',
      message: 'forventet en dato som finnes i kalenderen',
    });
    expect(formatIssue(issue ?? { message: '' })).toBe(
      `plan.yaml, linje ${lineOf(text, 'kongsvinger: "2018-02-30T09:00"')}, milepæl workshop-1 «Workshop 1: Tolke og analysere data», at.groups.kongsvinger: forventet en dato som finnes i kalenderen`,
    );
  });

  it('names a deliverable by id and title and gives the line of the field, in bokmål for zod\'s own checks', () => {
    const text = edit(example, '    reminders: [7, 2]\n', '    reminders: [7, -2]\n');
    const [issue] = refusal(text).issues;
    expect(issue).toMatchObject({ line: lineOf(text, 'reminders: [7, -2]'), subject: expect.stringMatching(/^innlevering analysis-so-far «/), path: 'deliverables.0.reminders.1', message: 'forventet minst 1' });
  });

  it('opens a union to the form the value came closest to instead of "invalid input"', () => {
    const text = edit(example, 'at: { milestone: workshop-1, days: -7, time: "12:00" }', 'at: { milestone: workshop-1, days: -7, time: "12.00" }');
    expect(refusal(text).issues).toEqual([expect.objectContaining({ path: 'milestones.11.at.time', message: 'forventet et klokkeslett som 08:00' })]);
    const number = refusal(edit(example, 'at: "2017-11-17T08:00"', 'at: 17'));
    expect(number.issues).toEqual([expect.objectContaining({ path: 'milestones.5.at', message: expect.stringMatching(/^forventet en lokal dato og tid som 2018-01-18T09:00, en dato relativt til en annen milepæl/) })]);
  });
});
