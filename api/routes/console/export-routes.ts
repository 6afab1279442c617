import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { spreadsheetCsv } from '../../exports/csv';
import { zipArchive, zipPathPart } from '../../exports/zip-archive';
import { Forbidden, htmlReply, mayRead, visitor } from '../../console/guard';
import { messagePage } from '../../pages/console-pages';
import type { ConsoleDeps } from '../console-routes';
import type { Plan } from '../../../config/plan-schema';
import { DELIVERABLE_STATUS } from '../../../texts/catalogue';
import { runParams } from './page-routes';
import { contentDisposition } from '../../exports/content-disposition';

/**
 * The status CSV: what a person reads first (names, the state in words, Oslo local times), then the same row's ids,
 * codes and UTC instants in columns of their own for programs.
 */
const STATUS_HEADER = [
  'Barnehage', 'Organisasjonsnummer', 'Kommune', 'Region', 'Workshopgruppe', 'Innlevering', 'Status', 'Frist (norsk tid)', 'Sene innleveringer til (norsk tid)',
  'kommune_id', 'region_id', 'gruppe_id', 'innlevering_id', 'status_kode', 'frist_utc', 'sen_til_utc',
];

function statusCsvRows(rows: string[][], plan: Plan | null): string[][] {
  const regions = new Map((plan?.regions ?? []).map((r) => [r.id, r]));
  const deliverables = new Map((plan?.deliverables ?? []).map((d) => [d.id, d.title]));
  return rows.map(([orgnr = '', name = '', municipality = '', municipalityId = '', regionId = '', groupId = '', deliverableId = '', status = '', due = '', late = '', dueUtc = '', lateUtc = '']) => {
    const region = regions.get(regionId);
    const group = region?.groups.find((g) => g.id === groupId)?.name ?? (groupId === regionId ? '' : groupId);
    return [name, orgnr, municipality, region?.name ?? regionId, group, deliverables.get(deliverableId) ?? deliverableId, DELIVERABLE_STATUS[status] ?? status, due, late, municipalityId, regionId, groupId, deliverableId, status, dueUtc, lateUtc];
  });
}

/** The exports: the status as CSV (a municipal authority: its own kindergartens), a region's submissions as one zip. */
export function exportRoutes(deps: ConsoleDeps) {
  return async (app: FastifyInstance) => {
    app.get('/konsoll/runs/:runId/status.csv', async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId } = runParams.parse(request.params);
      if (!mayRead(v.user, runId)) throw new Forbidden();
      const [rows, plan] = await Promise.all([deps.read.statusRows(runId, v.user.role === 'municipal-authority' ? v.user.municipalityId : null), deps.read.plan(runId)]);
      return reply
        .type('text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="${runId}-status.csv"`)
        .send(spreadsheetCsv(STATUS_HEADER, statusCsvRows(rows, plan)));
    });

    // One file of a submission, opened from the kindergarten page (PDFs open in the browser, others download).
    app.get('/konsoll/runs/:runId/innleveringer/:submissionId/filer/:position', async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId, submissionId, position } = runParams.extend({ submissionId: z.uuid(), position: z.coerce.number().int().min(0).max(1000) }).parse(request.params);
      if (!mayRead(v.user, runId)) throw new Forbidden();
      const file = deps.files ? await deps.read.submissionFile(runId, submissionId, position) : null;
      if (!file || !deps.files || (v.user.role === 'municipal-authority' && file.municipalityId !== v.user.municipalityId)) {
        return htmlReply(reply, 404, messagePage(v.frame('Ukjent'), 'Fant ikke filen', 'Filen finnes ikke i dette programåret, eller du har ikke tilgang til den.'));
      }
      const inline = file.contentType === 'application/pdf';
      return reply
        .type(file.contentType)
        .header('Content-Length', String(file.size))
        .header('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', file.name))
        .header('X-Content-Type-Options', 'nosniff')
        .send(deps.files.open(file.storageKey));
    });

    app.get('/konsoll/runs/:runId/regioner/:regionId/innleveringer.zip', async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId, regionId } = runParams.extend({ regionId: z.string().regex(/^[a-z0-9-]{1,63}$/) }).parse(request.params);
      if (!mayRead(v.user, runId)) throw new Forbidden();
      const files = deps.files;
      if (!files) return htmlReply(reply, 404, messagePage(v.frame('Ukjent'), 'Innleveringene er ikke tilgjengelige her', 'Denne serveren har ikke lagringsmappen for innleveringer.'));
      // A coordinator (and a national reader) gets every submission of the region; a recipient what is addressed to it
      // (an authority: its own).
      const plan = v.user.role === 'coordinator' || v.user.role === 'national-reader' ? null : await deps.read.plan(runId);
      const scope = plan ? { deliverableIds: plan.deliverables.filter((d) => d.recipient === v.user.role).map((d) => d.id), municipalityId: v.user.municipalityId } : {};
      const rows = await deps.read.regionFiles(runId, regionId, scope);
      await deps.accounts.audit({ actor: v.user.email, action: 'region-exported', runId, details: { regionId, files: rows.length } });
      const entries = rows.map((r) => ({
        name: [zipPathPart(r.municipality), zipPathPart(`${r.kindergarten} ${r.orgnr}`), zipPathPart(r.deliverableId), zipPathPart(`v${r.version} ${r.receiptNumber} ${r.name}`)].join('/'),
        modifiedAt: r.at,
        size: r.size,
        open: () => files.open(r.storageKey),
      }));
      return reply
        .type('application/zip')
        .header('Content-Disposition', `attachment; filename="${runId}-${regionId}-innleveringer.zip"`)
        .send(zipArchive(entries));
    });
  };
}
