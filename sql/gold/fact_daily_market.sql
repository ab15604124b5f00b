-- gold.fact_daily_market: daily returns, volatility and volume per symbol and trading session.
-- Grain: one row per symbol per session_date (sessions with a 1d bar). Key: (symbol, session_date).
-- Partition: session_date.
-- Parameters: input_from, input_to (variables: the fact_bars session_date partitions read; the
-- previous close is looked for up to 7 days back).
-- log_return: ln(close / previous session close), previous session within 7 calendar days.
-- realized_vol: sqrt of the sum of squared 1m close-to-close log returns inside the regular
--   session (bars from the 1d bar's start to 390 minutes later for US equities, 210 on NYSE early
--   closes (July 3, December 24, the day after Thanksgiving: gold.dim_date's rule), the UTC day for
--   crypto); not annualised. n_intraday_returns counts them. A minute whose prints set no price
--   (null close: gold.fact_bars' sale-condition eligibility) is stepped over, not a broken return.
-- parkinson_vol: sqrt(ln(H/L)^2 / (4 ln 2)); garman_klass_vol: sqrt(0.5 ln(H/L)^2 -
--   (2 ln 2 - 1) ln(C/O)^2), both from the 1d bar, not annualised.
-- volume and dollar_volume (vwap x volume) are the regular session's.
-- Sums of squares run in bar order, so a rerun gives the same figures to the last bit.
with bars as (
    select *
    from gold.fact_bars
    where session_date between getvariable('input_from') and getvariable('input_to')
),

symbols as (
    select symbol_key, asset_class from gold.dim_symbol
),

daily as (
    select b.*, coalesce(s.asset_class, 'us_equity') as asset_class
    from bars as b
    left join symbols as s on b.symbol_key = s.symbol_key
    where b.interval = '1d'
),

minutes as (
    select
        m.symbol,
        m.session_date,
        m.bar_start_at,
        ln(m.close / lag(m.close) over (partition by m.symbol, m.session_date order by m.bar_start_at))
            as log_return_1m
    from bars as m
    join daily as d
        on m.symbol = d.symbol
        and m.session_date = d.session_date
        and m.bar_start_at >= d.bar_start_at
        and m.bar_start_at < d.bar_start_at
            + case
                when d.asset_class = 'crypto' then interval 1440 minute
                when (month(d.session_date) = 7 and day(d.session_date) = 3)
                    or (month(d.session_date) = 12 and day(d.session_date) = 24)
                    or (month(d.session_date) = 11 and isodow(d.session_date) = 5 and day(d.session_date) between 23 and 29)
                    then interval 210 minute
                else interval 390 minute
            end
    where m.interval = '1m' and m.close is not null
),

intraday as (
    select
        symbol,
        session_date,
        sqrt(sum(log_return_1m * log_return_1m order by bar_start_at)) as realized_vol,
        count(log_return_1m) as n_intraday_returns
    from minutes
    group by symbol, session_date
),

with_previous as (
    select
        *,
        last_value(close) over (
            partition by symbol order by session_date
            range between interval 7 day preceding and interval 1 day preceding
        ) as previous_close
    from daily
),

final as (
    select
        d.symbol,
        d.symbol_key,
        d.date_key,
        d.session_date,
        d.open,
        d.high,
        d.low,
        d.close,
        d.previous_close,
        ln(d.close / d.previous_close) as log_return,
        coalesce(i.realized_vol, 0) as realized_vol,
        coalesce(i.n_intraday_returns, 0) as n_intraday_returns,
        sqrt(pow(ln(d.high / d.low), 2) / (4 * ln(2))) as parkinson_vol,
        sqrt(greatest(
            0.5 * pow(ln(d.high / d.low), 2) - (2 * ln(2) - 1) * pow(ln(d.close / d.open), 2), 0
        )) as garman_klass_vol,
        d.volume,
        d.vwap * d.volume as dollar_volume,
        d.trade_count
    from with_previous as d
    left join intraday as i on d.symbol = i.symbol and d.session_date = i.session_date
)

select * from final
