import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { KindergartenDetail } from '../../../activities/db/console-repository';
import { refusalReason } from '../../errors';
import * as control from '../../../application/run-control';
import { NotFoundError } from '../../../domain/errors';
import type { MovePreview } from '../../../domain/move-preview';
import { AUDIENCE, EMAIL_CHANGE, count, templateName } from '../../../texts/catalogue';
import { moveChanges } from '../../../application/move-preview';
import { type Html, html } from '../../../texts/html';
import { formatNorwegian } from '../../../texts/norwegian-format';
import { Forbidden, type Visitor, coordinator, htmlReply } from '../../console/guard';
import { confirmPage } from '../../pages/console-pages';
import type { ConsoleDeps } from '../console-routes';
import { runParams } from './page-routes';

const when = (ms: number) => formatNorwegian(ms);
const localTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'forventet en lokal dato og tid (ÅÅÅÅ-MM-DDTtt:mm)');
const orgnrField = z.string().regex(/^\d{9}$/, 'forventet et organisasjonsnummer med ni sifre');

/**
 * An action ready to confirm: what changes (the preview, computed only for the GET that shows it), the hidden fields
 * to post back, and the action itself.
 */
interface Prepared {
  title: string;
  changes: () => Promise<Html> | Html;
  fields: Record<string, string>;
  run: () => Promise<unknown>;
  /** The `melding` shown after it is done. */
  done: string;
  back?: string;
}

interface ActionInput {
  deps: ConsoleDeps;
  runId: string;
  actor: string;
  /** A trimmed form or query field ('' when absent). */
  field: (name: string) => string;
  /** The kindergarten the form names (field `barnehage`); refused when it is not in the run. */
  kindergarten: () => Promise<KindergartenDetail>;
  now: () => number;
}

const PAUSE_CHOICES = {
  pause: { title: 'Pause', text: 'All e-post holdes tilbake til programåret gjenopptas.', run: control.pauseRun },
  gjenoppta: { title: 'Gjenoppta', text: 'E-post som fortsatt er nyttig sendes, og programåret fortsetter.', run: control.resumeRun },
  avlys: { title: 'Avslutt programåret', text: 'Programåret avsluttes for alle barnehager. Dette kan ikke angres.', run: control.cancelRun },
} as const;

/**
 * Every console action as one entry: GET shows its preview, POST (with the CSRF token) runs it through the application
 * layer. None writes the audit log here: the workflow (or the store) that carries an action out writes its entry in the
 * same step, so the action and its entry cannot disagree.
 */
/** A move's preview: the milestones that move, and every email the move changes, with counts per template. */
function movePreviewHtml(moved: { title: string; where: string; from: number; to: number }[], preview: MovePreview): Html {
  const emails = preview.emails.map(
    (e) => html`<tr><td>${e.title}</td><td>${templateName(e.template)}</td><td>${AUDIENCE[e.recipients] ?? e.recipients}</td><td>${EMAIL_CHANGE[e.change]}</td><td>${e.from !== null ? when(e.from) : '–'}</td><td>${e.to !== null ? (e.change === 'now' ? 'straks' : when(e.to)) : '–'}</td><td>${e.kindergartens}</td></tr>`,
  );
  const totals = preview.byTemplate.map((t) => html`<li>${templateName(t.template)}: ${count(t.count, 'e-post', 'e-poster')} ${EMAIL_CHANGE[t.change]}</li>`);
  const owners = preview.owners.map(
    (e) => html`<tr><td>${e.title}${e.place ? ` (${e.place})` : ''}</td><td>${templateName(e.template)}</td><td>${AUDIENCE[e.recipients] ?? e.recipients}</td><td>${EMAIL_CHANGE[e.change]}</td><td>${e.from !== null ? when(e.from) : '–'}</td><td>${e.to !== null ? (e.change === 'now' ? 'straks' : when(e.to)) : '–'}</td><td>${e.count}</td></tr>`,
  );
  const ownerSection = preview.owners.length
    ? html`<h2>E-post til kommunene, forskningssenteret og koordinatoren</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="E-post til kommunene, forskningssenteret og koordinatoren (kan rulles sidelengs)"><table><thead><tr><th scope="col">Om</th><th scope="col">E-post</th><th scope="col">Til</th><th scope="col">Endring</th><th scope="col">Før</th><th scope="col">Etter</th><th scope="col">Mottakere</th></tr></thead><tbody>${owners}</tbody></table></div>`
    : null;
  return html`<h2>Milepæler som flyttes</h2><ul>${moved.map((m) => html`<li>${m.title} (${m.where}): ${when(m.from)} → ${when(m.to)}</li>`)}</ul>
<h2>E-post som endres</h2>
${preview.emails.length === 0
  ? html`<p>Ingen e-post til barnehagene endres av flyttingen.</p>`
  : html`<p>${count(preview.kindergartens, 'barnehage', 'barnehager')} får e-post til nye tider:</p><ul class="totals">${totals}</ul>
<div class="table-wrap" tabindex="0" role="region" aria-label="E-post som endres (kan rulles sidelengs)"><table><thead><tr><th scope="col">Om</th><th scope="col">E-post</th><th scope="col">Til</th><th scope="col">Endring</th><th scope="col">Før</th><th scope="col">Etter</th><th scope="col">Barnehager</th></tr></thead><tbody>${emails}</tbody></table></div>`}
${ownerSection}`;
}

