import type { FastifyInstance } from 'fastify';
import type { RetentionRepository } from '../../../activities/db/retention-repository';
import type { FileStore } from '../../../activities/files/file-store';
import { runArchive, runRetention } from '../../../application/retention';
import { RefusedError } from '../../../domain/errors';
import { html } from '../../../texts/html';
import { retentionLines } from '../../../texts/retention';
import { Forbidden, htmlReply, mayAct, mayRead, visitor } from '../../console/guard';
import { consolePage, messagePage } from '../../pages/console-pages';
import type { ConsoleDeps } from '../console-routes';
import { runParams } from './page-routes';

/** What the retention pages need: the repository and RETENTION_MONTHS (a run's retention when its plan does not say). */
export interface RetentionRouteDeps {
  retention: { repo: RetentionRepository; defaultMonths: number };
}

/**
 * A run's retention in the console (issue 16, part 3): when its personal data goes, and its archive as one zip for the
 * public archive (the CLI's `run archive`), for the coordinator of its county only: the archive holds every person.
 */
export function retentionRoutes(deps: ConsoleDeps & RetentionRouteDeps) {
  return async (app: FastifyInstance) => {
    app.get('/konsoll/runs/:runId/oppbevaring', async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId } = runParams.parse(request.params);
      if (!mayRead(v.user, runId)) throw new Forbidden();
      const retention = await runRetention(deps.retention, runId);
      const lines = retentionLines(retention);
      const download = !retention.purgedAt && mayAct(v.user, runId) && deps.files
        ? html`<p><a href="/konsoll/runs/${runId}/arkiv.zip">Last ned arkivet (zip)</a>: hver godkjent innlevering med filer, kvittering og veiledning, gruppeoppsettene og en indeks (index.csv, README.txt), til arkivverket.</p>`
        : null;
      return htmlReply(reply, 200, consolePage(v.frame(`Oppbevaring – ${retention.title}`), html`<h1>Oppbevaring av personopplysninger</h1>${lines.map((line) => html`<p>${line}</p>`)}${download}<p><a href="/konsoll/runs/${runId}">Til programåret</a></p>`));
    });

    app.get('/konsoll/runs/:runId/arkiv.zip', async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId } = runParams.parse(request.params);
      if (!mayAct(v.user, runId)) throw new Forbidden();
      const files: Pick<FileStore, 'open'> | undefined = deps.files;
      if (!files) return htmlReply(reply, 404, messagePage(v.frame('Ukjent'), 'Arkivet er ikke tilgjengelig her', 'Denne serveren har ikke lagringsmappen for innleveringer.'));
      const now = (deps.now ?? Date.now)();
      let archive;
      try {
        archive = await runArchive({ ...deps.retention, files }, runId, { actor: v.user.email, now });
      } catch (error) {
        if (error instanceof RefusedError) return htmlReply(reply, 409, messagePage(v.frame('Ikke utført'), 'Arkivet kan ikke lages', error.message));
        throw error;
      }
      const { stream, counts } = archive;
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
      // The export is noted once the whole archive has gone out; one cut short (a changed file) is only logged.
      stream.once('end', () => {
        deps.retention.repo.recordArchive(runId, { at: now, actor: v.user.email, ...counts, bytes }).catch((error: unknown) => request.log.error({ err: error }, 'noting the archive export failed'));
      });
      stream.once('error', (error: Error) => request.log.error({ err: error }, 'the archive export was cut short'));
      return reply
        .type('application/zip')
        .header('Content-Disposition', `attachment; filename="${runId}-arkiv.zip"`)
        .send(stream);
    });
  };
}
