import type { Timeline } from '../../domain/timeline';
import { type Html, html } from '../../texts/html';
import { NORWEGIAN_FORMATS, formatNorwegian, norwegianDateTime } from '../../texts/norwegian-format';

/**
 * The year as a chart, drawn on the server as SVG: one lane for the whole run and one per region and workshop group,
 * milestones as dots (diamonds for workshops and gatherings), deliverable windows as bars (open → due, then the late
 * window hatched), month lines, and a line for today. Every mark has a <title> for screen readers and tooltips, and
 * the same facts are in the table that follows the chart on the page.
 */
const LANE = 44;
const LEFT = 290;
const WIDTH = 1100;
const TOP = 40;

interface Lane {
  label: string;
  regionId: string | null;
  groupId: string | null;
}

function lanesOf(timeline: Timeline): Lane[] {
  const lanes: Lane[] = [{ label: 'Hele fylket', regionId: null, groupId: null }];
  for (const r of timeline.regions) {
    if (r.groups.length <= 1) lanes.push({ label: r.name, regionId: r.id, groupId: r.groups[0]?.id ?? null });
    else for (const g of r.groups) lanes.push({ label: g.name.length > 42 ? `${g.name.slice(0, 41)}…` : g.name, regionId: r.id, groupId: g.id });
  }
  return lanes;
}

/** The lane an occurrence or window is drawn in: run-wide items in the first lane, region items in each of its lanes. */
function lanesFor(lanes: Lane[], item: { scope: string; regionId: string | null; groupId: string | null }): number[] {
  if (item.scope === 'run') return [0];
  return lanes.flatMap((l, i) => (i > 0 && l.regionId === item.regionId && (item.scope === 'region' || l.groupId === item.groupId || l.groupId === null) ? [i] : []));
}

const local = (ms: number) => norwegianDateTime(ms);

