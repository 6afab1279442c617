/** Deterministic workflow IDs with business meaning: `arshjul-2017-hedmark`, `…-region-hedmarken`, `…-bhg-974760673`. */
export function runWorkflowId(schoolYear: number, county: string): string {
  return `arshjul-${schoolYear}-${county}`;
}

/** The county a run belongs to, read from its id (`arshjul-2017-hedmark` → `hedmark`); null for anything else. */
export function countyOfRun(runId: string): string | null {
  return /^arshjul-\d{4}-([a-z0-9][a-z0-9-]*)$/.exec(runId)?.[1] ?? null;
}

export function regionWorkflowId(runId: string, regionId: string): string {
  return `${runId}-region-${regionId}`;
}

export function kindergartenWorkflowId(runId: string, orgnr: string): string {
  return `${runId}-bhg-${orgnr}`;
}

/** The one-off workflow that emails a re-issued upload link (one per link version, so a repeat sends nothing new). */
export function linkReissueWorkflowId(runId: string, orgnr: string, deliverableId: string, version: number): string {
  return `${kindergartenWorkflowId(runId, orgnr)}-link-${deliverableId}-v${version}`;
}

/** The one-off workflow that emails the research centre's guidance to the director (release 1.2.0). */
export function guidanceWorkflowId(runId: string, orgnr: string, guidanceId: string): string {
  return `${kindergartenWorkflowId(runId, orgnr)}-guidance-${guidanceId}`;
}
