import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/env';
import { planSchema } from '../../config/plan-schema';
import { InputError } from '../../config/errors';
import { parsePlan } from '../../planning/load-plan';
import { ERASED_NAME, PERSONAL_DATA_COLUMNS, addMonths, redactActor, redactDetails } from '../../activities/db/retention-repository';
import { archivePathPart } from '../../application/retention';
import { EXAMPLE_PLAN } from '../helpers/temporal';

describe('what a purge or an erasure keeps of an audit entry or event', () => {
  it('removes names, addresses, reasons, comments and subjects, and keeps ids, titles, dates and counts', () => {
    const contactChanged = {
      role: 'director', orgnr: '974123456', kindergarten: 'Solstua barnehage',
      fromName: 'Kari Nordmann', fromEmail: 'kari@solstua.example', toName: 'Ola Normann', toEmail: 'ola@solstua.example', linksReissued: 2,
    };
    expect(redactDetails(contactChanged)).toEqual({ role: 'director', orgnr: '974123456', kindergarten: 'Solstua barnehage', linksReissued: 2 });
    expect(redactDetails({ deliverableId: 'full-analysis', subject: 'Husk analysen, Kari', recipients: 12, messageId: 'm-1' })).toEqual({ deliverableId: 'full-analysis', recipients: 12, messageId: 'm-1' });
    expect(redactDetails({ orgnr: '974123456', reason: 'Styreren Kari sluttet' })).toEqual({ orgnr: '974123456' });
    // A count under a person key (the group set-up's number of participants) is not a person.
    expect(redactDetails({ municipalityId: 'hamar', participants: 14, late: false })).toEqual({ municipalityId: 'hamar', participants: 14, late: false });
  });

  it('replaces an address wherever it is left in a text, in nested objects and lists too', () => {
    expect(redactDetails({ step: 'k1', failure: '550 5.1.1 <kari@solstua.example>: mailbox unknown' })).toEqual({ step: 'k1', failure: `550 5.1.1 <${ERASED_NAME}>: mailbox unknown` });
    expect(redactDetails({ moved: [{ where: 'Hamar', note: 'meldt av per@hamar.kommune.example' }] })).toEqual({ moved: [{ where: 'Hamar', note: `meldt av ${ERASED_NAME}` }] });
    expect(redactDetails(null)).toBeNull();
  });

  it('leaves the command line and the system as actors, and no address', () => {
    expect(redactActor('cli:kari')).toBe('cli:kari');
    expect(redactActor('system:retention')).toBe('system:retention');
    expect(redactActor('barnehage@hamar.kommune.example')).toBe(ERASED_NAME);
  });

  it('lists every table of the migrations that holds a person', () => {
    const migrations = ['0', '3', '4', '7', '8', '9'].map((n) => readFileSync(join(MIGRATIONS, readdirName(n)), 'utf8')).join('\n');
    for (const column of ['authority_name', 'authority_email', 'director_name', 'director_email', 'withdrawn_reason', 'recipient', 'body_text', 'comment', 'reviewed_by', 'given_by', 'submitted_by', 'file_name']) {
      expect(migrations).toContain(column);
      expect(PERSONAL_DATA_COLUMNS.some((c) => c.columns.includes(column))).toBe(true);
    }
  });
});

const MIGRATIONS = join(__dirname, '..', '..', 'migrations');
const readdirName = (n: string): string => readdirSync(MIGRATIONS).find((f) => f.startsWith(`176380000000${n}_`)) as string;

describe('a run\'s retention time', () => {
  const at = (iso: string) => Date.parse(iso);

  it('adds calendar months as PostgreSQL does, ending on the last day of a shorter month', () => {
    expect(new Date(addMonths(at('2027-06-30T14:00:00Z'), 12)).toISOString()).toBe('2028-06-30T14:00:00.000Z');
    expect(new Date(addMonths(at('2027-01-31T10:00:00Z'), 1)).toISOString()).toBe('2027-02-28T10:00:00.000Z');
    expect(new Date(addMonths(at('2027-08-31T10:00:00Z'), 18)).toISOString()).toBe('2029-02-28T10:00:00.000Z');
    expect(new Date(addMonths(at('2027-12-15T10:00:00Z'), 0)).toISOString()).toBe('2027-12-15T10:00:00.000Z');
  });

  it('is 12 months by default, RETENTION_MONTHS otherwise, and refuses a negative or non-whole number naming the variable', () => {
    expect(loadConfig({}).retention.months).toBe(12);
    expect(loadConfig({ RETENTION_MONTHS: '0' }).retention.months).toBe(0);
    expect(loadConfig({ RETENTION_MONTHS: '36' }).retention.months).toBe(36);
    for (const bad of ['-1', 'tolv', '1.5', '121']) {
      expect(() => loadConfig({ RETENTION_MONTHS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ RETENTION_MONTHS: bad })).toThrow(/RETENTION_MONTHS: /);
    }
  });

  it('may be set by the plan (retention.months), and the plan refuses anything else there', () => {
    const text = readFileSync(EXAMPLE_PLAN, 'utf8');
    expect(parsePlan(text, 'plan.yaml').retention).toBeUndefined();
    expect(parsePlan(`${text}\nretention:\n  months: 24\n`, 'plan.yaml').retention).toEqual({ months: 24 });
    const plan = parsePlan(text, 'plan.yaml');
    expect(planSchema.safeParse({ ...plan, retention: { months: -1 } }).success).toBe(false);
    expect(planSchema.safeParse({ ...plan, retention: { years: 1 } }).success).toBe(false);
    expect(() => parsePlan(`${text}\nretention:\n  months: tolv\n`, 'plan.yaml')).toThrow(InputError);
  });
});

describe('the archive\'s paths', () => {
  it('keeps Norwegian letters and removes separators, control characters and leading dots', () => {
    expect(archivePathPart('Åsen barnehage 974123456')).toBe('Åsen barnehage 974123456');
    expect(archivePathPart('../../etc/passwd')).toBe('__.._etc_passwd');
    expect(archivePathPart('a\u0000b:c')).toBe('a_b_c');
    expect(archivePathPart('   ')).toBe('_');
  });
});
