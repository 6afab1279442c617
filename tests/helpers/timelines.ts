import type { Plan } from '../../config/plan-schema';
import type { Audience, Timeline } from '../../domain/timeline';

/**
 * A synthetic timeline for real-time tests on the dev server: `steps` run-wide milestones `spacingMs` apart from
 * `start`, each emailing the given audiences, in one region (kongsvinger) with one group.
 */
export function burstTimeline(plan: Plan, start: number, steps: number, spacingMs: number, audiences: Audience[]): Timeline {
  const at = (i: number) => start + i * spacingMs;
  return {
    schoolYear: plan.schoolYear,
    county: plan.county,
    timezone: plan.timezone,
    regions: [{ id: 'kongsvinger', name: 'Kongsvingerregionen', groups: [{ id: 'kongsvinger', name: 'Kongsvingerregionen' }] }],
    milestones: Array.from({ length: steps }, (_, i) => ({
      id: `burst-${i}`,
      kind: 'information',
      title: `Steg ${i}`,
      location: null,
      durationMinutes: null,
      occurrences: [
        {
          scope: 'run' as const,
          regionId: null,
          groupId: null,
          at: at(i),
          version: 0,
          emails: audiences.map((to) => ({ id: `milestone-notice:${to}:0`, template: 'milestone-notice', to, sendAt: at(i), latestUsefulAt: at(i) + 3_600_000 })),
        },
      ],
    })),
    deliverables: [],
    endsAt: at(steps) + 1_000,
    submissionGraceMs: 0,
  };
}