export function timelineChart(timeline: Timeline, now: number): Html {
  const lanes = lanesOf(timeline);
  const instants = [
    ...timeline.milestones.flatMap((m) => m.occurrences.map((o) => o.at)),
    ...timeline.deliverables.flatMap((d) => d.windows.flatMap((w) => [w.opensAt, w.lateUntil])),
  ];
  const start = local(Math.min(...instants)).startOf('month');
  const end = local(Math.max(...instants)).endOf('month');
  const span = end.toMillis() - start.toMillis();
  const x = (ms: number) => LEFT + ((ms - start.toMillis()) / span) * (WIDTH - LEFT - 10);
  const y = (lane: number) => TOP + lane * LANE;
  const height = TOP + lanes.length * LANE + 10;

  const months: Html[] = [];
  for (let m = start; m < end; m = m.plus({ months: 1 })) {
    const mx = x(m.toMillis()).toFixed(1);
    months.push(html`<line x1="${mx}" x2="${mx}" y1="${TOP - 8}" y2="${height - 6}" class="grid"/><text x="${(Number(mx) + 3).toFixed(1)}" y="${TOP - 14}" class="month">${m.toFormat(NORWEGIAN_FORMATS.month)}</text>`);
  }
  const laneMarks = lanes.map((l, i) => html`<text x="6" y="${y(i) + 5}" class="lane">${l.label}</text><line x1="${LEFT}" x2="${WIDTH - 10}" y1="${y(i)}" y2="${y(i)}" class="lane-line"/>`);
  const windows = timeline.deliverables.flatMap((d) =>
    d.windows.flatMap((w) =>
      lanesFor(lanes, w).map((lane) => {
        const x1 = x(w.opensAt);
        const x2 = x(w.dueAt);
        const x3 = x(w.lateUntil);
        const label = `${d.title}: åpner ${formatNorwegian(w.opensAt, 'shortDay')}, frist ${formatNorwegian(w.dueAt, 'shortDay')}, forsinket til ${formatNorwegian(w.lateUntil, 'shortDay')}`;
        return html`<g class="window"><title>${label}</title><rect x="${x1.toFixed(1)}" y="${y(lane) + 6}" width="${Math.max(x2 - x1, 2).toFixed(1)}" height="8" class="open"/><rect x="${x2.toFixed(1)}" y="${y(lane) + 6}" width="${Math.max(x3 - x2, 1).toFixed(1)}" height="8" class="late"/></g>`;
      }),
    ),
  );
  // Every milestone gets a number, written by its marks and explained in the legend under the chart; a number that
  // would touch the previous one in its lane goes below the lane instead.
  const ordered = [...timeline.milestones].sort((a, b) => Math.min(...a.occurrences.map((o) => o.at)) - Math.min(...b.occurrences.map((o) => o.at)));
  const numberOf = new Map(ordered.map((m, i) => [m.id, i + 1]));
  const placed: { lane: number; x: number; below: boolean }[] = [];
  const marks = timeline.milestones
    .flatMap((m) => m.occurrences.flatMap((o) => lanesFor(lanes, o).map((lane) => ({ m, o, lane, at: x(o.at) }))))
    .sort((a, b) => a.lane - b.lane || a.at - b.at)
    .map(({ m, o, lane, at }) => {
      const cx = at.toFixed(1);
      const cy = y(lane);
      const label = `${numberOf.get(m.id)}. ${m.title}: ${formatNorwegian(o.at)}${o.version > 0 ? ' (flyttet)' : ''}`;
      const big = m.kind === 'workshop' || m.kind === 'gathering';
      const previous = placed.filter((p) => p.lane === lane).at(-1);
      const below = previous !== undefined && at - previous.x < 16 && !previous.below;
      placed.push({ lane, x: at, below });
      const number = html`<text x="${cx}" y="${below ? cy + 26 : cy - 9}" class="number">${String(numberOf.get(m.id))}</text>`;
      const shape = big
        ? html`<path d="M${cx} ${cy - 7} l7 7 l-7 7 l-7 -7 z" class="milestone ${m.kind}${o.version > 0 ? ' moved' : ''}"><title>${label}</title></path>`
        : html`<circle cx="${cx}" cy="${cy}" r="4.5" class="milestone ${m.kind}${o.version > 0 ? ' moved' : ''}"><title>${label}</title></circle>`;
      return html`${shape}${number}`;
    });
  const legend = ordered.map((m) => html`<li value="${String(numberOf.get(m.id))}">${m.title}</li>`);
  const today = now >= start.toMillis() && now <= end.toMillis() ? html`<line x1="${x(now).toFixed(1)}" x2="${x(now).toFixed(1)}" y1="${TOP - 10}" y2="${height - 4}" class="today"/><text x="${(x(now) + 4).toFixed(1)}" y="${height - 6}" class="today-label">i dag</text>` : null;
  return html`<figure class="chart" tabindex="0"><svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="tidslinje-tittel tidslinje-beskrivelse" xmlns="http://www.w3.org/2000/svg">
<title id="tidslinje-tittel">Tidslinje for programåret</title>
<desc id="tidslinje-beskrivelse">Milepæler som punkter, workshoper og samlinger som ruter, innleveringsperioder som streker (mørk: åpen til fristen, lys: forsinket innlevering), en loddrett linje for i dag. Samme innhold står i tabellen under.</desc>
${months}${laneMarks}${windows}${marks}${today}
</svg><figcaption>Punkter: milepæler. Ruter: workshoper og samlinger. Streker: innleveringer (mørk til fristen, lys for forsinket innlevering). Rød linje: i dag. Tallene er milepælene:<ol class="legend">${legend}</ol></figcaption></figure>`;
}

export const CHART_STYLES = `
figure.chart { margin: 0 0 1rem; overflow-x: auto; }
figure.chart svg { min-width: 56rem; width: 100%; height: auto; font: 12px system-ui, sans-serif; }
figure.chart .grid { stroke: #d0d0d0; }
figure.chart .lane-line { stroke: #e6e6e6; }
figure.chart .month, figure.chart .lane { fill: #1b1b1b; }
figure.chart .milestone { fill: #00509e; stroke: #fff; stroke-width: 1; }
figure.chart .milestone.moved { fill: #7a3b00; }
figure.chart .window .open { fill: #0b6b2f; }
figure.chart .window .late { fill: #9fd3b0; }
figure.chart .today { stroke: #a4000f; stroke-width: 2; }
figure.chart .today-label { fill: #a4000f; font-weight: 600; }
figure.chart figcaption { color: #4a4a4a; font-size: .9rem; }
figure.chart .number { fill: #1b1b1b; font-size: 11px; font-weight: 600; text-anchor: middle; }
figure.chart ol.legend { columns: 2 18rem; margin: .5rem 0 0; padding-left: 2rem; color: #1b1b1b; }
`;
