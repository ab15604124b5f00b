-- silver.trades: trades deduplicated, cancels and corrections applied, with their market's session
-- date and regular-hours flag.
-- Grain: one row per trade. Key: (source, symbol, trade_id) where the source gives ids.
-- Partition: dt (UTC event date).
-- Parameters: input_from, input_to (variables: the bronze dt partitions read).
-- Trades without an id are never deduplicated by content (identical prints are separate trades);
-- a batch ingested twice is stopped at ingestion by its content hash.
-- A print whose conditions are missing (null) is a print without conditions (it was dropped before).
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
-- Sale conditions: each print's codes are decoded into the standard conditions of
-- silver.sale_conditions through silver.sale_condition_codes (AlgoSeek bit flags, CTA/UTP letters read
-- by the print's tape, Polygon ids, marketlake's words), once per distinct (source, tape, conditions)
-- rather than once per print. sale_conditions lists what was recognised; codes nothing
-- recognises (or AlgoSeek bits nobody documented) go to unknown_conditions (null when there are none:
-- an empty list on every print costs a fifth of the model's time; has_unknown_condition), and such a
-- print counts in volume and may set prices, as a print without conditions does. updates_open_close,
-- updates_high_low and updates_volume resolve the eligibility table for the print: its source's rule
-- set (a rule set named after the source, else `consolidated`), its session (the regular session
-- columns, else the extended ones) and every one of its conditions (all must allow). marks_official_open
-- and marks_official_close: a condition marks an official open/close report or an opening/closing
-- auction print (any one suffices); gold's 1d bar takes its open and close from them.
-- Symbols without reference data take their source's market (source_asset_class: crypto venues
-- 24/7 on the UTC day or the configured session cut, AlgoSeek/Polygon US equities, else the default).
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
        coalesce(list_has_any(
            list_transform(conditions, c -> upper(c)), ['CANCEL', 'CANCELED', 'CANCELLED', 'ERROR']
        ), false) as is_cancel,
        coalesce(list_has_any(list_transform(conditions, c -> upper(c)), ['CORRECTION', 'CORRECTED']), false)
            as is_corrected,
        coalesce(list_contains(list_transform(conditions, c -> upper(c)), 'SUSPICIOUS'), false)
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
        coalesce(r.asset_class, source_asset_class(t.source)) as asset_class,
        coalesce(r.market_timezone, asset_class_timezone(source_asset_class(t.source))) as market_timezone
    from live as t
    left join refs as r
        on t.symbol = r.symbol and t.dt >= r.valid_from and t.dt < r.valid_until
),

localized as (
    select *, market_local_time(market_timezone, event_at) as local_at
    from with_market
),

sessioned as (
    select *, asset_class = 'crypto' or nyse_regular_session(local_at) as is_regular_hours
    from localized
),

codes as (
    select * from silver.sale_condition_codes
),

rules as (
    select * from silver.sale_conditions
),

-- Sources whose codes are bit flags, and every bit they document.
flag_sources as (
    select source, bit_or(flag_mask) as known_flags
    from codes
    where flag_mask is not null
    group by source
),

-- From `coded` (materialised already for the deduplication): a second pass over the trades it is not.
combos as (
    select distinct source, tape, conditions from coded
),

combo_codes as (
    select * from (
        select
            source,
            tape,
            conditions,
            trim(unnest(conditions)) as code,
            case when tape in ('A', 'B') then 'cta' when tape = 'C' then 'utp' end as plan
        from combos
    )
    where code <> ''
),

parsed as (
    select
        c.*,
        f.known_flags,
        case when f.source is not null then try_cast('0x' || regexp_replace(c.code, '^0[xX]', '') as ubigint) end
            as flags
    from combo_codes as c
    left join flag_sources as f on c.source = f.source
),

matched as (
    select p.*, k.condition
    from parsed as p
    left join codes as k
        on (
            k.flag_mask is not null
            and k.source = p.source
            and p.flags & k.flag_mask <> 0
        )
        or (
            k.flag_mask is null
            and k.source in (p.source, '*')
            and k.code = upper(p.code)
            and (k.plan is null or p.plan is null or k.plan = p.plan)
        )
),

-- A flag code with undocumented bits reports those bits; any other code that nothing matched, itself.
unknown as (
    select
        source,
        tape,
        conditions,
        list_sort(list_distinct(list(
            case
                when flags is not null and flags & ~known_flags <> 0 then printf('0x%08X', flags & ~known_flags)
                when flags is null and condition is null then code
            end
        ))) as unknown_conditions
    from matched
    group by all
),

rule_sets as (
    select distinct rule_set from rules
),

decoded as (
    select
        m.source,
        m.tape,
        m.conditions,
        list_sort(list_distinct(list(m.condition))) as sale_conditions,
        bool_and(r.updates_open_close) as updates_open_close,
        bool_and(r.updates_high_low) as updates_high_low,
        bool_and(r.extended_updates_open_close) as extended_updates_open_close,
        bool_and(r.extended_updates_high_low) as extended_updates_high_low,
        bool_and(r.updates_volume) as updates_volume,
        bool_or(r.marks_official_open) as marks_official_open,
        bool_or(r.marks_official_close) as marks_official_close
    from matched as m
    left join rule_sets as s on m.source = s.rule_set
    left join rules as r on r.rule_set = coalesce(s.rule_set, 'consolidated') and r.condition = m.condition
    group by all
),

combo_eligibility as (
    select
        c.source,
        c.tape,
        c.conditions,
        coalesce(d.sale_conditions, []) as sale_conditions,
        nullif(u.unknown_conditions, []) as unknown_conditions,
        coalesce(d.updates_open_close, true) as updates_open_close,
        coalesce(d.updates_high_low, true) as updates_high_low,
        coalesce(d.extended_updates_open_close, true) as extended_updates_open_close,
        coalesce(d.extended_updates_high_low, true) as extended_updates_high_low,
        coalesce(d.updates_volume, true) as updates_volume,
        coalesce(d.marks_official_open, false) as marks_official_open,
        coalesce(d.marks_official_close, false) as marks_official_close
    from combos as c
    left join decoded as d
        on c.source = d.source
        and c.tape is not distinct from d.tape
        and c.conditions is not distinct from d.conditions
    left join unknown as u
        on c.source = u.source
        and c.tape is not distinct from u.tape
        and c.conditions is not distinct from u.conditions
),

final as (
    select
        t.symbol,
        t.event_at,
        t.price,
        t.size,
        t.exchange,
        t.trade_id,
        t.conditions,
        t.tape,
        t.source,
        t.asset_class,
        t.market_timezone,
        market_session_date(t.asset_class, t.local_at) as session_date,
        t.is_regular_hours,
        t.is_corrected,
        t.is_suspicious,
        e.sale_conditions,
        e.unknown_conditions,
        e.unknown_conditions is not null as has_unknown_condition,
        if(t.is_regular_hours, e.updates_open_close, e.extended_updates_open_close) as updates_open_close,
        if(t.is_regular_hours, e.updates_high_low, e.extended_updates_high_low) as updates_high_low,
        e.updates_volume,
        e.marks_official_open,
        e.marks_official_close,
        t.batch_id,
        t.batch_row,
        t.ingested_at,
        t.dt
    from sessioned as t
    join combo_eligibility as e
        on t.source = e.source
        and t.tape is not distinct from e.tape
        and t.conditions is not distinct from e.conditions
)

select * from final
