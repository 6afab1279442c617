import { ARCHIVE_INDEX_HEADER, eraseLines, eraseRefusal, personLines, purgeLines, retentionLines } from '../../texts/retention';

const ENDED = Date.parse('2028-06-30T14:00:00Z');

describe('what the coordinator reads about retention, in bokmål', () => {
  it('tells when a run\'s personal data goes, and that the archive is not exported', () => {
    expect(retentionLines({ runId: 'arshjul-2027-innlandet', endedAt: ENDED, months: 12, purgeAt: Date.parse('2029-06-30T14:00:00Z'), archivedAt: null, purgedAt: null, summary: null })).toEqual([
      'Programår arshjul-2027-innlandet',
      'Avsluttet fredag 30. juni 2028 kl. 16.00. Personopplysningene og filene slettes lørdag 30. juni 2029 (12 måneder etter slutt).',
      'Arkivet er ikke eksportert.',
    ]);
  });

  it('names the run by its name, with its id', () => {
    expect(retentionLines({ runId: 'arshjul-2027-innlandet', title: 'Kultur for læring 2027/2028, Innlandet', endedAt: null, months: 12, purgeAt: null, archivedAt: null, purgedAt: null, summary: null })[0]).toBe(
      'Kultur for læring 2027/2028, Innlandet (arshjul-2027-innlandet)',
    );
  });

  it('tells a run still going that the months start when it ends', () => {
    expect(retentionLines({ runId: 'r', endedAt: null, months: 1, purgeAt: null, archivedAt: ENDED, purgedAt: null, summary: null })).toEqual([
      'Programår r',
      'Programåret er ikke avsluttet. Personopplysningene beholdes i 1 måned etter at det avsluttes.',
      'Arkivet ble sist eksportert fredag 30. juni 2028 kl. 16.00.',
    ]);
  });

  it('tells what a purge kept', () => {
    const summary = { kindergartens: 61, submissionsAccepted: 180, submissionsOnTime: 170, submissionsLate: 10, emailsSent: 1234 };
    expect(retentionLines({ runId: 'r', endedAt: ENDED, months: 12, purgeAt: ENDED, archivedAt: null, purgedAt: ENDED, summary })[2]).toBe(
      'Beholdt: 61 barnehager, 180 godkjente innleveringer (170 i tide, 10 for sent), 1\u00a0234 sendte e-poster.',
    );
    expect(purgeLines([{ runId: 'r', alreadyPurged: false, directoriesRemoved: 200, summary }])).toEqual(['r: personopplysningene slettet; 200 mapper med filer fjernet; beholdt 61 barnehager og 180 innleveringer.']);
    expect(purgeLines([])).toEqual(['Ingen programår har passert oppbevaringstiden.']);
  });

  it('refuses to erase an address a run still going needs, naming the runs and the roles', () => {
    expect(eraseRefusal('kari@solstua.example', [{ runId: 'arshjul-2027-innlandet', roles: ['director', 'participant'] }])).toBe(
      'Opplysningene om kari@solstua.example kan ikke slettes ennå: programåret arshjul-2027-innlandet (styrer og deltaker i kompetansepakken) er i gang og trenger adressen ' +
        'for å sende e-post og ta imot innleveringer. Bytt kontaktperson (arshjul run change-contact), eller vent til programåret er avsluttet; ' +
        'da slettes opplysningene uansett når oppbevaringstiden er ute.',
    );
    expect(eraseRefusal('a@b.example', [{ runId: 'r1', roles: ['municipal-authority'] }, { runId: 'r2', roles: ['reviewer'] }])).toContain('programårene r1 (kontaktperson for barnehagemyndigheten) og r2 (vurderte innleveringer) er i gang');
  });

  it('says so when nothing is held about an address, and counts what an erasure changed', () => {
    expect(personLines({ email: 'x@y.example', roles: [], submissions: [], emails: [], audit: [], accounts: [], drafts: [], devMailboxMessages: 0 })).toEqual(['Opplysninger om x@y.example', 'Årshjul har ingen opplysninger om denne adressen.']);
    const lines = eraseLines('x@y.example', { changed: { kindergartens: 2, email_outbox: 14, users: 0 }, runs: ['r1', 'r2'] });
    expect(lines[0]).toBe('Slettet opplysningene om x@y.example: 16 rader endret i r1 og r2.');
    expect(lines).toContain('  email_outbox: 14');
    expect(lines).not.toContain('  users: 0');
  });

  it('heads the archive index in Norwegian first, then the columns for programs', () => {
    expect(ARCHIVE_INDEX_HEADER.slice(0, 3)).toEqual(['Kvitteringsnummer', 'Barnehage', 'Organisasjonsnummer']);
    expect(ARCHIVE_INDEX_HEADER.slice(-4)).toEqual(['innlevering_id', 'innleveringstype_id', 'mottatt_utc', 'sen']);
  });
});
