-- API GET /api/v1/bars/{symbol}: one page of a symbol's bars of one interval, oldest first, as one
-- JSON array built by DuckDB (no per-row conversion in JavaScript).
-- Grain: one row (the page). Keyset pagination on bar_start_at (after_at: strictly after the cursor);
-- one row past the page is read to tell whether another page follows.
-- Parameters: symbol, bar_interval, from_date, to_date (session dates, inclusive), from_at, to_at
-- (instants: from inclusive, to exclusive), after_at, row_limit. Unused bounds get wide sentinels.
with bars as (
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
        cast(trade_count as double) as trade_count,
        row_number() over (order by bar_start_at) as n
    from gold.fact_bars
    where symbol = $symbol
        and interval = $bar_interval
        and session_date between cast($from_date as date) and cast($to_date as date)
        and bar_start_at >= cast($from_at as timestamptz)
        and bar_start_at < cast($to_at as timestamptz)
        and bar_start_at > cast($after_at as timestamptz)
    order by bar_start_at
    limit $row_limit + 1
)

select
    cast(coalesce(to_json(list({
        'symbol': symbol,
        'interval': interval,
        'session_date': session_date,
        'bar_start_at': bar_start_at,
        'open': open,
        'high': high,
        'low': low,
        'close': close,
        'volume': volume,
        'vwap': vwap,
        'trade_count': trade_count
    } order by n) filter (where n <= $row_limit)), '[]') as varchar) as data_json,
    cast(count(*) filter (where n <= $row_limit) as integer) as row_count,
    count(*) > $row_limit as has_more,
    max(bar_start_at) filter (where n <= $row_limit) as last_bar_start_at
from bars
