import { version } from '../package.json';
import { AUTHORITY_DELIVERABLES_PATCH, AUTHORITY_DIGEST_PATCH, GUIDANCE_REMINDER_PATCH, READ_MODEL_DEADLINE_PATCH } from '../domain/patches';

/**
 * The Årshjul release this code is, from package.json: every run remembers the release that started it (the run's
 * row and every workflow's memo), so a patch can be retired once no open run was started before it.
 */
export const ARSHJUL_RELEASE: string = version;

/**
 * Every `patched()` branch in the workflows, with the release that added it and, once retired, the release that
 * turned it into `deprecatePatch()`. The release rule is in the README ("Releases"): a patch is deprecated once no
 * run started before `addedIn` is open (`arshjul release runs` says), and removed in the release after that.
 */
export interface WorkflowPatch {
  id: string;
  workflow: 'runWorkflow' | 'regionWorkflow' | 'kindergartenWorkflow' | 'deliverEmailWorkflow';
  addedIn: string;
  deprecatedIn: string | null;
  what: string;
}

export const WORKFLOW_PATCHES: readonly WorkflowPatch[] = [
  {
    id: AUTHORITY_DIGEST_PATCH,
    workflow: 'kindergartenWorkflow',
    addedIn: '1.1.0',
    deprecatedIn: null,
    what: 'en eskalering går inn i barnehagemyndighetens daglige sammendrag i stedet for som egen e-post',
  },
  {
    id: READ_MODEL_DEADLINE_PATCH,
    workflow: 'kindergartenWorkflow',
    addedIn: '1.1.0',
    deprecatedIn: null,
    what: 'en flytting som endrer en frist uten å endre statusen, skriver den nye fristen til lesemodellen',
  },
  {
    id: AUTHORITY_DIGEST_PATCH,
    workflow: 'runWorkflow',
    addedIn: '1.1.0',
    deprecatedIn: null,
    what: 'kjøringen sender barnehagemyndighetenes daglige sammendrag',
  },
  {
    id: GUIDANCE_REMINDER_PATCH,
    workflow: 'runWorkflow',
    addedIn: '1.2.0',
    deprecatedIn: null,
    what: 'kjøringen minner forskningssenteret om veiledning som gjenstår',
  },
  {
    id: AUTHORITY_DELIVERABLES_PATCH,
    workflow: 'runWorkflow',
    addedIn: '1.2.0',
    deprecatedIn: null,
    what: 'kjøringen ber barnehagemyndighetene om gruppeoppsettet, minner dem som ikke har sendt det, og varsler koordinatoren',
  },
];
