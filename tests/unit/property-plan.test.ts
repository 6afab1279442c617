import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { InputError, type InputIssue } from '../../config/errors';
import type { Plan } from '../../config/plan-schema';
import { parsePlan } from '../../planning/load-plan';
import { INPUT_SUMMARY } from '../../texts/validation';
import { resolveTimeline } from '../../planning/resolve-timeline';

/**
 * Property tests of the plan as outside input: whatever a coordinator uploads, `parsePlan` and `resolveTimeline`
 * either accept it or throw an InputError whose issues say where (file, path or row) and what was wrong. Anything else
 * thrown is a crash. fast-check prints the seed and the shrunk counterexample when a property fails.
 */

const EXAMPLE_PLAN = path.join(__dirname, '../../examples/kfl-2017-2018.yaml');
const exampleText = readFileSync(EXAMPLE_PLAN, 'utf8');
const example = parseYaml(exampleText) as unknown;
const NUM_RUNS = 150;

type Key = string | number;
type Doc = unknown;

/** Every path to a node of a document (objects and arrays included), root excluded. */
function pathsOf(value: Doc, prefix: Key[] = []): Key[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...pathsOf(v, [...prefix, i])]);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
  return [];
}

function valueAt(doc: Doc, at: Key[]): Doc {
  return at.reduce<Doc>((node, key) => (node as Record<Key, unknown>)[key], doc);
}

/** A copy of `doc` with the node at `at` replaced; an own property even for a key like `__proto__`. */
function setAt(doc: Doc, at: Key[], value: Doc): Doc {
  const copy = structuredClone(doc);
  const parent = valueAt(copy, at.slice(0, -1)) as Record<Key, unknown>;
  Object.defineProperty(parent, at[at.length - 1] as Key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** A copy of `doc` without the node at `at` (an array element is spliced out). */
function deleteAt(doc: Doc, at: Key[]): Doc {
  const copy = structuredClone(doc);
  const parent = valueAt(copy, at.slice(0, -1));
  const key = at[at.length - 1] as Key;
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete (parent as Record<Key, unknown>)[key];
  return copy;
}

const dotted = (at: Key[]) => at.map(String).join('.');

const examplePaths = pathsOf(example);
const leafPaths = examplePaths.filter((p) => {
  const v = valueAt(example, p);
  return v === null || typeof v !== 'object';
});

/** Where the plan names or refers to a region, group, milestone or deliverable by id. */
const referencePaths = leafPaths.filter((p) => ['id', 'milestone', 'opens'].includes(String(p[p.length - 1])) || p.includes('after'));
/** The ids the example plan uses, so that mutations often make references that resolve (or collide). */
const exampleIds = [...new Set(referencePaths.map((p) => String(valueAt(example, p))))];
const TEMPLATE_IDS = ['survey-information', 'deliverable-prompt', 'deliverable-reminder', 'workshop-invitation', 'no-such-template'];

/** Strings that have broken parsers before: empty, blanks, numbers and dates that are almost right, odd unicode. */
const trickyString = fc.constantFrom(
  '',
  ' ',
  '\t\n',
  'NaN',
  '-1',
  '1e309',
  'Infinity',
  'null',
  'true',
  '0x1F',
  '2018-02-30T09:00',
  '2018-13-01T09:00',
  '2018-01-18T24:00',
  '2018-01-18 09:00',
  '2018-03-25T02:30',
  '2017-10-29T02:30',
  '0000-01-01T00:00',
  '9999-12-31T23:59',
  '24:00',
  '7:00',
  'Europe/Berlin',
  'directors',
  'kick-off',
  'æøå ÆØÅ',
  '\u0000',
  '\uFEFF',
  '\u202Eevil',
  '👩‍👧‍👦',
  '\uD800',
  '__proto__',
  'constructor',
  'x'.repeat(5000),
  '=cmd|\' /C calc\'!A0',
  '{{template}}',
  '<script>alert(1)</script>',
);

/** Arbitrary JSON values, weighted towards the shapes a plan is made of. */
const anyValue: fc.Arbitrary<Doc> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
  { arbitrary: trickyString, weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }), weight: 2 },
  { arbitrary: fc.double(), weight: 1 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}, 0, -0, Number.MAX_SAFE_INTEGER + 2, 1.5), weight: 2 },
  { arbitrary: fc.constantFrom(...exampleIds, ...TEMPLATE_IDS), weight: 2 },
  { arbitrary: fc.array(fc.constantFrom(...exampleIds, 'directors', 'coordinator', 7, null), { maxLength: 4 }), weight: 1 },
  { arbitrary: fc.dictionary(fc.constantFrom(...exampleIds, 'milestone', 'days', 'time', 'regions', 'groups', '__proto__'), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }), weight: 1 },
);

