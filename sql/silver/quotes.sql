-- silver.quotes: top-of-book quotes with their market's session date, spread and crossed/locked flags.
-- Grain: one row per quote as received (quotes have no ids; identical quotes are separate updates,
-- and a batch ingested twice is stopped at ingestion by its content hash).
-- Key: none unique by content; (source, symbol, event_at, batch_id) locates a quote.
-- Partition: dt (UTC event date).
-- Parameters: input_from, input_to (variables: the bronze dt partitions read).
-- Crossed (ask < bid) and locked (ask = bid) quotes are kept and flagged, never dropped.
with quotes as (
    select *
    from bronze.quotes
    where dt between getvariable('input_from') and getvariable('input_to')
),

refs as (
    select symbol, valid_from, asset_class, market_timezone from silver.symbol_refs
),

with_market as (
    select
        q.*,
        coalesce(r.asset_class, source_asset_class(q.source)) as asset_class,
        coalesce(r.market_timezone, asset_class_timezone(source_asset_class(q.source))) as market_timezone
    from quotes as q
    asof left join refs as r
        on q.symbol = r.symbol and q.dt >= r.valid_from
),

localized as (
    select *, market_local_time(market_timezone, event_at) as local_at
    from with_market
),

final as (
    select
        symbol,
        event_at,
        bid_price,
        bid_size,
        ask_price,
        ask_size,
        bid_exchange,
        ask_exchange,
        conditions,
        tape,
        source,
        asset_class,
        market_timezone,
        market_session_date(asset_class, local_at) as session_date,
        asset_class = 'crypto'
        or nyse_regular_session(local_at) as is_regular_hours,
        (bid_price + ask_price) / 2 as mid_price,
        ask_price - bid_price as spread,
        case
            when bid_price + ask_price > 0 then (ask_price - bid_price) / ((bid_price + ask_price) / 2) * 10000
        end as spread_bps,
        ask_price < bid_price as is_crossed,
        ask_price = bid_price as is_locked,
        batch_id,
        ingested_at,
        dt
    from localized
)

select * from final
