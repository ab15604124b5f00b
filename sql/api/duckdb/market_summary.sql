-- API GET /api/v1/market-summary: one row per symbol for one session (the latest when
-- session_date is ''): last price, change against the previous session, volume, realized
-- volatility, and the session's 15-minute closes as a sparkline.
-- Parameters: session_date ('' = latest).
with session as (
    select max(session_date) as session_date
    from gold.fact_daily_market
    where $session_date = '' or session_date = cast(nullif($session_date, '') as date)
),

spark as (
    select b.symbol, list(b.close order by b.bar_start_at) as sparkline
    from gold.fact_bars as b
    inner join session as s on b.session_date = s.session_date
    where b.interval = '15m' and b.close is not null
    group by b.symbol
)

select
    m.symbol,
    cast(m.session_date as varchar) as session_date,
    m.close as last,
    m.previous_close,
    m.close - m.previous_close as change,
    m.close / m.previous_close - 1 as change_pct,
    m.volume,
    cast(m.trade_count as double) as trade_count,
    m.realized_vol,
    coalesce(sp.sparkline, []) as sparkline
from gold.fact_daily_market as m
inner join session as s on m.session_date = s.session_date
left join spark as sp on m.symbol = sp.symbol
order by m.symbol
