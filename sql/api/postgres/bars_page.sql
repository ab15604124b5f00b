-- API GET /api/v1/bars/{symbol} on the serving database (schema gold): as
-- sql/api/duckdb/bars_page.sql, the page built as one JSON array by PostgreSQL.
with bars as (
    select
        symbol,
        "interval",
        to_char(session_date, 'YYYY-MM-DD') as session_date,
        to_char(bar_start_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as bar_start_at,
        open,
        high,
        low,
        close,
        volume,
        vwap,
        cast(trade_count as double precision) as trade_count,
        row_number() over (order by bar_start_at) as n
    from gold.fact_bars
    where symbol = $symbol
        and "interval" = $bar_interval
        and session_date between cast($from_date as date) and cast($to_date as date)
        and bar_start_at >= cast($from_at as timestamptz)
        and bar_start_at < cast($to_at as timestamptz)
        and bar_start_at > cast($after_at as timestamptz)
    order by bar_start_at
    limit cast($row_limit as integer) + 1
)

select
    coalesce(json_agg(json_build_object(
        'symbol', symbol,
        'interval', "interval",
        'session_date', session_date,
        'bar_start_at', bar_start_at,
        'open', open,
        'high', high,
        'low', low,
        'close', close,
        'volume', volume,
        'vwap', vwap,
        'trade_count', trade_count
    ) order by n) filter (where n <= cast($row_limit as integer)), '[]'::json)::text as data_json,
    cast(count(*) filter (where n <= cast($row_limit as integer)) as integer) as row_count,
    count(*) > cast($row_limit as integer) as has_more,
    max(bar_start_at) filter (where n <= cast($row_limit as integer)) as last_bar_start_at
from bars
