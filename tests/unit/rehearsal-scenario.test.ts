import { InputError, formatIssue } from '../../config/errors';
import { parseScenario } from '../../application/rehearsal';

function refusal(text: string, file = 'scenario.yaml'): InputError {
  try {
    parseScenario(text, file);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected the scenario to be refused');
}

/** English words a refusal must not carry (zod's and the YAML parser's own words aside from what they quote). */
const ENGLISH = /\b(expected|invalid|must|could not|is not|unknown|unrecognized|nine-digit)\b/i;

describe('parseScenario reads when authorities send their group set-up and when the research centre gives guidance', () => {
  it('reads a YAML scenario with groupSetup and guidance, and fills in on time for everything it does not name', () => {
    const scenario = parseScenario(
      ['groupSetup:', '  municipalities:', '    eidskog: late', '    grue: { at: 2017-12-04T10:00 }', 'guidance:', '  default: late', '  kindergartens:', '    "917334188": never', '    "949087018": { daysAfterSubmission: 3 }', ''].join('\n'),
      'scenario.yaml',
    );
    expect(scenario).toEqual({
      default: 'on-time',
      kindergartens: {},
      groupSetup: { default: 'on-time', municipalities: { eidskog: 'late', grue: { at: '2017-12-04T10:00' } } },
      guidance: { default: 'late', kindergartens: { '917334188': 'never', '949087018': { daysAfterSubmission: 3 } } },
    });
  });

  it('reads the same scenario as JSON, and an empty file as everyone on time', () => {
    expect(parseScenario('{"groupSetup":{"municipalities":{"eidskog":"never"}}}', 'scenario.json').groupSetup).toEqual({ default: 'on-time', municipalities: { eidskog: 'never' } });
    expect(parseScenario('', 'scenario.yaml')).toEqual({ default: 'on-time', kindergartens: {}, groupSetup: { default: 'on-time', municipalities: {} }, guidance: { default: 'on-time', kindergartens: {} } });
  });

  it('refuses a bad scenario with every problem at once, each naming its field in bokmål', () => {
    const error = refusal(
      [
        'kindergartens:',
        '  "12345": never',
        'groupSetup:',
        '  municipalities:',
        '    Eidskog: late',
        '    grue: sometimes',
        'guidance:',
        '  kindergartens:',
        '    "917334188": { daysAfterSubmission: -1 }',
        '    "9173": never',
        'gudiance: {}',
        '',
      ].join('\n'),
    );
    expect(error.summary).toBe('Scenarioet scenario.yaml er ikke gyldig');
    expect(error.issues.map((i) => formatIssue(i)).sort()).toEqual(
      [
        'scenario.yaml, kindergartens.12345: forventet ni sifre (organisasjonsnummer)',
        'scenario.yaml, groupSetup.municipalities.Eidskog: forventet en kommune-id av små bokstaver a–z, sifre og bindestrek, som i deltakerlisten (for eksempel «eidskog»)',
        'scenario.yaml, groupSetup.municipalities.grue: forventet én av «on-time», «late», «never»',
        'scenario.yaml, guidance.kindergartens.917334188.daysAfterSubmission: forventet minst 0',
        'scenario.yaml, guidance.kindergartens.9173: forventet ni sifre (organisasjonsnummer)',
        'scenario.yaml: ukjent nøkkel «gudiance»',
      ].sort(),
    );
    for (const issue of error.issues) expect(issue.message).not.toMatch(ENGLISH);
    expect(error.summary).not.toMatch(ENGLISH);
  });

  it('refuses a scenario that is not YAML, or not JSON, saying so in bokmål with the line', () => {
    const yaml = refusal('groupSetup:\n  municipalities: [\n');
    expect(yaml.summary).toBe('Scenarioet scenario.yaml kunne ikke leses');
    expect(yaml.issues).toEqual([expect.objectContaining({ file: 'scenario.yaml', line: expect.any(Number), message: expect.stringMatching(/^ikke gyldig YAML \(/) })]);
    const json = refusal('{"groupSetup":', 'scenario.json');
    expect(json.summary).toBe('Scenarioet scenario.json kunne ikke leses');
    expect(json.issues).toEqual([expect.objectContaining({ file: 'scenario.json', message: expect.stringMatching(/^ikke gyldig JSON \(/) })]);
  });
});
