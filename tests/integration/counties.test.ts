import type { InjectOptions } from 'fastify';
import * as control from '../../application/run-control';
import { ARSHJUL_RELEASE } from '../../application/release';
import { kindergartenWorkflowId, runWorkflowId } from '../../domain/ids';
import { hashPassword } from '../../security/passwords';
import { kindergartenStatusQuery } from '../../workflows/kindergarten-workflow';
import { runWorkflow } from '../../workflows/run-workflow';
import { buildRoster } from '../helpers/roster-builder';
import { arshjulCli } from '../helpers/cli';
import { type UploadStack, startUploadStack, uploadTimeline } from '../helpers/upload-stack';

jest.setTimeout(300_000);

const PASSWORD = 'korrekt-hest-batteri-stift';

/**
 * Every county on one installation (issue 15): two counties' runs at the same time on one dev server and one
 * PostgreSQL. A coordinator sees and changes its own county's runs only (console and CLI), a national reader sees every
 * county's and changes none, a coordinator without a county (an account from before) sees all.
 */
describe('two counties on one installation', () => {
  let s: UploadStack;
  let ownRun: string;
  let otherRun: string;
  let otherOrgnr: string;
  let env: Record<string, string>;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    s = await startUploadStack({ label: 'innlandet', kindergartens: 2 });
    ownRun = s.runId;
    // The second county's run, started beside the first on the same server and database.
    const plan = { ...s.plan, county: 'vestland', countyName: 'Vestland' };
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 2, 96_000_000);
    otherRun = runWorkflowId(plan.schoolYear, plan.county);
    otherOrgnr = roster.kindergartens[0]?.orgnr as string;
    const timeline = uploadTimeline(plan, Date.now());
    await s.store.createRun(otherRun, plan, roster, control.initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
    await s.env.client.workflow.start(runWorkflow, { workflowId: otherRun, taskQueue: s.control.taskQueue, args: [{ runId: otherRun, plan, timeline, release: ARSHJUL_RELEASE, startedBy: 'test', kindergartens: roster.kindergartens.length }] });
    for (let i = 0; !(await s.env.client.workflow.getHandle(kindergartenWorkflowId(otherRun, otherOrgnr)).query(kindergartenStatusQuery).catch(() => null)); i++) {
      if (i > 150) throw new Error('the second county\'s kindergartens did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    const county = ownRun.replace(/^arshjul-\d{4}-/, '');
    const accounts = [
      { email: 'kari@innlandet.example', name: 'Kari Innlandet', role: 'coordinator' as const, county },
      { email: 'ola@vestland.example', name: 'Ola Vestland', role: 'coordinator' as const, county: 'vestland' },
      { email: 'nina@direktoratet.example', name: 'Nina Nasjonal', role: 'national-reader' as const, county: null },
      { email: 'eldre@fylke.example', name: 'Eldre Konto', role: 'coordinator' as const, county: null },
    ];
    for (const a of accounts) {
      await s.accounts.addUser({ email: a.email, name: a.name, passwordHash: await hashPassword(PASSWORD), role: a.role, runId: null, municipalityId: null, county: a.county });
      const r = await s.app.inject({ method: 'POST', url: '/konsoll/logg-inn', payload: new URLSearchParams({ epost: a.email, passord: PASSWORD }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(r.statusCode).toBe(303);
      cookies[a.email] = String(r.headers['set-cookie']).split(';')[0] as string;
    }
    env = { DATABASE_URL: s.databaseUrl, TEMPORAL_ADDRESS: s.env.address, TEMPORAL_TASK_QUEUE: s.control.taskQueue, EMAIL_TASK_QUEUE: s.control.taskQueue };
  });

  afterAll(async () => {
    await s?.close();
  });

  const get = (url: string, who: string) => s.app.inject({ method: 'GET', url, headers: { cookie: cookies[who] as string } });
  async function post(url: string, form: Record<string, string>, who: string) {
    const page = await get('/konsoll', who);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
    const options: InjectOptions = { method: 'POST', url, payload: new URLSearchParams({ _csrf: csrf, ...form }).toString(), headers: { cookie: cookies[who] as string, 'content-type': 'application/x-www-form-urlencoded' } };
    return s.app.inject(options);
  }

  it('lists to each coordinator its own county\'s runs, to a national reader and an account without a county every run', async () => {
    const runsOn = async (who: string) => {
      const body = (await get('/konsoll', who)).body;
      return [ownRun, otherRun].filter((id) => body.includes(`/konsoll/runs/${id}"`));
    };
    expect(await runsOn('kari@innlandet.example')).toEqual([ownRun]);
    expect(await runsOn('ola@vestland.example')).toEqual([otherRun]);
    expect(await runsOn('nina@direktoratet.example')).toEqual([ownRun, otherRun]);
    expect(await runsOn('eldre@fylke.example')).toEqual([ownRun, otherRun]);
  });

  it('refuses a coordinator every page, export and action of another county\'s run (403), and changes nothing', async () => {
    expect((await get(`/konsoll/runs/${ownRun}`, 'kari@innlandet.example')).statusCode).toBe(200);
    for (const url of [`/konsoll/runs/${otherRun}`, `/konsoll/runs/${otherRun}/status.csv`, `/konsoll/runs/${otherRun}/barnehager/${otherOrgnr}`, `/konsoll/runs/${otherRun}/revisjon`]) {
      const r = await get(url, 'kari@innlandet.example');
      expect({ url, status: r.statusCode }).toEqual({ url, status: 403 });
      expect(r.body).toContain('Ingen tilgang');
    }
    const withdraw = await post(`/konsoll/runs/${otherRun}/handling/trekk`, { barnehage: otherOrgnr, grunn: 'feil fylke' }, 'kari@innlandet.example');
    expect(withdraw.statusCode).toBe(403);
    const status = await s.env.client.workflow.getHandle(kindergartenWorkflowId(otherRun, otherOrgnr)).query(kindergartenStatusQuery);
    expect(status.state).toBe('active');
    expect((await s.accounts.listAudit(otherRun)).map((a) => a.action)).not.toContain('kindergarten-withdrawn');
    // Its own county's coordinator may.
    expect((await get(`/konsoll/runs/${otherRun}`, 'ola@vestland.example')).statusCode).toBe(200);
  });

  it('lets a national reader read every county\'s runs and change none', async () => {
    for (const run of [ownRun, otherRun]) {
      expect((await get(`/konsoll/runs/${run}`, 'nina@direktoratet.example')).statusCode).toBe(200);
      expect((await get(`/konsoll/runs/${run}/status.csv`, 'nina@direktoratet.example')).statusCode).toBe(200);
    }
    const page = (await get(`/konsoll/runs/${otherRun}`, 'nina@direktoratet.example')).body;
    expect(page).toContain('nasjonal lesetilgang');
    const withdraw = await post(`/konsoll/runs/${otherRun}/handling/trekk`, { barnehage: otherOrgnr, grunn: 'ikke lov' }, 'nina@direktoratet.example');
    expect(withdraw.statusCode).toBe(403);
    expect((await get('/konsoll/ny', 'nina@direktoratet.example')).statusCode).toBe(403);
  });

  it('refuses a coordinator a draft of another county\'s plan, in bokmål, naming both counties', async () => {
    // No files: the example plan, whose county is Hedmark.
    const multipart = async (who: string) => {
      const page = await get('/konsoll/ny', who);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
      const boundary = 'fylkesgrense';
      const payload = `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--${boundary}--\r\n`;
      return s.app.inject({ method: 'POST', url: '/konsoll/ny', payload, headers: { cookie: cookies[who] as string, 'content-type': `multipart/form-data; boundary=${boundary}` } });
    };
    const refused = await multipart('kari@innlandet.example');
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Planen gjelder et annet fylke');
    expect(refused.body).toContain(`planen er for fylket «hedmark», og du er koordinator for «${ownRun.replace(/^arshjul-\d{4}-/, '')}»`);
    // An account without a county makes the draft as before.
    const draft = await multipart('eldre@fylke.example');
    expect(draft.statusCode).toBe(303);
    expect(draft.headers.location).toMatch(/^\/konsoll\/ny\/[0-9a-f-]{36}$/);
  });

  /** The CLI as a script runs it, against this stack's database and dev server. */
  const arshjul = (args: string[]) => arshjulCli(args, env);

  it('refuses on the command line a change made --as another county\'s coordinator or a national reader (exit code 3), and makes one as the county\'s own', async () => {
    const foreign = await arshjul(['run', 'withdraw', '--run', otherRun, '--kindergarten', otherOrgnr, '--reason', 'feil fylke', '--as', 'kari@innlandet.example']);
    expect(foreign.code).toBe(3);
    expect(foreign.stderr).toContain(`kari@innlandet.example er koordinator for fylket «${ownRun.replace(/^arshjul-\d{4}-/, '')}», og programåret ${otherRun} hører til «vestland»`);
    const reader = await arshjul(['run', 'withdraw', '--run', otherRun, '--kindergarten', otherOrgnr, '--reason', 'ikke lov', '--as', 'nina@direktoratet.example']);
    expect(reader.code).toBe(3);
    expect(reader.stderr).toContain('nina@direktoratet.example har nasjonal lesetilgang og kan ikke endre programår');
    expect((await s.env.client.workflow.getHandle(kindergartenWorkflowId(otherRun, otherOrgnr)).query(kindergartenStatusQuery)).state).toBe('active');
    const own = await arshjul(['run', 'withdraw', '--run', otherRun, '--kindergarten', otherOrgnr, '--reason', 'flyttet', '--as', 'ola@vestland.example']);
    expect({ code: own.code, stderr: own.stderr }).toEqual({ code: 0, stderr: '' });
    expect((await s.env.client.workflow.getHandle(kindergartenWorkflowId(otherRun, otherOrgnr)).query(kindergartenStatusQuery)).state).toBe('withdrawn');
  });
});
