import { type LakeSession, readSqlFile, statementOf } from '../layers/index.js';
import type { PrintEligibility } from './live-windows.js';

interface RuleRow {
  cta_code: string | null;
  utp_code: string | null;
  updates_open_close: boolean;
  updates_high_low: boolean;
  updates_volume: boolean;
  extended_updates_open_close: boolean;
  extended_updates_high_low: boolean;
}

type Flags = Omit<RuleRow, 'cta_code' | 'utp_code'>;

const ALL: PrintEligibility = { updatesOpenClose: true, updatesHighLow: true, updatesVolume: true };

/**
 * Sale-condition eligibility of a print, read from the one eligibility table (sql/silver/
 * sale_conditions.sql, rule set `consolidated`, run once in DuckDB) with the CTA/UTP letters the
 * Alpaca feed and the simulator send (tape C: UTP letters, else CTA). As in silver.trades, a
 * print updates a figure only if every known condition allows it, unknown letters are ignored,
 * and a print without a known condition counts everywhere; outside the regular session the
 * `extended_*` columns decide open/close and high/low.
 */
export class EligibilityTable {
  private readonly cache = new Map<string, PrintEligibility>();

  private constructor(
    private readonly cta: Map<string, Flags>,
    private readonly utp: Map<string, Flags>,
  ) {}

  static async load(session: LakeSession): Promise<EligibilityTable> {
    const sql = statementOf(readSqlFile('silver/sale_conditions.sql'));
    const rows = await session.all<RuleRow>(
      `SELECT cta_code, utp_code, updates_open_close, updates_high_low, updates_volume, extended_updates_open_close, extended_updates_high_low FROM (${sql}) WHERE rule_set = 'consolidated'`,
    );
    const cta = new Map<string, Flags>();
    const utp = new Map<string, Flags>();
    for (const r of rows) {
      if (r.cta_code) cta.set(r.cta_code, r);
      if (r.utp_code) utp.set(r.utp_code, r);
    }
    return new EligibilityTable(cta, utp);
  }

  /** Eligibility of a print with these conditions on this tape, in or outside the regular session. */
  of(
    conditions: readonly string[] | null | undefined,
    tape: string | null | undefined,
    regular: boolean,
  ): PrintEligibility {
    if (!conditions || conditions.length === 0) return ALL;
    const key = `${tape ?? ''}|${regular ? 1 : 0}|${conditions.join('\u0000')}`;
    let e = this.cache.get(key);
    if (e) return e;
    const letters = tape === 'C' ? this.utp : this.cta;
    const known = conditions.map((c) => letters.get(c)).filter((r): r is Flags => r !== undefined);
    e = known.length
      ? {
          updatesOpenClose: known.every((r) =>
            regular ? r.updates_open_close : r.extended_updates_open_close,
          ),
          updatesHighLow: known.every((r) => (regular ? r.updates_high_low : r.extended_updates_high_low)),
          updatesVolume: known.every((r) => r.updates_volume),
        }
      : ALL;
    this.cache.set(key, e);
    return e;
  }
}

const nyDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The New York session date and whether the minute lies in 09:30-16:00 (cached per minute). */
export class NewYorkClock {
  private readonly cache = new Map<number, { date: string; regular: boolean }>();

  at(micros: number): { date: string; regular: boolean } {
    const minute = Math.floor(micros / 60_000_000);
    let hit = this.cache.get(minute);
    if (!hit) {
      const parts = Object.fromEntries(
        nyDate.formatToParts(new Date(minute * 60_000)).map((p) => [p.type, p.value]),
      );
      const hm = Number(parts.hour) * 60 + Number(parts.minute);
      const weekday = new Date(`${parts.year}-${parts.month}-${parts.day}T00:00:00Z`).getUTCDay();
      hit = {
        date: `${parts.year}-${parts.month}-${parts.day}`,
        regular: weekday >= 1 && weekday <= 5 && hm >= 570 && hm < 960,
      };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(minute, hit);
    }
    return hit;
  }
}
