-- gold.fact_bars: OHLCV bars with VWAP and trade count at 1m, 5m, 15m, 1h and 1d.
-- Grain: one row per symbol per interval per bar_start_at. Key: (symbol, interval, bar_start_at).
-- Partition: session_date (the trading session date in the symbol's market time zone).
-- Parameters: input_from, input_to (variables: the silver dt partitions read; a New York session
-- ends in the next UTC day, so a session needs dt and dt + 1).
-- Intraday bars (1m..1h) contain every trade, extended hours included; 1h buckets align to UTC
-- hours. The 1d bar is the regular session only (09:30-16:00 New York for US equities, 13:00 on
-- NYSE early closes (silver.trades' is_regular_hours), the UTC day for crypto) and starts at the
-- session open. 5m/15m/1h roll up from 1m; 1d comes from trades.
-- Prints flagged suspicious are left out. Open and close take the first and last print by time,
-- then trade id, then their place in bronze (batch_id, batch_row): prints of one millisecond keep
-- the order they were stored in (see silver.trades). Where a symbol has no trades for a session,
-- vendor bars
-- (silver.bars) stand in: its 1m bars feed 1m and the roll-ups, and its 1d bar (else the regular
-- session of its 1m bars) gives 1d; trade_count and vwap stay null when the vendor gives none.
-- adj_close (1d only; null intraday): the raw close times the split/dividend adjustment factor of
-- silver.corporate_actions covering the session; 1 (adj_close = close) where no factor row covers it
-- (after the latest action, or a symbol without a factor file). open..close stay raw.
-- Volume and dollar volume are summed as DECIMAL: floating-point sums depend on the order threads
-- add them in, and a rerun must give the same bars to the last bit.
with trades as (
    select *
    from silver.trades
    where dt between getvariable('input_from') and getvariable('input_to')
        and not is_suspicious
),

vendor_bars as (
    select *
    from silver.bars
    where dt between getvariable('input_from') and getvariable('input_to')
),

symbols as (
    select symbol_key, symbol, valid_from from gold.dim_symbol
),

actions as (
    select symbol, covers_from, factor_date, adjustment_factor from silver.corporate_actions
),

traded_sessions as (
    select distinct symbol, session_date from trades
),

trade_bars_1m as (
    select
        symbol,
        session_date,
        '1m' as interval,
        time_bucket(interval 1 minute, event_at) as bar_start_at,
        first(price order by event_at, trade_id, batch_id, batch_row) as open,
        max(price) as high,
        min(price) as low,
        last(price order by event_at, trade_id, batch_id, batch_row) as close,
        sum(cast(size as decimal(38, 9))) as volume,
        sum(cast(price * size as decimal(38, 9))) as dollar_volume,
        count(*) as trade_count
    from trades
    group by symbol, session_date, time_bucket(interval 1 minute, event_at)
),

vendor_only as (
    select v.*
    from vendor_bars as v
    anti join traded_sessions as t on v.symbol = t.symbol and v.session_date = t.session_date
    qualify row_number() over (
        partition by v.symbol, v.interval, v.bar_start_at order by v.source
    ) = 1
),

vendor_bars_1m as (
    select
        symbol,
        session_date,
        '1m' as interval,
        bar_start_at,
        open,
        high,
        low,
        close,
        cast(volume as decimal(38, 9)) as volume,
        cast(vwap * volume as decimal(38, 9)) as dollar_volume,
        trade_count,
        is_regular_hours
    from vendor_only
    where interval = '1m'
),

bars_1m as (
    select * from trade_bars_1m
    union all by name
    select * exclude (is_regular_hours) from vendor_bars_1m
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

session_opens as (
    select
        symbol,
        session_date,
        timezone(
            any_value(market_timezone),
            cast(session_date as timestamp)
            + case when any_value(asset_class) = 'crypto' then interval 0 minute else interval 570 minute end
        ) as bar_start_at
    from (
        select symbol, session_date, market_timezone, asset_class from trades
        union all
        select symbol, session_date, market_timezone, asset_class from vendor_only
    )
    group by symbol, session_date
),

trade_bars_1d as (
    select
        symbol,
        session_date,
        first(price order by event_at, trade_id, batch_id, batch_row) as open,
        max(price) as high,
        min(price) as low,
        last(price order by event_at, trade_id, batch_id, batch_row) as close,
        sum(cast(size as decimal(38, 9))) as volume,
        sum(cast(price * size as decimal(38, 9))) as dollar_volume,
        count(*) as trade_count
    from trades
    where is_regular_hours
    group by symbol, session_date
),

vendor_bars_1d as (
    select
        symbol,
        session_date,
        open,
        high,
        low,
        close,
        cast(volume as decimal(38, 9)) as volume,
        cast(vwap * volume as decimal(38, 9)) as dollar_volume,
        trade_count
    from vendor_only
    where interval = '1d'
),

vendor_minutes_1d as (
    select
        symbol,
        session_date,
        first(open order by bar_start_at) as open,
        max(high) as high,
        min(low) as low,
        last(close order by bar_start_at) as close,
        sum(volume) as volume,
        sum(dollar_volume) as dollar_volume,
        sum(trade_count) as trade_count
    from vendor_bars_1m
    where is_regular_hours
    group by symbol, session_date
),

daily as (
    select * from trade_bars_1d
    union all by name
    select * from vendor_bars_1d
    union all by name
    select m.*
    from vendor_minutes_1d as m
    anti join vendor_bars_1d as d on m.symbol = d.symbol and m.session_date = d.session_date
),

bars_1d as (
    select d.*, '1d' as interval, o.bar_start_at
    from daily as d
    join session_opens as o on d.symbol = o.symbol and d.session_date = o.session_date
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
        cast(b.trade_count as bigint) as trade_count,
        case when b.interval = '1d' then b.close * coalesce(a.adjustment_factor, 1) end as adj_close
    from all_bars as b
    asof left join symbols as s
        on b.symbol = s.symbol and b.session_date >= s.valid_from
    left join actions as a
        on b.interval = '1d'
        and b.symbol = a.symbol
        and b.session_date between a.covers_from and a.factor_date
)

select * from final
