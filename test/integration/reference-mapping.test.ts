import { describe, expect, it } from 'vitest';
import { UsageError } from '../../layers/index.js';
import { ingestFile } from '../../pipelines/index.js';
import { sharedSession } from '../helpers/temp-lake.js';

/**
 * Vendor adapters: a `--map` constant that breaks its field's rule fails before the file is read,
 * and the batch key includes how the file was read (format, constants, contract), so the same
 * real Alpaca REST body read with another constant is a new batch while a rerun is a duplicate.
 */
const TRADES = '../shared/data/vendor-wire-fixtures/alpaca/alpaca-trade-api-go_testdata_trades.json.gz';

describe('vendor formats: constants checked up front, batch identity includes how the file was read', () => {
  const shared = sharedSession();

  it('a bad constant is a UsageError and writes nothing; the corrected one ingests; a rerun is a duplicate', async () => {
    const { session } = shared;
    await expect(
      ingestFile(session, 'trades', TRADES, { format: 'alpaca', map: "source='Alpaca SIP'" }),
    ).rejects.toThrow(UsageError);
    await expect(
      ingestFile(session, 'trades', TRADES, { format: 'alpaca', map: "source='Alpaca SIP'" }),
    ).rejects.toThrow(
      /constant source='Alpaca SIP': .*source must be a lower-case name.*nothing was written/,
    );
    const first = await ingestFile(session, 'trades', TRADES, {
      format: 'alpaca',
      map: "source='alpaca-sip'",
    });
    expect(first).toMatchObject({ read: 5, accepted: 5, quarantined: 0, duplicateBatch: false });
    const again = await ingestFile(session, 'trades', TRADES, {
      format: 'alpaca',
      map: "source='alpaca-sip'",
    });
    expect(again.duplicateBatch).toBe(true);
    const other = await ingestFile(session, 'trades', TRADES, {
      format: 'alpaca',
      map: "source='alpaca-iex'",
    });
    expect(other).toMatchObject({ accepted: 5, duplicateBatch: false });
    expect(
      await session.all(
        'SELECT source, count(*)::INTEGER AS n FROM bronze.trades GROUP BY source ORDER BY source',
      ),
    ).toEqual([
      { source: 'alpaca-iex', n: 5 },
      { source: 'alpaca-sip', n: 5 },
    ]);
  });
});
