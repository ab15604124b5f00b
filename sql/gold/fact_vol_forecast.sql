-- gold.fact_vol_forecast: the inputs of the next-session volatility forecasts (a TypeScript step
-- fits EWMA and HAR-RV on what this query selects: least squares refitted daily).
-- Grain: one row per symbol per session_date (the forecast origin: data through its close).
-- Key: (symbol, session_date). Partition: session_date.
-- Parameters: input_from, input_to (variables: the session_date partitions read; a forecast reads
-- up to 420 calendar days back and nothing after its own session).
-- daily_variance: Parkinson's range variance ln(H/L)^2 / (4 ln 2) of the regular-session bar
--   (parkinson_vol squared): comparable across data with or without 1m bars.
-- mean_sentiment / post_count: that session date's posts about the symbol (0 posts when none).
with market as (
    select symbol, symbol_key, date_key, session_date, parkinson_vol
    from gold.fact_daily_market
    where session_date between getvariable('input_from') and getvariable('input_to')
),

sentiment as (
    select symbol, session_date, mean_sentiment, post_count
    from gold.fact_daily_sentiment
    where session_date between getvariable('input_from') and getvariable('input_to')
),

final as (
    select
        m.symbol,
        m.symbol_key,
        m.date_key,
        cast(m.session_date as varchar) as session_date,
        m.parkinson_vol * m.parkinson_vol as daily_variance,
        coalesce(s.mean_sentiment, 0) as mean_sentiment,
        coalesce(s.post_count, 0) as post_count
    from market as m
    left join sentiment as s on m.symbol = s.symbol and m.session_date = s.session_date
    where isfinite(m.parkinson_vol)
    order by m.symbol, m.session_date
)

select * from final
