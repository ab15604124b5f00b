import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ColumnMapping, identityMapping, ingestMappedFile } from '../../pipelines/index.js';
import { zonedToUtc } from '../../pipelines/sources/time-convert.js';
import { sharedSession } from '../helpers/temp-lake.js';

const HEADER = 'symbol,event_at,price,size,exchange,trade_id,conditions,tape,source';

/** Offset of `zone` at `utcMs`, in minutes (Intl, independent of the code under test). */
function offsetMinutes(zone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(utcMs));
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** Naive wall times every 10 minutes over each day of `year` on which `zone` changes offset. */
function wallTimesAroundChanges(zone: string, year: number): string[] {
  const out: string[] = [];
  for (let day = Date.UTC(year, 0, 1); day < Date.UTC(year + 1, 0, 1); day += 86_400_000) {
    if (offsetMinutes(zone, day) === offsetMinutes(zone, day + 86_400_000)) continue;
    for (let m = -720; m < 2 * 1440; m += 10) {
      out.push(new Date(day + m * 60_000).toISOString().slice(0, 19).replace('T', ' '));
    }
  }
  return out;
}

describe('naive times in a zone: both engines read a wall time the same way around offset changes', () => {
  const shared = sharedSession();

  it('New York: a repeated wall time is its first occurrence, a skipped one takes the offset before', () => {
    expect(zonedToUtc('2024-03-10 02:30:00', 'America/New_York')).toBe('2024-03-10T07:30:00Z');
    expect(zonedToUtc('2024-03-10 01:59:59.999999', 'America/New_York')).toBe('2024-03-10T06:59:59.999999Z');
    expect(zonedToUtc('2024-03-10 03:00:00', 'America/New_York')).toBe('2024-03-10T07:00:00Z');
    expect(zonedToUtc('2024-11-03 01:30:00', 'America/New_York')).toBe('2024-11-03T05:30:00Z');
    expect(zonedToUtc('2024-11-03 02:00:00', 'America/New_York')).toBe('2024-11-03T07:00:00Z');
    expect(zonedToUtc('2024-07-01 09:30:00', 'America/New_York')).toBe('2024-07-01T13:30:00Z');
  });

  // Lord Howe moves by 30 minutes; Apia skipped 30 December 2011 entirely; São Paulo's clocks
  // changed at midnight.
  const cases: Array<[string, number]> = [
    ['America/New_York', 2024],
    ['Europe/London', 2023],
    ['Australia/Lord_Howe', 2024],
    ['Pacific/Apia', 2011],
    ['America/Sao_Paulo', 2018],
  ];
  for (const [zone, year] of cases) {
    it(`${zone} ${year}`, async () => {
      const times = wallTimesAroundChanges(zone, year);
      expect(times.length).toBeGreaterThan(100);
      const file = join(shared.env.dir, `${zone.replace('/', '_')}-${year}.csv`);
      const rows = times.map((t, i) => `AAPL,${t},1,1,P,${i},@,C,tz`);
      await writeFile(file, `${[HEADER, ...rows].join('\n')}\n`);
      const mapping: ColumnMapping = { ...identityMapping('trades', 'csv'), timeZone: zone };
      const got: Record<string, string[]> = {};
      for (const engine of ['sql', 'js'] as const) {
        const r = await ingestMappedFile(shared.session, file, { mapping, engine, force: true });
        expect(r).toMatchObject({ engine, accepted: times.length, quarantined: 0 });
        const batch = await shared.session.all<{ at: string }>(
          `SELECT strftime(event_at, '%Y-%m-%dT%H:%M:%SZ') AS at FROM bronze.trades WHERE batch_id = '${r.batchId}' ORDER BY trade_id::INTEGER`,
        );
        got[engine] = batch.map((b) => b.at);
      }
      expect(got.sql).toEqual(got.js);
      expect(got.js).toEqual(times.map((t) => zonedToUtc(t, zone)));
    }, 60_000);
  }
});