/** A value of a JSON type other than `value`'s: a number for a string, an object for a number, and so on. */
function otherType(value: Doc): fc.Arbitrary<Doc> {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const candidates: [string, fc.Arbitrary<Doc>][] = [
    ['string', fc.oneof(trickyString, fc.string({ maxLength: 20 }))],
    ['number', fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 })],
    ['object', fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })],
  ];
  return fc.oneof(...candidates.filter(([k]) => k !== kind).map(([, arb]) => arb));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const localTime = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${pad(h)}:${pad(m)}`);
/** Local date-times of the right form, days 29–31 included so that some do not exist; DST changes of 2017/2018 in range. */
const localDateTime = fc
  .tuple(fc.integer({ min: 2016, max: 2019 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), localTime)
  .map(([y, mo, d, t]) => `${y}-${pad(mo)}-${pad(d)}T${t}`);

/** A value of the form the schema expects at a leaf (a date where a date is, an id where an id is), often still wrong. */
function sameForm(value: Doc): fc.Arbitrary<Doc> {
  if (typeof value === 'number') return fc.oneof(fc.integer({ min: -400, max: 400 }), fc.integer({ min: 1990, max: 2110 }));
  if (typeof value === 'boolean') return fc.boolean();
  if (typeof value !== 'string') return fc.constant(value);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return localDateTime;
  if (/^\d{2}:\d{2}$/.test(value)) return localTime;
  if (/^[a-z0-9][a-z0-9-]*$/.test(value)) return fc.constantFrom(...exampleIds, ...TEMPLATE_IDS, 'directors', 'municipal-authorities', 'research-centre', 'coordinator');
  return fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), trickyString);
}

type Mutation = { kind: 'set'; at: Key[]; value: Doc } | { kind: 'delete'; at: Key[] };

const anyMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.constantFrom(...examplePaths), value: anyValue }), weight: 3 },
  {
    arbitrary: fc.constantFrom(...leafPaths).chain((at) => fc.record({ kind: fc.constant('set' as const), at: fc.constant(at), value: sameForm(valueAt(example, at)) })),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.constantFrom(...referencePaths), value: fc.constantFrom(...exampleIds) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.constantFrom(...examplePaths) }), weight: 1 },
);

function apply(doc: Doc, m: Mutation): Doc {
  return m.kind === 'set' ? setAt(doc, m.at, m.value) : deleteAt(doc, m.at);
}

const FILE_NAMES = ['plan.yaml', 'plan.yml', 'PLAN.YAML', 'plan.json', 'Plan.JSON'] as const;
const fileName = fc.constantFrom(...FILE_NAMES);
const serialise = (doc: Doc, file: string) => (file.toLowerCase().endsWith('.json') ? JSON.stringify(doc) : stringifyYaml(doc));

type Outcome = { plan: Plan; timeline: 'resolved' | InputError } | { refused: InputError };

/** Parses and resolves; an InputError is an answer, anything else thrown is a crash and fails the property. */
function attempt(text: string, file: string): Outcome {
  let plan: Plan;
  try {
    plan = parsePlan(text, file);
  } catch (error) {
    if (error instanceof InputError) return { refused: error };
    throw error;
  }
  try {
    resolveTimeline(plan);
    return { plan, timeline: 'resolved' };
  } catch (error) {
    if (error instanceof InputError) return { plan, timeline: error };
    throw error;
  }
}

/** Every issue says what (a message) and where (a path, a row or a file). */
function expectClearIssues(error: InputError): void {
  expect(error.summary).not.toBe('');
  expect(error.issues.length).toBeGreaterThan(0);
  for (const issue of error.issues) {
    expect(typeof issue.message).toBe('string');
    expect(issue.message.trim()).not.toBe('');
    expect(issue.path !== undefined || issue.row !== undefined || issue.file !== undefined).toBe(true);
  }
}

/** A refusal by parsePlan: every issue names the file, and a "not valid" plan names a path for each issue. */
function expectPlanRefusal(error: InputError, file: string): void {
  expectClearIssues(error);
  for (const issue of error.issues) expect(issue.file).toBe(file);
  if (error.summary === INPUT_SUMMARY.planInvalid(file)) {
    for (const issue of error.issues) expect(typeof issue.path).toBe('string');
  } else {
    expect(error.summary).toBe(INPUT_SUMMARY.planUnreadable(file));
    expect(error.issues).toHaveLength(1);
  }
}

/** A refusal by resolveTimeline: each issue names the milestone or deliverable that is out of order. */
function expectTimelineRefusal(error: InputError): void {
  expectClearIssues(error);
  for (const issue of error.issues) expect(issue.path).toMatch(/^(milestones|deliverables)\.[a-z0-9-]+$/);
}

function expectWellFormed(outcome: Outcome, file: string): void {
  if ('refused' in outcome) expectPlanRefusal(outcome.refused, file);
  else if (outcome.timeline !== 'resolved') expectTimelineRefusal(outcome.timeline);
}

/**
 * Messages of the rules that relate one field to another (plan-schema's checkReferences): a change in one place may
 * be reported at the field that now refers to nothing, or at the second of two equal ids.
 */
const CROSS_FIELD = [
  /^(regionen|milepælen|innleveringen) «.*» står to ganger i planen$/,
  /^workshopgruppen «.*» brukes to ganger i planen$/,
  /^«.*» er ikke en milepæl i planen/,
  /^en milepæl kan ikke ha dato relativt til seg selv$/,
  /^«.*» er ikke en region i planen$/,
  /^mangler dato for (regionen|workshopgruppen) «/,
  /^«.*» er ikke en workshopgruppe i planen$/,
  /^«.*» er ikke en innlevering i planen$/,
  /^åpnes av mer enn én milepæl: /,
  /^både «opens» og milepælen «.*» åpner denne innleveringen; behold én av dem$/,
  /^forventet en åpningsdato, eller en milepæl med «opens» som nevner denne innleveringen$/,
  /^de relative datoene går i ring gjennom «/,
];
const isCrossField = (issue: InputIssue) => CROSS_FIELD.some((re) => re.test(issue.message));

/** The issue is at the changed field, inside it, or at a field enclosing it (a union such as `at` is reported there). */
function relatesTo(issue: InputIssue, mutated: string): boolean {
  const at = issue.path ?? '';
  return at === mutated || at.startsWith(`${mutated}.`) || (at !== '' && mutated.startsWith(`${at}.`));
}

function refusalOf(outcome: Outcome): InputError | null {
  return 'refused' in outcome ? outcome.refused : null;
}

describe('parsePlan and resolveTimeline on mutated copies of the example plan', () => {
  it('starts from a plan that parses and resolves, as YAML and as JSON', () => {
    for (const file of FILE_NAMES) expect(attempt(serialise(example, file), file)).toEqual({ plan: expect.anything(), timeline: 'resolved' });
    expect(examplePaths.length).toBeGreaterThan(300);
  });

  it('one field set to any JSON value or deleted: a plan, or an InputError with an issue at that field or a cross-field rule', () => {
    const seen = { accepted: 0, atTheField: 0, crossFieldOnly: 0 };
    fc.assert(
      fc.property(anyMutation, fileName, (mutation, file) => {
        const outcome = attempt(serialise(apply(example, mutation), file), file);
        expectWellFormed(outcome, file);
        const refused = refusalOf(outcome);
        if (!refused) {
          seen.accepted += 1;
        } else if (refused.summary !== INPUT_SUMMARY.planUnreadable(file)) {
          const mutated = dotted(mutation.at);
          const related = refused.issues.filter((i) => relatesTo(i, mutated));
          // Nothing at the changed field: then every issue comes from a rule that relates fields to each other.
          if (related.length === 0) expect(refused.issues.filter((i) => !isCrossField(i))).toEqual([]);
          if (related.length === 0) seen.crossFieldOnly += 1;
          else seen.atTheField += 1;
        }
      }),
      { numRuns: 200 },
    );
    // The mutations reach all three answers, so each branch of the property is exercised.
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.atTheField).toBeGreaterThan(0);
    expect(seen.crossFieldOnly).toBeGreaterThan(0);
  });

  it('a leaf set to a value of another JSON type is refused with an issue at that field or one enclosing it', () => {
    const leafWithOtherType = fc.constantFrom(...leafPaths).chain((at) => fc.record({ at: fc.constant(at), value: otherType(valueAt(example, at)) }));
    fc.assert(
      fc.property(leafWithOtherType, fileName, ({ at, value }, file) => {
        const outcome = attempt(serialise(setAt(example, at, value), file), file);
        expectWellFormed(outcome, file);
        const refused = refusalOf(outcome);
        // JSON has no NaN or -0; a double may come back as the same type (NaN -> null is "another type" either way).
        expect(refused).not.toBeNull();
        if (!refused) return;
        expect(refused.summary).toBe(INPUT_SUMMARY.planInvalid(file));
        expect(refused.issues.filter((i) => relatesTo(i, dotted(at))).length).toBeGreaterThan(0);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('up to five fields changed or deleted at once: a plan that resolves, or an InputError naming file and path', () => {
    fc.assert(
      fc.property(fc.array(anyMutation, { minLength: 1, maxLength: 5 }), fileName, (mutations, file) => {
        let doc = example;
        for (const m of mutations) {
          // An earlier deletion may have removed the node a later mutation names; skip that one.
          const parentPath = m.at.slice(0, -1);
          const parent = (() => {
            try {
              return valueAt(doc, parentPath);
            } catch {
              return undefined;
            }
          })();
          if (parent && typeof parent === 'object') doc = apply(doc, m);
        }
        expectWellFormed(attempt(serialise(doc, file), file), file);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('dates, times, day counts and ids changed to values of the right form: resolves, or an InputError naming the field', () => {
    // Mostly dates, times and numbers (which move milestones about); ids and texts less often.
    const timing = leafPaths.filter((p) => typeof valueAt(example, p) !== 'string' || /^\d{4}-|^\d{2}:/.test(String(valueAt(example, p))));
    const leaf = fc.oneof({ arbitrary: fc.constantFrom(...timing), weight: 4 }, { arbitrary: fc.constantFrom(...leafPaths), weight: 1 });
    const sameFormChange = leaf.chain((at) => fc.record({ at: fc.constant(at), value: sameForm(valueAt(example, at)) }));
    let resolved = 0;
    let outOfOrder = 0;
    fc.assert(
      fc.property(fc.array(sameFormChange, { minLength: 1, maxLength: 6 }), fileName, (changes, file) => {
        const doc = changes.reduce((d, c) => setAt(d, c.at, c.value), example);
        const outcome = attempt(serialise(doc, file), file);
        expectWellFormed(outcome, file);
        if (!('refused' in outcome)) {
          if (outcome.timeline === 'resolved') resolved += 1;
          else outOfOrder += 1;
          return;
        }
        const refused = outcome.refused;
        expect(refused.summary).toBe(INPUT_SUMMARY.planInvalid(file));
        const unrelated = refused.issues.filter((i) => !changes.some((c) => relatesTo(i, dotted(c.at))));
        expect(unrelated.filter((i) => !isCrossField(i))).toEqual([]);
      }),
      { numRuns: 200 },
    );
    // The generator is meant to reach resolveTimeline, both its answers included.
    expect(resolved).toBeGreaterThan(0);
    expect(outOfOrder).toBeGreaterThan(0);
  });
});

describe('parsePlan on documents and text that are not a plan', () => {
  it('an arbitrary JSON document is refused with issues naming file and path ("" for the document as a whole)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), anyValue), fileName, (doc, file) => {
        const outcome = attempt(serialise(doc, file), file);
        expect('refused' in outcome).toBe(true);
        expectWellFormed(outcome, file);
        const refused = refusalOf(outcome);
        if (refused && (doc === null || typeof doc !== 'object' || Array.isArray(doc))) {
          expect(refused.issues).toContainEqual(expect.objectContaining({ file, path: '', message: expect.stringMatching(/^forventet et objekt/) }));
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  const yamlish = fc.string({
    unit: fc.oneof(
      { arbitrary: fc.constantFrom(':', ': ', '- ', ' ', '  ', '\n', '\r\n', '\t', '[', ']', '{', '}', ',', '"', "'", '#', '|', '>', '&a ', '*a', '!!str ', '!!binary ', '!x ', '? ', '---\n', '...\n', '%YAML 1.2\n', '@', '`', '\\', '\u0000', '\uFEFF', '.nan', '~', '<<: '), weight: 3 },
      { arbitrary: fc.constantFrom('programme', 'milestones', 'regions', 'id', 'at', 'kick-off', '2018-01-18T09:00', '1', '-7', 'æ', '😀'), weight: 2 },
      { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 1 },
    ),
    maxLength: 60,
  });

  it('arbitrary text is refused with an InputError naming the file, and for YAML a row inside the text when it gives one', () => {
    fc.assert(
      fc.property(fc.oneof(yamlish, fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), fileName, (text, file) => {
        const outcome = attempt(text, file);
        expect('refused' in outcome).toBe(true);
        expectWellFormed(outcome, file);
        for (const issue of refusalOf(outcome)?.issues ?? []) {
          if (issue.row !== undefined) {
            expect(Number.isInteger(issue.row)).toBe(true);
            expect(issue.row).toBeGreaterThanOrEqual(1);
            expect(issue.row).toBeLessThanOrEqual(text.split(/\r\n|\r|\n/).length + 1);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the example text with characters inserted, deleted or replaced: a plan, or an InputError naming the file and a row in it', () => {
    const edit = fc.record({
      at: fc.nat({ max: exampleText.length }),
      remove: fc.nat({ max: 12 }),
      insert: fc.oneof(yamlish, fc.constantFrom('', '\n', ': ', '  ', '"', '- ', '\t')),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), fc.constantFrom('plan.yaml', 'plan.yml'), (edits, file) => {
        const text = edits.reduce((t, e) => t.slice(0, Math.min(e.at, t.length)) + e.insert + t.slice(Math.min(e.at, t.length) + e.remove), exampleText);
        const outcome = attempt(text, file);
        expectWellFormed(outcome, file);
        for (const issue of refusalOf(outcome)?.issues ?? []) {
          if (issue.row !== undefined) {
            expect(issue.row).toBeGreaterThanOrEqual(1);
            expect(issue.row).toBeLessThanOrEqual(text.split(/\r\n|\r|\n/).length + 1);
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
