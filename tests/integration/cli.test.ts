import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { loadPlan } from '../../planning/load-plan';
import { arshjulCli } from '../helpers/cli';
import type { RehearsalEntry } from '../../application/rehearsal';

jest.setTimeout(300_000);

const ROOT = join(__dirname, '..', '..');
const PLAN = join(ROOT, 'examples', 'kfl-2017-2018.yaml');
const ROSTER = join(ROOT, 'examples', 'roster-hedmark-2017.csv');

const arshjul = arshjulCli;

const oslo = (local: string) => DateTime.fromISO(local, { zone: 'Europe/Oslo' }).toISO({ suppressMilliseconds: true });

/** One line of `arshjul rehearse --json`. */
type Entry = RehearsalEntry;

const byTimeThenFields = (a: Entry, b: Entry) =>
  Date.parse(a.at) - Date.parse(b.at) || (['type', 'milestone', 'region', 'group', 'kindergarten', 'to', 'template'] as const).reduce((acc, f) => acc || (a[f] ?? '').localeCompare(b[f] ?? ''), 0);

/** The example roster's kindergartens (orgnr) and municipalities (id), read from the CSV itself. */
const ROSTER_ROWS = readFileSync(ROSTER, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
const KINDERGARTENS = ROSTER_ROWS.map((cells) => cells[7] as string);
const MUNICIPALITIES = [...new Set(ROSTER_ROWS.map((cells) => cells[2] as string))];
const authorityEmail = (municipality: string) => ROSTER_ROWS.find((cells) => cells[2] === municipality)?.[5] as string;

describe('the arshjul command line', () => {
  it('rehearses the example year and prints one clean JSON array that reproduces the 2017/2018 dates per region and group, with the submissions, the guidance and the group set-ups in time order', async () => {
    const { code, stdout, stderr } = await arshjul(['rehearse', '--plan', PLAN, '--roster', ROSTER, '--json']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/prøvekjøring: 48 milepæler, [\d\u00a0]+ e-poster, 183 innleveringer, 61 veiledninger, 22 gruppeoppsett, 0 avvist/);
    const entries = JSON.parse(stdout) as Entry[];
    for (const e of entries) {
      expect(Object.keys(e).sort()).toEqual(['at', 'group', 'kindergarten', 'milestone', 'region', 'template', 'to', 'type']);
      expect(['milestone', 'email', 'submission', 'guidance', 'group-setup']).toContain(e.type);
    }
    // Every director submits each of the three deliverables; the research centre gives guidance on each analysis so
    // far; each municipal authority sends its group set-up once, before the deadline.
    const submissions = entries.filter((e) => e.type === 'submission');
    expect(submissions).toHaveLength(3 * KINDERGARTENS.length);
    expect(new Set(submissions.map((e) => e.milestone))).toEqual(new Set(['analysis-so-far', 'full-analysis', 'booklet-material']));
    const guidance = entries.filter((e) => e.type === 'guidance');
    expect(guidance.map((e) => e.kindergarten).sort()).toEqual([...KINDERGARTENS].sort());
    for (const g of guidance) {
      expect(g).toMatchObject({ milestone: 'analysis-so-far', to: 'directors', template: 'guidance-given', region: expect.any(String), group: expect.any(String) });
      const submitted = submissions.find((s) => s.kindergarten === g.kindergarten && s.milestone === 'analysis-so-far') as Entry;
      expect(Date.parse(g.at)).toBeGreaterThan(Date.parse(submitted.at));
    }
    const setups = entries.filter((e) => e.type === 'group-setup');
    expect(setups.map((e) => e.to).sort()).toEqual([...MUNICIPALITIES].sort());
    for (const s of setups) {
      expect(s).toMatchObject({ milestone: 'group-setup', kindergarten: null, template: 'group-setup-receipt', region: expect.any(String) });
      expect(Date.parse(s.at)).toBeLessThan(Date.parse(oslo('2017-12-01T16:00') as string));
    }
    const templates = new Set(entries.filter((e) => e.type === 'email').map((e) => e.template));
    for (const t of ['guidance-given', 'guidance-reminder', 'group-setup-prompt', 'group-setup-receipt']) expect(templates).toContain(t);
    // On time, nobody is reminded of or escalated for a group set-up.
    expect(templates).not.toContain('group-setup-reminder');
    expect(templates).not.toContain('group-setup-escalation');
    const milestone = (id: string, where: string | null = null) =>
      entries.filter((e) => e.type === 'milestone' && e.milestone === id && (where === null || e.group === where || e.region === where)).map((e) => e.at);
    expect(milestone('survey-information')).toEqual([oslo('2017-09-01T08:00')]);
    expect(milestone('regional-gathering', 'kongsvinger')).toEqual([oslo('2017-09-08T09:00')]);
    expect(milestone('regional-gathering', 'hedmarken')).toEqual([oslo('2017-09-18T09:00')]);
    expect(milestone('regional-gathering', 'nord-osterdal')).toEqual([oslo('2017-09-21T09:00')]);
    expect(milestone('regional-gathering', 'sor-osterdal')).toEqual([oslo('2017-09-25T09:00')]);
    expect(milestone('portal-opens')).toEqual([oslo('2017-10-16T08:00')]);
    expect(milestone('kick-off')).toEqual([oslo('2017-10-31T09:30')]);
    expect(milestone('survey-reminder')).toEqual([oslo('2017-11-17T08:00')]);
    expect(milestone('group-setup-deadline')).toEqual([oslo('2017-12-01T16:00')]);
    expect(milestone('portal-closes')).toEqual([oslo('2017-12-01T16:00')]);
    expect(milestone('result-portal-opens')).toEqual([oslo('2018-01-03T08:00')]);
    expect(milestone('competence-package-information')).toEqual([oslo('2018-01-03T09:00')]);
    expect(milestone('workshop-1', 'ringsaker-loten')).toEqual([oslo('2018-01-18T09:00')]);
    expect(milestone('workshop-1', 'nord-osterdal')).toEqual([oslo('2018-01-19T09:00')]);
    expect(milestone('workshop-1', 'sor-osterdal')).toEqual([oslo('2018-01-22T09:00')]);
    expect(milestone('workshop-1', 'hamar-stange')).toEqual([oslo('2018-01-23T09:00')]);
    expect(milestone('workshop-1', 'kongsvinger')).toEqual([oslo('2018-02-02T09:00')]);
    expect(milestone('learning-report-day')).toEqual([oslo('2018-03-07T09:00')]);
    expect(milestone('workshop-2', 'sor-osterdal')).toEqual([oslo('2018-03-08T09:00')]);
    expect(milestone('workshop-2', 'kongsvinger')).toEqual([oslo('2018-03-09T09:00')]);
    expect(milestone('workshop-2', 'hamar-stange')).toEqual([oslo('2018-03-13T09:00')]);
    expect(milestone('workshop-2', 'nord-osterdal')).toEqual([oslo('2018-03-14T09:00')]);
    expect(milestone('workshop-2', 'ringsaker-loten')).toEqual([oslo('2018-03-19T09:00')]);
    expect(milestone('authority-meeting-spring', 'sor-osterdal')).toEqual([oslo('2018-04-04T10:00')]);
    expect(milestone('authority-meeting-spring', 'kongsvinger')).toEqual([oslo('2018-04-13T10:00')]);
    expect(milestone('booklet-material')).toEqual([oslo('2018-09-03T08:00')]);
    // Time order, ties in the order of the fields, so the same year always prints the same way.
    expect(entries).toEqual([...entries].sort(byTimeThenFields));
    const surveyReminders = entries.filter((e) => e.type === 'email' && e.template === 'survey-reminder');
    expect(surveyReminders).toHaveLength(61);
  });

  it('rehearses a scenario file in which Eidskog sends its group set-up late and one kindergarten never gets guidance, and prints exactly that', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arshjul-cli-'));
    const noGuidance = '917334188';
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, ['groupSetup:', '  municipalities:', '    eidskog: late', 'guidance:', '  kindergartens:', `    "${noGuidance}": never`, ''].join('\n'));
    const { code, stdout, stderr } = await arshjul(['rehearse', '--plan', PLAN, '--roster', ROSTER, '--scenario', file, '--json']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/183 innleveringer, 60 veiledninger, 22 gruppeoppsett, 0 avvist/);
    const entries = JSON.parse(stdout) as Entry[];
    expect(entries).toEqual([...entries].sort(byTimeThenFields));
    const deadline = Date.parse(oslo('2017-12-01T16:00') as string);

    // Eidskog's group set-up comes after the deadline, everyone else's before; only Eidskog is reminded, and its
    // receipt goes out when it sends.
    const setups = entries.filter((e) => e.type === 'group-setup');
    expect(setups.map((e) => e.to).sort()).toEqual([...MUNICIPALITIES].sort());
    const eidskog = setups.find((e) => e.to === 'eidskog') as Entry;
    expect(Date.parse(eidskog.at)).toBeGreaterThan(deadline);
    for (const s of setups.filter((e) => e.to !== 'eidskog')) expect(Date.parse(s.at)).toBeLessThan(deadline);
    const reminders = entries.filter((e) => e.type === 'email' && e.template === 'group-setup-reminder');
    expect(reminders.length).toBeGreaterThan(0);
    expect(new Set(reminders.map((e) => e.to))).toEqual(new Set([authorityEmail('eidskog')]));
    for (const r of reminders) expect(Date.parse(r.at)).toBeLessThan(deadline);
    expect(entries).toContainEqual(expect.objectContaining({ type: 'email', template: 'group-setup-receipt', to: authorityEmail('eidskog'), at: eidskog.at }));

    // Guidance for every kindergarten but the one the scenario leaves without, which did submit its analysis so far.
    const guidance = entries.filter((e) => e.type === 'guidance');
    expect(guidance.map((e) => e.kindergarten).sort()).toEqual(KINDERGARTENS.filter((k) => k !== noGuidance).sort());
    expect(entries).toContainEqual(expect.objectContaining({ type: 'submission', milestone: 'analysis-so-far', kindergarten: noGuidance }));
    expect(entries.filter((e) => e.template === 'guidance-given' && e.kindergarten === noGuidance)).toEqual([]);
    // The research centre is still reminded after every other kindergarten has its guidance: this one is owed.
    const researchCentre = loadPlan(PLAN).contacts.researchCentre.email;
    const lastGiven = Math.max(...guidance.map((e) => Date.parse(e.at)));
    const owed = entries.filter((e) => e.type === 'email' && e.template === 'guidance-reminder' && Date.parse(e.at) > lastGiven);
    expect(owed.length).toBeGreaterThan(0);
    expect(new Set(owed.map((e) => e.to))).toEqual(new Set([researchCentre]));
  });

  it('rehearses the example grouped by alike kindergartens and with --full, and prints the same lines both ways', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arshjul-cli-'));
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, ['default: on-time', 'kindergartens:', `  "${KINDERGARTENS[3]}": late`, `  "${KINDERGARTENS[7]}": never`, 'groupSetup:', '  municipalities:', '    eidskog: late', ''].join('\n'));
    const grouped = await arshjul(['rehearse', '--plan', PLAN, '--roster', ROSTER, '--scenario', file]);
    const full = await arshjul(['rehearse', '--plan', PLAN, '--roster', ROSTER, '--scenario', file, '--full']);
    expect([grouped.code, full.code]).toEqual([0, 0]);
    expect(grouped.stdout.split('\n').length).toBeGreaterThan(2_000);
    expect(grouped.stdout).toEqual(full.stdout);
    // It says how many workflows ran: one per class of alike kindergartens, against one per kindergarten.
    expect(grouped.stderr).toMatch(/med 61 barnehager, \d+ arbeidsflyter for barnehagene \(én for hver gruppe barnehager med samme år\)/);
    expect(full.stderr).toMatch(/med 61 barnehager\n/);
  });

  it('refuses a bad roster with file, row and column, and starts nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arshjul-cli-'));
    const lines = readFileSync(ROSTER, 'utf8').split('\n');
    lines[3] = (lines[3] as string).replace(/,(\d{9}),/, ',123456789,');
    lines[5] = (lines[5] as string).replace(/^kongsvinger,/, 'valdres,');
    const bad = join(dir, 'roster.csv');
    writeFileSync(bad, lines.join('\n'));
    // Nothing may be contacted: both addresses point at closed ports.
    const { code, stderr } = await arshjul(['run', 'start', '--plan', PLAN, '--roster', bad], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(code).toBe(2);
    expect(stderr).toContain(`${bad}, rad 4, kolonne «orgnr»: forventet et norsk organisasjonsnummer`);
    expect(stderr).toContain(`${bad}, rad 6, kolonne «region»: «valdres» er ikke en region i planen`);
    expect(stderr).toContain('ingenting ble importert');
  });

  it('refuses to start a plan whose year is over, before contacting anything', async () => {
    const { code, stderr } = await arshjul(['run', 'start', '--plan', PLAN, '--roster', ROSTER], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(code).toBe(3);
    expect(stderr).toContain('avvist: Planens programår sluttet fredag 30. november 2018 kl. 16.00. Lag en plan for et nytt skoleår først: arshjul plan new');
  });

  it('refuses a bad plan with the path of each problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arshjul-cli-'));
    const text = readFileSync(PLAN, 'utf8').replace('ringsaker-loten: "2018-01-18T09:00"', 'ringsaker-loten: "2018-01-32T09:00"').replace('template: survey-reminder', 'template: survey-reminders');
    const bad = join(dir, 'plan.yaml');
    writeFileSync(bad, text);
    const { code, stderr } = await arshjul(['plan', 'check', '--plan', bad]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/linje \d+, milepæl workshop-\d «[^»]+», at\.groups\.ringsaker-loten: forventet en dato som finnes i kalenderen/);
    expect(stderr).toMatch(/milepæl survey-reminder «[^»]+», emails\.0\.template: «survey-reminders» er ikke en e-postmal/);
  });

  it('previews every email template with sample data, and names the known ones for an unknown template', async () => {
    const list = await arshjul(['email', 'list']);
    const templates = list.stdout.trim().split('\n');
    expect(templates).toContain('deliverable-prompt');
    const prompt = await arshjul(['email', 'preview', 'deliverable-prompt']);
    expect(prompt.code).toBe(0);
    expect(prompt.stdout).toContain('Emne: Kultur for læring: Analysen så langt (modul 1 og 2)');
    expect(prompt.stdout).toContain('fredag 2. mars 2018 kl. 16.00');
    expect(prompt.stdout).toContain('Last opp her: http://localhost:3000/levering/v1.');
    const html = await arshjul(['email', 'preview', 'workshop-invitation', '--html']);
    expect(html.stdout).toMatch(/^<!doctype html>/i);
    const unknown = await arshjul(['email', 'preview', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('«nope» er ikke en e-postmal; malene er survey-information');
    // The same template as a nynorsk municipality gets it.
    const nynorsk = await arshjul(['email', 'preview', 'deliverable-prompt', '--language', 'nn']);
    expect(nynorsk.code).toBe(0);
    expect(nynorsk.stdout).toContain('No kan du sende inn «Analysen så langt (modul 1 og 2)»');
    expect(nynorsk.stdout).toContain('Venleg helsing');
    const swedish = await arshjul(['email', 'preview', 'deliverable-prompt', '--language', 'sv']);
    expect(swedish.code).toBe(2);
    expect(swedish.stderr).toContain('«sv» er ikke en målform; bruk nb (bokmål) eller nn (nynorsk)');
  });

  it('rolls the plan forward to 2026 on the same ISO week and weekday', async () => {
    const { code, stdout } = await arshjul(['plan', 'new', '--from', PLAN, '--year', '2026']);
    expect(code).toBe(0);
    expect(stdout).toContain('schoolYear: 2026');
    expect(stdout).toContain('ringsaker-loten: "2027-01-21T09:00"');
    expect(stdout).toContain('at: "2026-08-28T08:00"');
  });

  it('speaks bokmål in its help and in what commander itself refuses', async () => {
    const help = await arshjul(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Bruk: arshjul \[valg\] \[kommando\]/);
    expect(help.stdout).toContain('Kommandoer:');
    expect(help.stdout).toContain('vis hjelpen');
    const run = await arshjul(['run', 'reschedule', '--help']);
    expect(run.stdout).toContain('flytt en milepæl for alle, én region eller én workshopgruppe');
    expect(run.stdout).toContain('Valg:');
    expect(run.stdout).toMatch(/--as <navn>\s+hvem som handler \(for revisjonsloggen\) \(standard:\s/);
    const missing = await arshjul(['plan', 'check']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('feil: valget --plan <fil> mangler');
    expect(missing.stderr).toContain('(skriv --help for hjelp)');
    const unknown = await arshjul(['plan', 'chek']);
    expect(unknown.stderr).toMatch(/feil: ukjent kommando «chek» \(mente du check\?\)/);
    const choice = await arshjul(['user', 'add', '--email', 'a@b.example', '--name', 'A', '--role', 'sjef']);
    expect(choice.stderr).toContain('feil: «sjef» er ikke en gyldig verdi for --role <rolle>; velg én av');
    // No English phrase of commander's in any of it.
    for (const text of [help.stdout, run.stdout, missing.stderr, unknown.stderr, choice.stderr]) {
      expect(text).not.toMatch(/\b(Usage|Options|Commands|default|error|required option|unknown command|display help|Did you mean)\b/);
    }
  });

  it('checks a plan and a roster and says so in bokmål', async () => {
    const { code, stdout } = await arshjul(['plan', 'check', '--plan', PLAN, '--roster', ROSTER]);
    expect(code).toBe(0);
    expect(stdout).toBe('planen er i orden: 19 milepæler, 4 innleveringer, 4 regioner\ndeltakerlisten er i orden: 22 kommuner, 61 barnehager\n');
  });
});
