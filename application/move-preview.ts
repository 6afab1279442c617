/**
 * A move's preview for the console and the CLI alike: the timeline before and after (`previewReschedule`, the
 * resolution the move itself uses), the occurrences that move (`movedOccurrences`, the run workflow's comparison), and
 * the emails (`previewMove`: each kindergarten's emails by the kindergarten workflows' rules on its state in the read
 * model, and the run's and regions' own emails by theirs).
 */
import type { ConsoleRepository } from '../activities/db/console-repository';
import { type KindergartenBasis, type MovePreview, previewMove } from '../domain/move-preview';
import { type MilestoneOverride, placeName } from '../domain/timeline';
import { movedOccurrences } from '../domain/timeline-changes';
import { type RunControlDeps, previewReschedule } from './run-control';

export interface MoveChanges {
  /** The plan version the preview was computed on: a confirmation carries it back. */
  revision: number;
  moved: { title: string; where: string; from: number; to: number }[];
  preview: MovePreview;
}

export async function moveChanges(deps: RunControlDeps, read: Pick<ConsoleRepository, 'matrix' | 'extensions'>, runId: string, override: MilestoneOverride, now: number): Promise<MoveChanges> {
  const [{ before, after, revision }, matrix, extended] = await Promise.all([
    previewReschedule(deps, runId, override),
    read.matrix(runId, {}, { offset: 0, limit: 1_000_000 }),
    read.extensions(runId),
  ]);
  const moved = movedOccurrences(before, after).map((m) => ({
    title: after.milestones.find((x) => x.id === m.milestoneId)?.title ?? m.milestoneId,
    where: placeName(after, m.regionId, m.groupId) ?? 'hele fylket',
    from: m.from,
    to: m.to,
  }));
  const basis: KindergartenBasis[] = matrix.rows.map((r) => ({
    orgnr: r.orgnr,
    regionId: r.regionId,
    groupId: r.groupId,
    municipalityId: r.municipalityId,
    withdrawn: r.withdrawn,
    deliverables: Object.fromEntries(Object.entries(r.cells).map(([id, c]) => [id, { submitted: c.status === 'submitted' || c.status === 'submitted-late', extended: extended.has(`${r.orgnr}/${id}`) }])),
  }));
  return { revision, moved, preview: previewMove(before, after, basis, now) };
}
