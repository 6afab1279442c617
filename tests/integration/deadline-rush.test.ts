import { type DeadlineRushResult, deadlineRush } from '../../bench/b7-rush';

jest.setTimeout(150_000);

/**
 * Bench B7's deadline rush at a small size (issue 15, point 5): 40 directors upload through their personal links from
 * 10 curl clients to the API process while their kindergartens' deadline passes. Each upload is judged by when the
 * API stored it, not by when its answer came, and none is lost, stored twice or left without its receipt.
 */
describe('a rush of uploads around the deadline', () => {
  let rush: DeadlineRushResult;

  beforeAll(async () => {
    rush = await deadlineRush({
      label: 'rush',
      uploads: 40,
      clients: 10,
      minBytes: 100_000,
      maxBytes: 300_000,
      rushMs: 12_000,
      startupMs: 8_000,
      log: (line) => process.stdout.write(`${line}\n`),
    });
  });

  it('puts the deadline inside the rush: some uploads stored before it, some after', () => {
    expect(rush.uploads).toHaveLength(40);
    expect(rush.onTime).toBeGreaterThan(0);
    expect(rush.late).toBeGreaterThan(0);
    expect(rush.onTime + rush.late).toBe(40);
  });

  it('stores every upload exactly once, accepted with the file as sent, and answers each with its receipt page and email', () => {
    const wrong = rush.uploads.filter((u) => u.lost || u.duplicated || u.withoutReceipt).map((u) => `${u.orgnr}: ${u.problems.join('; ')}`);
    expect(wrong).toEqual([]);
    expect(rush.uploads.every((u) => u.status === 200 && /^AH-\d{6,}$/.test(u.receiptNumber ?? ''))).toBe(true);
    expect(new Set(rush.uploads.map((u) => u.receiptNumber)).size).toBe(40);
  });

  it('judges every upload late exactly when the API stored it after the deadline, wherever the verdict is shown', () => {
    const misjudged = rush.uploads.filter((u) => u.misjudged).map((u) => `${u.orgnr}: ${u.problems.join('; ')}`);
    expect(misjudged).toEqual([]);
    for (const u of rush.uploads) expect({ orgnr: u.orgnr, late: u.late }).toEqual({ orgnr: u.orgnr, late: (u.receivedAt as number) > rush.deadline });
    // Whoever had the receipt before the deadline is on time; an upload stored in time is on time however late its answer.
    expect(rush.uploads.filter((u) => u.answeredAt < rush.deadline && u.late)).toEqual([]);
  });
});
