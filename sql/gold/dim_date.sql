-- gold.dim_date: calendar covering every whole year that has trades.
-- Grain: one row per calendar day. Key: date_key (yyyymmdd). Unpartitioned.
-- is_nyse_trading_day is weekdays only for now: exchange holidays are not applied yet.
with sessions as (
    select session_date from silver.trades
),

bounds as (
    select
        make_date(year(min(session_date)), 1, 1) as first_date,
        make_date(year(max(session_date)), 12, 31) as last_date
    from sessions
    having count(*) > 0
),

days as (
    select cast(unnest(generate_series(first_date, last_date, interval 1 day)) as date) as date
    from bounds
),

final as (
    select
        cast(year(date) * 10000 + month(date) * 100 + day(date) as integer) as date_key,
        date,
        cast(year(date) as integer) as year,
        cast(quarter(date) as integer) as quarter,
        cast(month(date) as integer) as month,
        cast(day(date) as integer) as day,
        cast(isodow(date) as integer) as day_of_week,
        dayname(date) as day_name,
        cast(weekofyear(date) as integer) as iso_week,
        isodow(date) >= 6 as is_weekend,
        isodow(date) <= 5 as is_nyse_trading_day,
        true as is_crypto_trading_day
    from days
)

select * from final