const ACTIONS: Record<string, (input: ActionInput) => Promise<Prepared>> = {
  async flytt({ deps, runId, actor, field, now }) {
    const at = localTime.parse(field('tid'));
    const milestoneId = field('milepel');
    // "region" is a region id, or "region/group" for one workshop group (as the CLI's --region and --group).
    const [regionId = '', groupId = ''] = field('region').split('/');
    const override = { milestoneId, ...(regionId ? { regionId } : {}), ...(groupId ? { groupId } : {}), at };
    // The plan version the preview shows goes back with the confirmation: a move someone else made meanwhile refuses it.
    const revision = /^\d{1,9}$/.test(field('revisjon')) ? Number(field('revisjon')) : (await control.runPlan(deps.control, runId)).revision;
    const changes = async () => {
      // The same comparisons the run workflow and the kindergarten workflows make when the move is applied.
      const { moved, preview } = await moveChanges(deps.control, deps.read, runId, override, now());
      if (moved.length === 0) return html`<p>Ingenting flyttes: milepælen er allerede på dette tidspunktet.</p>`;
      return movePreviewHtml(moved, preview);
    };
    return { title: 'Flytt en milepæl', changes, fields: { milepel: milestoneId, region: field('region'), tid: at, revisjon: String(revision) }, run: () => control.rescheduleMilestone(deps.control, runId, override, actor, revision), done: 'flyttet' };
  },

  async pause({ deps, runId, actor, field }) {
    const what = z.enum(['pause', 'gjenoppta', 'avlys']).parse(field('hva'));
    const choice = PAUSE_CHOICES[what];
    return { title: choice.title, changes: () => html`<p>${choice.text}</p>`, fields: { hva: what }, run: () => choice.run(deps.control, runId, actor), done: what };
  },

  async forleng({ deps, runId, actor, field, kindergarten, now }) {
    const k = await kindergarten();
    const deliverableId = field('leveranse');
    const at = localTime.parse(field('tid'));
    return {
      title: `Forleng fristen for ${k.name}`,
      changes: async () => {
        // Resolved by the same rule the extension itself applies: the new deadline, its reminders, escalation and late window.
        const { title, current, request } = await control.previewExtension(deps.control, runId, k.orgnr, deliverableId, at);
        const reminders = request.reminderAts.filter((r) => r > now());
        return html`<dl class="change"><dt>Innlevering</dt><dd>${title}</dd><dt>Frist nå</dt><dd>${when(current.dueAt)}</dd><dt>Ny frist</dt><dd>${when(request.dueAt)}</dd><dt>Forsinket innlevering</dt><dd>tas imot til ${when(request.lateUntil)}</dd><dt>Påminnelser til styreren</dt><dd>${reminders.length ? reminders.map((r, i) => html`${i > 0 ? html`<br>` : null}${when(r)}`) : 'ingen flere'}</dd><dt>Varsel til kommunen</dt><dd>${when(request.escalationAt)}, om ingenting er levert</dd></dl><p>Påminnelser og varsel til kommunen følger den nye fristen. Har barnehagen levert, sendes ingen påminnelse.</p>`;
      },
      fields: { barnehage: k.orgnr, leveranse: deliverableId, tid: at },
      run: () => control.extendDeadline(deps.control, runId, k.orgnr, deliverableId, at, actor),
      done: 'forlenget',
      back: `/konsoll/runs/${runId}/barnehager/${k.orgnr}`,
    };
  },

  async 'ny-lenke'({ deps, runId, actor, field, kindergarten }) {
    const k = await kindergarten();
    const deliverableId = field('leveranse');
    return {
      title: `Ny innleveringslenke for ${k.name}`,
      changes: async () => {
        const title = (await control.kindergartenStatus(deps.control, runId, k.orgnr)).deliverables.find((d) => d.id === deliverableId)?.title ?? deliverableId;
        return html`<p>${k.directorName} (${k.directorEmail}) får en ny lenke for «${title}» på e-post. Lenker som er sendt tidligere, slutter å virke.</p>`;
      },
      fields: { barnehage: k.orgnr, leveranse: deliverableId },
      run: () => control.reissueUploadLink(deps.control, runId, k.orgnr, deliverableId, actor),
      done: 'ny-lenke',
      back: `/konsoll/runs/${runId}/barnehager/${k.orgnr}`,
    };
  },

  async trekk({ deps, runId, actor, field, kindergarten }) {
    const k = await kindergarten();
    const reason = z.string().min(1, 'skriv en begrunnelse').max(500).parse(field('grunn'));
    return {
      title: `Trekk ${k.name}`,
      changes: () => html`<p>${k.name} får ingen flere e-poster, og innleveringer avvises. Kalenderinvitasjoner som er sendt, trekkes tilbake.</p><p>Begrunnelse: ${reason}</p>`,
      fields: { barnehage: k.orgnr, grunn: reason },
      run: () => control.withdrawKindergarten(deps.control, runId, k.orgnr, reason, actor),
      done: 'trukket',
      back: `/konsoll/runs/${runId}/barnehager/${k.orgnr}`,
    };
  },

  async kontakt({ deps, runId, actor, field, kindergarten, now }) {
    const k = await kindergarten();
    const who = z.enum(['styrer', 'kommune']).parse(field('hvem'));
    const contact = { name: field('navn'), email: field('epost') };
    const target = who === 'styrer' ? ({ kind: 'director', orgnr: k.orgnr } as const) : ({ kind: 'authority', municipalityId: k.municipalityId } as const);
    const before = who === 'styrer' ? { name: k.directorName, email: k.directorEmail } : { name: k.authorityName, email: k.authorityEmail };
    return {
      title: who === 'styrer' ? `Ny styrer for ${k.name}` : `Ny kontakt hos barnehagemyndigheten i ${k.municipalityName}`,
      changes: async () => {
        const { links } = await control.previewContactChange(deps.control, runId, target, now);
        return html`<dl class="change"><dt>Nå</dt><dd>${before.name}, ${before.email}</dd><dt>Ny</dt><dd>${contact.name}, ${contact.email}</dd></dl>
<p>All e-post som sendes heretter${who === 'kommune' ? ` til barnehagemyndigheten i ${k.municipalityName} (for alle barnehagene i kommunen)` : ''}, går til den nye adressen.</p>
${who === 'styrer'
  ? links.length
    ? html`<p>Den nye styreren får ${count(links.length, 'ny innleveringslenke', 'nye innleveringslenker')} på e-post, og lenkene den forrige fikk, slutter å virke:</p><ul>${links.map((l) => html`<li>${l.title} (virker til ${when(l.lateUntil)})</li>`)}</ul>`
    : html`<p>Ingen innlevering er åpen nå, så ingen lenke sendes på nytt; de neste lenkene går til den nye styreren.</p>`
  : null}`;
      },
      fields: { barnehage: k.orgnr, hvem: who, navn: contact.name, epost: contact.email },
      run: () => control.changeContact(deps.control, runId, target, contact, actor, now),
      done: 'kontakt',
      back: `/konsoll/runs/${runId}/barnehager/${k.orgnr}`,
    };
  },

  async melding({ deps, runId, actor, field, now }) {
    const deliverableId = field('leveranse');
    const subject = field('emne');
    const text = field('tekst');
    // Made for the preview and posted back with it: sending the same form twice sends each email once.
    const messageId = /^[a-z0-9-]{8,64}$/.test(field('melding-id')) ? field('melding-id') : randomUUID();
    return {
      title: 'Melding til dem som ikke har levert',
      changes: async () => {
        const { deliverable, recipients } = await control.messageRecipients(deps.control, runId, deliverableId, now);
        return html`<p>Meldingen om ${`«${deliverable.title}»`} sendes til styreren i ${count(recipients.length, 'barnehage', 'barnehager')} som ikke har levert ennå, hver med sin frist og sin personlige lenke:</p>
<dl class="change"><dt>Emne</dt><dd>${subject}</dd><dt>Tekst</dt><dd class="message">${text}</dd></dl>
<details><summary>Barnehagene (${recipients.length})</summary><ul>${recipients.map((r) => html`<li>${r.name} (${r.municipality}), frist ${when(r.dueAt)}</li>`)}</ul></details>`;
      },
      fields: { leveranse: deliverableId, emne: subject, tekst: text, 'melding-id': messageId },
      run: () => control.messageNonSubmitters(deps.control, runId, { deliverableId, subject, text, messageId }, actor, now),
      done: 'melding',
    };
  },

  async 'legg-til'({ deps, runId, actor, field }) {
    const kindergarten = { orgnr: field('orgnr'), name: field('navn'), municipalityId: field('kommune'), director: { name: field('styrer'), email: field('epost') } };
    return {
      title: 'Legg til en barnehage',
      changes: async () => {
        const municipality = (await deps.read.municipalities(runId)).find((m) => m.id === kindergarten.municipalityId);
        return html`<dl class="change"><dt>Barnehage</dt><dd>${kindergarten.name} (${kindergarten.orgnr})</dd><dt>Kommune</dt><dd>${municipality?.name ?? kindergarten.municipalityId}</dd><dt>Styrer</dt><dd>${kindergarten.director.name}, ${kindergarten.director.email}</dd></dl><p>Barnehagen blir med fra nåværende fase: e-post om det som kommer, ikke om det som har vært.</p>`;
      },
      fields: { orgnr: kindergarten.orgnr, navn: kindergarten.name, kommune: kindergarten.municipalityId, styrer: kindergarten.director.name, epost: kindergarten.director.email },
      run: () => control.addKindergarten(deps.control, runId, kindergarten, actor),
      done: 'lagt-til',
    };
  },
};

