-- API GET /api/v1/alerts: the newest alerts first, optionally of one symbol and one rule.
-- Grain: one row per alert (symbol, bar_start_at, rule). Parameters: symbol and rule ('' = any),
-- since (instant, inclusive), row_limit.
select
    symbol,
    cast(session_date as varchar) as session_date,
    strftime(bar_start_at, '%Y-%m-%dT%H:%M:%SZ') as bar_start_at,
    rule,
    threshold,
    observed_value,
    open,
    high,
    low,
    close,
    volume
from gold.fact_alerts
where ($symbol = '' or symbol = $symbol)
    and ($rule = '' or rule = $rule)
    and bar_start_at >= cast($since as timestamptz)
order by bar_start_at desc, symbol, rule
limit $row_limit
