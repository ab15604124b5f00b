-- gold.fact_bars: OHLCV bars with VWAP and trade count at 1m, 5m, 15m, 1h and 1d.
-- Grain: one row per symbol per interval per bar_start_at. Key: (symbol, interval, bar_start_at).
-- Partition: session_date (the trading session date in the symbol's market time zone).
-- Parameters: input_from, input_to (variables: the silver dt partitions read; a New York session
-- ends in the next UTC day, so a session needs dt and dt + 1).
-- Intraday bars (1m..1h) cover the whole day, extended hours included; 1h buckets align to UTC
-- hours. The 1d bar is the regular session only (09:30-16:00 New York for US equities, 13:00 on
-- NYSE early closes (silver.trades' is_regular_hours), the UTC day for crypto, or the day from the
-- configured session cut: market_session_cut.sql) and starts at the session open. 5m/15m/1h roll
-- up from 1m; 1d comes from trades.
-- Sale-condition eligibility (silver.trades' updates_* columns, resolved from silver.sale_conditions
-- for the print's source and session): open and close come from prints that may set them, high and
-- low likewise, volume and trade_count from prints that count in volume; vwap is the volume-weighted
-- price of the prints that may set the high and low and count in volume (so it lies in [low, high]).
-- A bar whose prints may set no price (a minute of average-price prints only) keeps its volume and
-- has null prices. The naive_* columns are the same bar from every print, whatever its conditions
-- (what fact_bars held before eligibility): one scan computes both, so neither costs a second pass.
-- The 1d bar's open and close are the official ones where the feed marks them: of the session's
-- prints that carry an official open (close) report or an opening (closing) auction print, the
-- largest (the listing market's auction dwarfs other venues' crosses); else the first (last) print
-- of the regular session that may set it. Auction prints reported after the close (a closing print
-- at 16:00:07) count in the 1d bar; naive_* 1d stays the plain regular-session bar.
-- Prints flagged suspicious are left out. Open and close take the first and last print by time,
-- then trade id, then their place in bronze (batch_id, batch_row): prints of one millisecond keep
-- the order they were stored in (see silver.trades). Where a symbol has no trades for a session,
-- vendor bars
-- (silver.bars) stand in: its 1m bars feed 1m and the roll-ups, and its 1d bar (else the regular
-- session of its 1m bars) gives 1d; trade_count and vwap stay null when the vendor gives none, and a
-- vendor bar's naive_* columns repeat its own values.
-- entity_key: gold.dim_symbol's company behind the ticker on the session date, the same across a
-- rename (FB's bars before 2022-06-09 and META's after share it): query by entity to follow one
-- company through its tickers.
-- adj_close (1d only; null intraday): the raw close times the split/dividend adjustment factor of
-- silver.corporate_actions covering the session; 1 (adj_close = close) where no factor row covers it
-- (after the latest action, or a symbol without a factor file). open..close stay raw.
-- adj_factor (every bar): that factor for the bar's session, so intraday bars adjust exactly as the
-- daily close does (adjusted price = raw price x adj_factor; 1d: adj_close = close x adj_factor).
-- adj_volume (every bar): volume in post-split shares, raw volume / split_factor (dividends do not
-- change share counts).
-- Volume and dollar volume are summed as DECIMAL: floating-point sums depend on the order threads
-- add them in, and a rerun must give the same bars to the last bit.
-- The trades CTE names its columns: several CTEs read it, so DuckDB materialises it, and silver's
-- list columns (sale_conditions, unknown_conditions) would be read and copied for nothing.
with trades as (
    select
        symbol,
        session_date,
        event_at,
        trade_id,
        batch_id,
        batch_row,
        price,
        size,
        market_timezone,
        asset_class,
        is_regular_hours,
        updates_open_close,
        updates_high_low,
        updates_volume,
        marks_official_open,
        marks_official_close
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
    select symbol_key, entity_key, symbol, valid_from from gold.dim_symbol
),

actions as (
    select symbol, covers_from, factor_date, adjustment_factor, split_factor from silver.corporate_actions
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
        first(price order by event_at, trade_id, batch_id, batch_row) filter (where updates_open_close) as open,
        max(price) filter (where updates_high_low) as high,
        min(price) filter (where updates_high_low) as low,
        last(price order by event_at, trade_id, batch_id, batch_row) filter (where updates_open_close) as close,
        coalesce(sum(cast(size as decimal(38, 9))) filter (where updates_volume), 0) as volume,
        sum(cast(price * size as decimal(38, 9))) filter (where updates_high_low and updates_volume)
            as dollar_volume,
        sum(cast(size as decimal(38, 9))) filter (where updates_high_low and updates_volume) as vwap_volume,
        count(*) filter (where updates_volume) as trade_count,
        first(price order by event_at, trade_id, batch_id, batch_row) as naive_open,
        max(price) as naive_high,
        min(price) as naive_low,
        last(price order by event_at, trade_id, batch_id, batch_row) as naive_close,
        sum(cast(size as decimal(38, 9))) as naive_volume,
        sum(cast(price * size as decimal(38, 9))) as naive_dollar_volume,
        count(*) as naive_trade_count
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
        cast(volume as decimal(38, 9)) as vwap_volume,
        trade_count,
        open as naive_open,
        high as naive_high,
        low as naive_low,
        close as naive_close,
        cast(volume as decimal(38, 9)) as naive_volume,
        cast(vwap * volume as decimal(38, 9)) as naive_dollar_volume,
        trade_count as naive_trade_count,
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
        first(b.open order by b.bar_start_at) filter (where b.open is not null) as open,
        max(b.high) as high,
        min(b.low) as low,
        last(b.close order by b.bar_start_at) filter (where b.close is not null) as close,
        sum(b.volume) as volume,
        sum(b.dollar_volume) as dollar_volume,
        sum(b.vwap_volume) as vwap_volume,
        sum(b.trade_count) as trade_count,
        first(b.naive_open order by b.bar_start_at) as naive_open,
        max(b.naive_high) as naive_high,
        min(b.naive_low) as naive_low,
        last(b.naive_close order by b.bar_start_at) as naive_close,
        sum(b.naive_volume) as naive_volume,
        sum(b.naive_dollar_volume) as naive_dollar_volume,
        sum(b.naive_trade_count) as naive_trade_count
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
            + case
                when any_value(asset_class) = 'crypto'
                    then to_minutes(cast(session_cut_minutes('crypto') as bigint))
                else interval 570 minute
            end
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
        coalesce(
            first(price order by size desc, event_at, trade_id, batch_id, batch_row)
                filter (where marks_official_open),
            first(price order by event_at, trade_id, batch_id, batch_row)
                filter (where is_regular_hours and updates_open_close)
        ) as open,
        max(price) filter (where is_regular_hours and updates_high_low) as high,
        min(price) filter (where is_regular_hours and updates_high_low) as low,
        coalesce(
            first(price order by size desc, event_at desc, trade_id desc, batch_id desc, batch_row desc)
                filter (where marks_official_close),
            last(price order by event_at, trade_id, batch_id, batch_row)
                filter (where is_regular_hours and updates_open_close)
        ) as close,
        coalesce(sum(cast(size as decimal(38, 9))) filter (where updates_volume), 0) as volume,
        sum(cast(price * size as decimal(38, 9)))
            filter (where is_regular_hours and updates_high_low and updates_volume) as dollar_volume,
        sum(cast(size as decimal(38, 9)))
            filter (where is_regular_hours and updates_high_low and updates_volume) as vwap_volume,
        count(*) filter (where updates_volume) as trade_count,
        first(price order by event_at, trade_id, batch_id, batch_row) filter (where is_regular_hours)
            as naive_open,
        max(price) filter (where is_regular_hours) as naive_high,
        min(price) filter (where is_regular_hours) as naive_low,
        last(price order by event_at, trade_id, batch_id, batch_row) filter (where is_regular_hours)
            as naive_close,
        sum(cast(size as decimal(38, 9))) filter (where is_regular_hours) as naive_volume,
        sum(cast(price * size as decimal(38, 9))) filter (where is_regular_hours) as naive_dollar_volume,
        count(*) filter (where is_regular_hours) as naive_trade_count
    from trades
    where is_regular_hours or marks_official_open or marks_official_close
    group by symbol, session_date
    having count(*) filter (where is_regular_hours) > 0
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
        cast(volume as decimal(38, 9)) as vwap_volume,
        trade_count,
        open as naive_open,
        high as naive_high,
        low as naive_low,
        close as naive_close,
        cast(volume as decimal(38, 9)) as naive_volume,
        cast(vwap * volume as decimal(38, 9)) as naive_dollar_volume,
        trade_count as naive_trade_count
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
        sum(vwap_volume) as vwap_volume,
        sum(trade_count) as trade_count,
        first(naive_open order by bar_start_at) as naive_open,
        max(naive_high) as naive_high,
        min(naive_low) as naive_low,
        last(naive_close order by bar_start_at) as naive_close,
        sum(naive_volume) as naive_volume,
        sum(naive_dollar_volume) as naive_dollar_volume,
        sum(naive_trade_count) as naive_trade_count
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
        s.entity_key,
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
        cast(b.dollar_volume / nullif(b.vwap_volume, 0) as double) as vwap,
        cast(b.trade_count as bigint) as trade_count,
        case when b.interval = '1d' then b.close * coalesce(a.adjustment_factor, 1) end as adj_close,
        coalesce(a.adjustment_factor, 1) as adj_factor,
        cast(b.volume as double) / coalesce(a.split_factor, 1) as adj_volume,
        b.naive_open,
        b.naive_high,
        b.naive_low,
        b.naive_close,
        cast(b.naive_volume as double) as naive_volume,
        cast(b.naive_dollar_volume / nullif(b.naive_volume, 0) as double) as naive_vwap,
        cast(b.naive_trade_count as bigint) as naive_trade_count
    from all_bars as b
    asof left join symbols as s
        on b.symbol = s.symbol and b.session_date >= s.valid_from
    left join actions as a
        on b.symbol = a.symbol
        and b.session_date between a.covers_from and a.factor_date
)

select * from final
