-- API GET /api/v1/market-summary on the serving database (schema gold): as
-- sql/api/duckdb/market_summary.sql.
with session as (
    select max(session_date) as session_date
    from gold.fact_daily_market
    where cast($session_date as text) = '' or session_date = cast(nullif($session_date, '') as date)
),

spark as (
    select b.symbol, array_agg(b.close order by b.bar_start_at) as sparkline
    from gold.fact_bars as b
    inner join session as s on b.session_date = s.session_date
    where b."interval" = '15m' and b.close is not null
    group by b.symbol
)

select
    m.symbol,
    to_char(m.session_date, 'YYYY-MM-DD') as session_date,
    m.close as last,
    m.previous_close,
    m.close - m.previous_close as change,
    m.close / nullif(m.previous_close, 0) - 1 as change_pct,
    m.volume,
    cast(m.trade_count as double precision) as trade_count,
    m.realized_vol,
    coalesce(sp.sparkline, array[]::double precision[]) as sparkline
from gold.fact_daily_market as m
inner join session as s on m.session_date = s.session_date
left join spark as sp on m.symbol = sp.symbol
order by m.symbol
