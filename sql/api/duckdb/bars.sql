-- API GET /api/v1/bars/{symbol}: one symbol's bars of one interval, oldest first.
-- Grain: one row per bar. Keyset pagination on bar_start_at (after_at: strictly after the cursor).
-- Parameters: symbol, bar_interval, from_date, to_date (session dates, inclusive), from_at, to_at
-- (instants: from inclusive, to exclusive), after_at, row_limit. Unused bounds get wide sentinels.
select
    symbol,
    interval,
    cast(session_date as varchar) as session_date,
    strftime(bar_start_at, '%Y-%m-%dT%H:%M:%SZ') as bar_start_at,
    open,
    high,
    low,
    close,
    volume,
    vwap,
    cast(trade_count as double) as trade_count
from gold.fact_bars
where symbol = $symbol
    and interval = $bar_interval
    and session_date between cast($from_date as date) and cast($to_date as date)
    and bar_start_at >= cast($from_at as timestamptz)
    and bar_start_at < cast($to_at as timestamptz)
    and bar_start_at > cast($after_at as timestamptz)
order by bar_start_at
limit $row_limit
