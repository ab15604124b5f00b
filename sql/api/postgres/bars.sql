-- API GET /api/v1/bars/{symbol} on the serving database (schema gold): as sql/api/duckdb/bars.sql.
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
    cast(trade_count as double precision) as trade_count
from gold.fact_bars
where symbol = $symbol
    and "interval" = $bar_interval
    and session_date between cast($from_date as date) and cast($to_date as date)
    and bar_start_at >= cast($from_at as timestamptz)
    and bar_start_at < cast($to_at as timestamptz)
    and bar_start_at > cast($after_at as timestamptz)
order by bar_start_at
limit cast($row_limit as integer)