const actionParams = runParams.extend({ action: z.enum(Object.keys(ACTIONS) as [string, ...string[]]) });

/** The console's actions: a preview page (GET) and the confirmed action (POST), both from the table above. */
export function actionRoutes(deps: ConsoleDeps) {
  function prepare(v: Visitor, runId: string, action: string, values: unknown): Promise<Prepared> {
    const form = (values ?? {}) as Record<string, unknown>;
    const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');
    const kindergarten = async () => {
      const orgnr = orgnrField.parse(field('barnehage'));
      const k = await deps.read.kindergarten(runId, orgnr);
      if (!k) throw new NotFoundError(`Barnehagen ${orgnr} er ikke med i dette programåret.`);
      return k;
    };
    return (ACTIONS[action] as (input: ActionInput) => Promise<Prepared>)({ deps, runId, actor: v.user.email, field, kindergarten, now: deps.now ?? Date.now });
  }

  /** The same page for a preview that cannot be shown and an action that was not done: the reason, in bokmål. */
  function refusalPage(v: Visitor, request: FastifyRequest, reply: FastifyReply, runId: string, url: string, title: string, error: unknown) {
    const { status, reason } = refusalReason(error, request, reply);
    return htmlReply(reply, status, confirmPage(v.frame(title), { title, changes: html``, action: url, fields: {}, back: `/konsoll/runs/${runId}`, refusal: reason }));
  }

  return async (app: FastifyInstance) => {
    app.get('/konsoll/runs/:runId/handling/:action', async (request, reply) => {
      const v = await coordinator(deps, request);
      const { runId, action } = actionParams.parse(request.params);
      const url = `/konsoll/runs/${runId}/handling/${action}`;
      try {
        const p = await prepare(v, runId, action, request.query);
        return htmlReply(reply, 200, confirmPage(v.frame(p.title), { title: p.title, changes: await p.changes(), action: url, fields: p.fields, back: p.back ?? `/konsoll/runs/${runId}` }));
      } catch (error) {
        return refusalPage(v, request, reply, runId, url, 'Kan ikke utføres', error);
      }
    });

    app.post('/konsoll/runs/:runId/handling/:action', async (request, reply) => {
      const v = await coordinator(deps, request);
      if (!v.csrfOk(request.body)) throw new Forbidden();
      const { runId, action } = actionParams.parse(request.params);
      const url = `/konsoll/runs/${runId}/handling/${action}`;
      try {
        const p = await prepare(v, runId, action, request.body);
        await p.run();
        return reply.redirect(`${p.back ?? `/konsoll/runs/${runId}`}?melding=${p.done}`, 303);
      } catch (error) {
        return refusalPage(v, request, reply, runId, url, 'Ble ikke utført', error);
      }
    });
  };
}
