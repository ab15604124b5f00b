-- gold.fact_sentiment_volatility: does a day's sentiment go with the next session's volatility?
-- Grain: one row per symbol per session_date with sentiment. Key: (symbol, session_date).
-- Partition: session_date (day t, the sentiment day).
-- Parameters: input_from, input_to (variables: session_date partitions read; the window reaches 29
-- days back and the next session up to 5 days ahead).
-- next_realized_vol: realized volatility of the first session after day t, within 5 calendar days
-- (a weekend or holiday in between is fine; a longer gap leaves it null).
-- rolling_corr_30d: Pearson correlation of mean_sentiment (day t) with next_realized_vol over the
-- symbol's days in the trailing 30 calendar days (t - 29 .. t); null under 5 pairs.
with sentiment as (
    select *
    from gold.fact_daily_sentiment
    where session_date between getvariable('input_from') and getvariable('input_to')
),

market as (
    select symbol, session_date, realized_vol, log_return
    from gold.fact_daily_market
    where session_date between getvariable('input_from') and getvariable('input_to')
),

with_next as (
    select
        s.symbol,
        s.symbol_key,
        s.date_key,
        s.session_date,
        s.post_count,
        s.mean_sentiment,
        s.weighted_sentiment,
        case when n.session_date <= s.session_date + 5 then n.session_date end as next_session_date,
        case when n.session_date <= s.session_date + 5 then n.realized_vol end as next_realized_vol,
        case when n.session_date <= s.session_date + 5 then n.log_return end as next_log_return
    from sentiment as s
    asof left join market as n
        on s.symbol = n.symbol and n.session_date > s.session_date
),

with_same_day as (
    select w.*, m.realized_vol
    from with_next as w
    left join market as m on w.symbol = m.symbol and w.session_date = m.session_date
),

rolling as (
    select
        *,
        count(next_realized_vol) filter (where mean_sentiment is not null) over trailing_window as rolling_pairs,
        corr(next_realized_vol, mean_sentiment) over trailing_window as rolling_corr
    from with_same_day
    window trailing_window as (
        partition by symbol order by session_date
        range between interval 29 day preceding and current row
    )
),

final as (
    select
        symbol,
        symbol_key,
        date_key,
        session_date,
        post_count,
        mean_sentiment,
        weighted_sentiment,
        realized_vol,
        next_session_date,
        next_realized_vol,
        next_log_return,
        rolling_pairs,
        case when rolling_pairs >= 5 then rolling_corr end as rolling_corr_30d
    from rolling
)

select * from final
