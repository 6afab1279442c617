/**
 * What `arshjul run recover` says (issue 16, point 2), in bokmål: its refusals, with the run by its id and what to do,
 * and its account of what it recovered, by name and count.
 */
import type { RecoverySummary } from '../domain/recovery-records';
import { count, joinAnd, quoted } from './catalogue';

const seconds = (ms: number) => `${(ms / 1000).toLocaleString('nb-NO', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} s`;

export const RECOVERY_TEXT = {
  unknownRun: (runId: string) => `Fant ikke programåret ${runId} i databasen. Sjekk id-en med «arshjul run list».`,
  completed: (runId: string) => `Programåret ${runId} er fullført; det er ingenting å gjenopprette.`,
  cancelled: (runId: string) => `Programåret ${runId} ble avsluttet av koordinatoren; det er ingenting å gjenopprette.`,
  noTimeline: (runId: string, release: string | null) =>
    `Programåret ${runId} ble startet av Årshjul ${release ?? 'før 1.0.0'}, som ikke lagret tidslinjen i databasen, og en milepæl er flyttet siden; de flyttede datoene finnes bare i Temporals lager. Gjenopprett det fra en sikkerhetskopi (arshjul restore).`,
  stillThere: (runId: string, workflows: string[]) =>
    `Programåret ${runId} finnes fortsatt i Temporal (${joinAnd(workflows)}). Gjenoppretting er bare for et Temporal som har mistet programåret; ingenting ble startet.`,
} as const;

/** The lines `arshjul run recover` prints when it has started the run's workflows again. */
export function recoveredLines(s: RecoverySummary & { ms: number }): string[] {
  return [
    `Gjenopprettet ${quoted(s.title)} (${s.runId}) på ${seconds(s.ms)}, fra PostgreSQL:`,
    `  tidslinjen i versjon ${s.revision} (${count(s.moves, 'flytting', 'flyttinger')})${s.paused ? ', på pause' : ''}`,
    `  ${count(s.regions.length, 'region', 'regioner')}: ${joinAnd(s.regions)}`,
    `  ${count(s.kindergartens, 'barnehage', 'barnehager')} startet${s.added.length ? `, blant dem lagt til i løpet av året: ${joinAnd(s.added)}` : ''}`,
    ...(s.withdrawn.length ? [`  trukket, ikke startet: ${joinAnd(s.withdrawn)}`] : []),
    `  ${count(s.extensions, 'egen frist', 'egne frister')} (forlengelser og returer til revisjon), ${count(s.submissions, 'innlevering', 'innleveringer')}, ${count(s.reviews, 'vurdering', 'vurderinger')}`,
    `  ${count(s.stepsDone, 'steg', 'steg')} allerede gjort; ${count(s.emailsSent, 'e-post', 'e-poster')} allerede sendt (sendes ikke igjen)${s.emailsOwed ? `; ${count(s.emailsOwed, 'kvittering eller vurdering', 'kvitteringer og vurderinger')} sendes nå` : ''}`,
  ];
}
