-- silver.trades: trades deduplicated, with their market's session date and regular-hours flag.
-- Grain: one row per trade. Key: (source, symbol, trade_id) where the source gives ids.
-- Partition: dt (UTC event date).
-- Trades without an id are never deduplicated by content (identical prints are separate trades);
-- a batch ingested twice is stopped at ingestion by its content hash.
-- Symbols without reference data are treated as US equities (New York hours).
with trades as (
    select * from bronze.trades
),

refs as (
    select symbol, valid_from, asset_class, market_timezone from silver.symbol_refs
),

with_ids as (
    select *
    from trades
    where trade_id is not null
    qualify row_number() over (
        partition by source, symbol, trade_id order by ingested_at desc, batch_id desc
    ) = 1
),

deduplicated as (
    select * from with_ids
    union all
    select * from trades where trade_id is null
),

with_market as (
    select
        t.*,
        coalesce(r.asset_class, 'us_equity') as asset_class,
        coalesce(r.market_timezone, 'America/New_York') as market_timezone
    from deduplicated as t
    asof left join refs as r
        on t.symbol = r.symbol and t.dt >= r.valid_from
),

localized as (
    select *, timezone(market_timezone, event_at) as local_at
    from with_market
),

final as (
    select
        symbol,
        event_at,
        price,
        size,
        exchange,
        trade_id,
        conditions,
        tape,
        source,
        asset_class,
        market_timezone,
        cast(local_at as date) as session_date,
        asset_class = 'crypto'
        or (
            isodow(local_at) <= 5
            and cast(local_at as time) >= time '09:30:00'
            and cast(local_at as time) < time '16:00:00'
        ) as is_regular_hours,
        batch_id,
        ingested_at,
        dt
    from localized
)

select * from final
