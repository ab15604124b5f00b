import { tableRef } from '../layers/index.js';
import { notNull, rowRule, uniqueKey } from './checks.js';
import { byPartition, type ModelDefinition } from './model.js';

const ref = { ...tableRef('gold', 'fact_alerts'), layer: 'gold' as const };

/** The alert rules of gold.fact_alerts with their thresholds (the SQL holds the same numbers). */
export const ALERT_RULES = Object.freeze({
  price_move_1m: 0.05,
  volume_spike: 3,
  high_low_swing_1m: 0.02,
});

export const factAlerts: ModelDefinition = {
  ref,
  description:
    '1-minute anomalies: price move > 5% from the previous bar, volume > 3 sigma above the trailing 30-bar mean, high-low swing > 2%',
  grain: 'one row per symbol per 1m bar per rule that fired',
  uniqueKey: ['symbol', 'bar_start_at', 'rule'],
  partitionColumn: 'session_date',
  incremental: byPartition(0, 0),
  columns: [
    { name: 'symbol', description: 'Ticker or pair' },
    { name: 'session_date', description: 'Trading session date (partition)' },
    { name: 'bar_start_at', description: 'Start of the 1m bar that fired (UTC)' },
    { name: 'rule', description: 'price_move_1m, volume_spike or high_low_swing_1m' },
    { name: 'threshold', description: 'The rule threshold (fraction, or sigmas for volume_spike)' },
    { name: 'observed_value', description: 'What was seen: |move|, z-score of volume, or high/low - 1' },
    { name: 'previous_close', description: 'Close of the previous 1m bar in the session (or the open)' },
    { name: 'trailing_mean_volume', description: 'Mean volume of the previous 30 bars of the session' },
    { name: 'trailing_std_volume', description: 'Their sample standard deviation' },
  ],
  checks: [
    uniqueKey(ref, ['symbol', 'bar_start_at', 'rule']),
    notNull(ref, ['symbol', 'bar_start_at', 'rule', 'threshold', 'observed_value']),
    rowRule(ref, 'exceeds_threshold', 'observed_value > threshold', 'every alert is above its threshold'),
  ],
};
