-- gold.fact_alerts: anomalies per symbol and minute, from the 1m bars.
-- Grain: one row per symbol per 1m bar per rule that fired. Key: (symbol, bar_start_at, rule).
-- Partition: session_date.
-- Parameters: input_from, input_to (variables: the fact_bars session_date partitions read; every
-- rule looks only inside one session).
-- Rules (a streaming implementation must compute the same):
--   price_move_1m: |close / previous 1m bar's close - 1| > 0.05; the previous bar is the symbol's
--     preceding 1m bar in the same session (the bar's own open for the session's first bar).
--   volume_spike: volume > mean + 3 standard deviations (sample) of the previous 30 1m bars of the
--     same session, once at least 10 such bars exist; observed_value is the z-score.
--   high_low_swing_1m: high / low - 1 > 0.02 within the bar.
with bars as (
    select *
    from gold.fact_bars
    where session_date between getvariable('input_from') and getvariable('input_to')
        and interval = '1m'
),

features as (
    select
        *,
        coalesce(lag(close) over by_session, open) as previous_close,
        avg(volume) over trailing_window as trailing_mean_volume,
        stddev_samp(volume) over trailing_window as trailing_std_volume,
        count(volume) over trailing_window as trailing_bars
    from bars
    window
        by_session as (partition by symbol, session_date order by bar_start_at),
        trailing_window as (
            partition by symbol, session_date order by bar_start_at
            rows between 30 preceding and 1 preceding
        )
),

candidates as (
    select
        *,
        'price_move_1m' as rule,
        0.05 as threshold,
        abs(close / previous_close - 1) as observed_value,
        abs(close / previous_close - 1) > 0.05 as fired
    from features
    union all
    select
        *,
        'volume_spike' as rule,
        3.0 as threshold,
        (volume - trailing_mean_volume) / nullif(trailing_std_volume, 0) as observed_value,
        trailing_bars >= 10 and volume > trailing_mean_volume + 3 * trailing_std_volume as fired
    from features
    union all
    select
        *,
        'high_low_swing_1m' as rule,
        0.02 as threshold,
        high / low - 1 as observed_value,
        high / low - 1 > 0.02 as fired
    from features
),

final as (
    select
        symbol,
        symbol_key,
        date_key,
        session_date,
        bar_start_at,
        rule,
        cast(threshold as double) as threshold,
        observed_value,
        open,
        high,
        low,
        close,
        previous_close,
        volume,
        trailing_mean_volume,
        trailing_std_volume
    from candidates
    where fired
)

select * from final
