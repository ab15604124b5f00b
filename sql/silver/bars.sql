-- silver.bars: vendor OHLCV bars, deduplicated, with their market's session date.
-- Grain: one row per source, symbol, interval and bar start. Key: (source, symbol, interval, bar_start_at).
-- Partition: dt (UTC date of bar_start_at, as in bronze).
-- Parameters: input_from, input_to (variables: the bronze dt partitions read).
-- A bar sent again (a vendor correction) replaces the earlier one: the latest ingestion wins.
-- Session date: the bar start's date in the market time zone; a daily bar stamped exactly at
-- midnight UTC (how vendors date daily bars) keeps that UTC date.
-- A symbol without reference data takes its source's market (source_asset_class): Binance klines
-- are crypto, one session per UTC day (or per day from the configured cut), weekends included.
-- is_regular_hours: 09:30-16:00 New York, 13:00 on NYSE early closes (July 3, December 24 and the
-- day after Thanksgiving on trading days, gold.dim_date's rule), as in silver.trades.
with bars as (
    select *
    from bronze.bars
    where dt between getvariable('input_from') and getvariable('input_to')
),

refs as (
    select symbol, valid_from, asset_class, market_timezone from silver.symbol_refs
),

latest as (
    select *
    from bars
    qualify row_number() over (
        partition by source, symbol, interval, bar_start_at order by ingested_at desc, batch_id desc
    ) = 1
),

with_market as (
    select
        b.*,
        coalesce(r.asset_class, source_asset_class(b.source)) as asset_class,
        coalesce(r.market_timezone, asset_class_timezone(source_asset_class(b.source))) as market_timezone
    from latest as b
    asof left join refs as r
        on b.symbol = r.symbol and b.dt >= r.valid_from
),

localized as (
    select *, market_local_time(market_timezone, bar_start_at) as local_at
    from with_market
),

final as (
    select
        symbol,
        bar_start_at,
        interval,
        open,
        high,
        low,
        close,
        volume,
        vwap,
        trade_count,
        source,
        asset_class,
        market_timezone,
        case
            when interval = '1d' and cast(timezone('UTC', bar_start_at) as time) = time '00:00:00'
                then cast(timezone('UTC', bar_start_at) as date)
            else market_session_date(asset_class, local_at)
        end as session_date,
        asset_class = 'crypto'
        or interval = '1d'
        or nyse_regular_session(local_at) as is_regular_hours,
        batch_id,
        ingested_at,
        dt
    from localized
)

select * from final
