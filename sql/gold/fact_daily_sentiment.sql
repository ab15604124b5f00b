-- gold.fact_daily_sentiment: how a symbol was talked about on each day.
-- Grain: one row per symbol per session_date with at least one post. Key: (symbol, session_date).
-- Partition: session_date (the post's date in the symbol's market time zone).
-- Parameters: input_from, input_to (variables: the silver.sentiment_posts dt partitions read; a New
-- York date spans UTC dt and dt + 1).
-- A post counts for every symbol it was matched to. mean_sentiment is the plain mean of the
-- scores; weighted_sentiment weighs each by 1 + its upvotes (negative upvotes count as 0), so
-- unvoted posts still count; bullish/bearish shares use VADER's cut-offs (>= 0.05, <= -0.05).
-- Sums run as DECIMAL so a rerun gives the same figures to the last bit.
with posts as (
    select *
    from silver.sentiment_posts
    where dt between getvariable('input_from') and getvariable('input_to')
),

symbols as (
    select symbol_key, symbol, valid_from, market_timezone from gold.dim_symbol
),

mentions as (
    select
        p.post_id,
        p.source,
        p.created_at,
        s.symbol,
        cast(p.sentiment_score as decimal(38, 12)) as sentiment,
        cast(1 + greatest(coalesce(p.score, 0), 0) as decimal(38, 12)) as weight,
        greatest(coalesce(p.score, 0), 0) as upvotes
    from posts as p, unnest(p.symbols) as s(symbol)
),

localized as (
    select
        m.*,
        s.symbol_key,
        cast(timezone(coalesce(s.market_timezone, 'America/New_York'), m.created_at) as date) as session_date
    from mentions as m
    asof left join symbols as s
        on m.symbol = s.symbol and cast(m.created_at as date) >= s.valid_from
),

final as (
    select
        symbol,
        any_value(symbol_key order by symbol_key) as symbol_key,
        cast(year(session_date) * 10000 + month(session_date) * 100 + day(session_date) as integer) as date_key,
        session_date,
        count(*) as post_count,
        count(sentiment) as scored_count,
        cast(sum(sentiment) / nullif(count(sentiment), 0) as double) as mean_sentiment,
        cast(sum(sentiment * weight) / nullif(sum(weight) filter (where sentiment is not null), 0) as double)
            as weighted_sentiment,
        cast(count(*) filter (where sentiment >= 0.05) as double) / nullif(count(sentiment), 0) as bullish_share,
        cast(count(*) filter (where sentiment <= -0.05) as double) / nullif(count(sentiment), 0) as bearish_share,
        cast(sum(upvotes) as bigint) as total_upvotes
    from localized
    group by symbol, session_date
)

select * from final
