-- silver.trades: trades deduplicated, cancels and corrections applied, with their market's session
-- date and regular-hours flag.
-- Grain: one row per trade. Key: (source, symbol, trade_id) where the source gives ids.
-- Partition: dt (UTC event date).
-- Parameters: input_from, input_to (variables: the bronze dt partitions read).
-- Trades without an id are never deduplicated by content (identical prints are separate trades);
-- a batch ingested twice is stopped at ingestion by its content hash.
-- Condition codes (case-insensitive): CANCEL/CANCELED/CANCELLED/ERROR mark a cancel message and
-- CORRECTION/CORRECTED a corrected print. For a trade id the latest record wins: a cancel removes
-- the trade, a correction replaces its price and size (is_corrected). A cancel without an id
-- cannot name its trade and is dropped. SUSPICIOUS (a vendor's flag for prints far from the
-- market) is kept and flagged; bars leave it out. AlgoSeek files carry that flag as their sixth
-- column (0/1), which ingestion keeps in `extra` (as `column6`, or `suspicious` once a preset maps
-- it by name); a value of 1 or true flags the print too.
-- batch_row is a print's position within its bronze batch file. It breaks ties between prints of
-- one timestamp (sources without ids and with millisecond clocks have many), so open and close
-- follow the order the prints were stored in and a rerun gives the same bars. It is taken from one
-- ordered scan of bronze (row_number() over (), which DuckDB computes in scan order) and made
-- relative to the batch (its first row in the scan), so a partition rebuild gives the same number
-- as a full one. Bronze keeps the source's order inside each block its parallel staging writes, but
-- not between blocks and it stores no line number: ties that straddle a block boundary (a few per
-- file) may come out of tape order.
-- Symbols without reference data are treated as US equities (New York hours).
-- The regular session of a US equity ends at 16:00 New York, 13:00 on NYSE early closes (July 3
-- and December 24, and the day after Thanksgiving, when they are trading days: gold.dim_date's
-- rule; a day with trades in the session is a trading day, so the date alone decides).
with scanned as (
    select *, row_number() over () as scan_row
    from bronze.trades
    where dt between getvariable('input_from') and getvariable('input_to')
),

batch_starts as (
    select batch_id, dt, min(scan_row) as first_row from scanned group by batch_id, dt
),

trades as (
    select s.* exclude (scan_row), s.scan_row - b.first_row as batch_row
    from scanned as s
    join batch_starts as b on s.batch_id = b.batch_id and s.dt = b.dt
),

refs as (
    -- Each version holds until the next one starts (symbol_refs is unique per symbol and valid_from):
    -- a hash join on symbol with a range test, cheaper than an ASOF join over millions of trades.
    select
        symbol,
        valid_from,
        coalesce(lead(valid_from) over (partition by symbol order by valid_from), date '9999-12-31')
            as valid_until,
        asset_class,
        market_timezone
    from silver.symbol_refs
),

coded as (
    select
        *,
        list_has_any(
            list_transform(conditions, c -> upper(c)), ['CANCEL', 'CANCELED', 'CANCELLED', 'ERROR']
        ) as is_cancel,
        list_has_any(list_transform(conditions, c -> upper(c)), ['CORRECTION', 'CORRECTED']) as is_corrected,
        list_contains(list_transform(conditions, c -> upper(c)), 'SUSPICIOUS')
        or (
            source = 'algoseek'
            and coalesce(
                lower(coalesce(extra ->> '$.suspicious', extra ->> '$.column6')) in ('1', 'true'), false
            )
        ) as is_suspicious
    from trades
),

with_ids as (
    select *
    from coded
    where trade_id is not null
    qualify row_number() over (
        partition by source, symbol, trade_id
        order by ingested_at desc, batch_id desc, is_cancel desc, is_corrected desc
    ) = 1
),

deduplicated as (
    select * from with_ids
    union all
    select * from coded where trade_id is null
),

live as (
    select * from deduplicated where not is_cancel
),

with_market as (
    select
        t.*,
        coalesce(r.asset_class, 'us_equity') as asset_class,
        coalesce(r.market_timezone, 'America/New_York') as market_timezone
    from live as t
    left join refs as r
        on t.symbol = r.symbol and t.dt >= r.valid_from and t.dt < r.valid_until
),

localized as (
    select *, market_local_time(market_timezone, event_at) as local_at
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
        or nyse_regular_session(local_at) as is_regular_hours,
        is_corrected,
        is_suspicious,
        batch_id,
        batch_row,
        ingested_at,
        dt
    from localized
)

select * from final
