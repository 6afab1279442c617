import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { spreadsheetCsv } from '../../exports/csv';
import { zipArchive, zipPathPart } from '../../exports/zip-archive';
import { Forbidden, coordinator, htmlReply, mayRead, visitor } from '../../console/guard';
import { messagePage } from '../../pages/console-pages';
import type { ConsoleDeps } from '../console-routes';
import { runParams } from './page-routes';

const STATUS_HEADER = ['orgnr', 'barnehage', 'kommune', 'region', 'gruppe', 'innlevering', 'status', 'frist', 'forsinket_til'];

/** The exports: the status as CSV (a municipal authority: its own kindergartens), a region's submissions as one zip. */
export function exportRoutes(deps: ConsoleDeps) {
  return async (app: FastifyInstance) => {
    app.get('/konsoll/runs/:runId/status.csv', async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId } = runParams.parse(request.params);
      if (!mayRead(v.user, runId)) throw new Forbidden();
      const rows = await deps.read.statusRows(runId, v.user.role === 'municipal-authority' ? v.user.municipalityId : null);
      return reply
        .type('text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="${runId}-status.csv"`)
        .send(spreadsheetCsv(STATUS_HEADER, rows));
    });

    app.get('/konsoll/runs/:runId/regioner/:regionId/innleveringer.zip', async (request, reply) => {
      const v = await coordinator(deps, request);
      const { runId, regionId } = runParams.extend({ regionId: z.string().regex(/^[a-z0-9-]{1,63}$/) }).parse(request.params);
      const files = deps.files;
      if (!files) return htmlReply(reply, 404, messagePage(v.frame('Ukjent'), 'Innleveringene er ikke tilgjengelige her', 'Denne serveren har ikke lagringsmappen for innleveringer.'));
      const rows = await deps.read.regionFiles(runId, regionId);
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
