-- API GET /api/v1/alerts on the serving database (schema gold): as sql/api/duckdb/alerts.sql.
select
    symbol,
    to_char(session_date, 'YYYY-MM-DD') as session_date,
    to_char(bar_start_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as bar_start_at,
    rule,
    threshold,
    observed_value,
    open,
    high,
    low,
    close,
    volume
from gold.fact_alerts
where (cast($symbol as text) = '' or symbol = $symbol)
    and (cast($rule as text) = '' or rule = $rule)
    and bar_start_at >= cast($since as timestamptz)
order by bar_start_at desc, symbol, rule
limit cast($row_limit as integer)
