-- gold.fact_bars: OHLCV bars with VWAP and trade count at 1m, 5m, 15m, 1h and 1d.
-- Grain: one row per symbol per interval per bar_start_at. Key: (symbol, interval, bar_start_at).
-- Partition: session_date (the trading session date in the symbol's market time zone).
-- Intraday bars (1m..1h) contain every trade, extended hours included; 1h buckets align to UTC
-- hours. The 1d bar is the regular session only (09:30-16:00 New York for US equities, the UTC
-- day for crypto) and starts at the session open. 5m/15m/1h roll up from 1m; 1d comes from trades.
-- Volume and dollar volume are summed as DECIMAL: floating-point sums depend on the order threads
-- add them in, and a rerun must give the same bars to the last bit.
with trades as (
    select * from silver.trades
),

symbols as (
    select symbol_key, symbol, valid_from from gold.dim_symbol
),

bars_1m as (
    select
        symbol,
        session_date,
        '1m' as interval,
        time_bucket(interval 1 minute, event_at) as bar_start_at,
        first(price order by event_at, trade_id) as open,
        max(price) as high,
        min(price) as low,
        last(price order by event_at, trade_id) as close,
        sum(cast(size as decimal(38, 9))) as volume,
        sum(cast(price * size as decimal(38, 9))) as dollar_volume,
        count(*) as trade_count
    from trades
    group by symbol, session_date, time_bucket(interval 1 minute, event_at)
),

rollup_widths as (
    select * from (values ('5m', 300), ('15m', 900), ('1h', 3600)) as w(interval, seconds)
),

bars_rolled as (
    select
        b.symbol,
        b.session_date,
        w.interval,
        to_timestamp(floor(epoch(b.bar_start_at) / w.seconds) * w.seconds) as bar_start_at,
        first(b.open order by b.bar_start_at) as open,
        max(b.high) as high,
        min(b.low) as low,
        last(b.close order by b.bar_start_at) as close,
        sum(b.volume) as volume,
        sum(b.dollar_volume) as dollar_volume,
        sum(b.trade_count) as trade_count
    from bars_1m as b
    cross join rollup_widths as w
    group by all
),

bars_1d as (
    select
        symbol,
        session_date,
        '1d' as interval,
        timezone(
            any_value(market_timezone),
            cast(session_date as timestamp)
            + case when any_value(asset_class) = 'crypto' then interval 0 minute else interval 570 minute end
        ) as bar_start_at,
        first(price order by event_at, trade_id) as open,
        max(price) as high,
        min(price) as low,
        last(price order by event_at, trade_id) as close,
        sum(cast(size as decimal(38, 9))) as volume,
        sum(cast(price * size as decimal(38, 9))) as dollar_volume,
        count(*) as trade_count
    from trades
    where is_regular_hours
    group by symbol, session_date
),

all_bars as (
    select * from bars_1m
    union all by name
    select * from bars_rolled
    union all by name
    select * from bars_1d
),

final as (
    select
        b.symbol,
        s.symbol_key,
        cast(year(b.session_date) * 10000 + month(b.session_date) * 100 + day(b.session_date) as integer)
            as date_key,
        b.session_date,
        b.interval,
        b.bar_start_at,
        b.open,
        b.high,
        b.low,
        b.close,
        cast(b.volume as double) as volume,
        cast(b.dollar_volume / nullif(b.volume, 0) as double) as vwap,
        cast(b.trade_count as bigint) as trade_count
    from all_bars as b
    asof left join symbols as s
        on b.symbol = s.symbol and b.session_date >= s.valid_from
)

select * from final
