-- gold.dim_symbol: symbol dimension with SCD Type 2 history.
-- Grain: one row per symbol per version. Key: symbol_key (stable hash of symbol and valid_from).
-- valid_to is exclusive; null and is_current for the open version.
-- A re-sent description with no attribute change does not open a new version; a symbol that comes
-- back after it was closed (re-added to an index) does.
-- A version closes at the first of:
--   the symbol's next version;
--   a full snapshot of its source that leaves it out (silver.symbol_refs' snapshot = 'full': the
--   file lists every symbol of that source on its date, so absence means gone: dbt's
--   hard_deletes: invalidate). Only snapshots of the same source close a symbol;
--   the day its entity continues under another ticker (the same cik, figi or issuer id starts on a
--   later date under a new symbol: FB closes on 2022-06-09, when META starts);
--   a valid_to the source declares (delisting).
-- entity_key: the company (or asset) behind the ticker, stable across renames: a hash of
-- silver.symbol_refs' entity_id (cik, else figi, else issuer id) or, for a symbol without one, of
-- the ticker. FB's and META's versions share it, so facts can be followed across the rename
-- (gold.fact_bars carries it).
with refs as (
    select * from silver.symbol_refs
),

full_snapshots as (
    select distinct source, valid_from as snapshot_date from refs where snapshot = 'full'
),

-- For each description, the first full snapshot of its source after it that does not list the symbol.
absences as (
    select r.symbol, r.valid_from, min(f.snapshot_date) as absent_from
    from refs as r
    join full_snapshots as f on f.source = r.source and f.snapshot_date > r.valid_from
    anti join refs as p on p.symbol = r.symbol and p.source = f.source and p.valid_from = f.snapshot_date
    group by r.symbol, r.valid_from
),

changes as (
    select
        r.*,
        a.absent_from,
        row(r.name, r.exchange, r.asset_class, r.sector, r.industry) is distinct from lag(
            row(r.name, r.exchange, r.asset_class, r.sector, r.industry)
        ) over (partition by r.symbol order by r.valid_from)
        or coalesce(r.entity_id <> lag(r.entity_id) over (partition by r.symbol order by r.valid_from), false)
        or coalesce(
            lag(a.absent_from) over (partition by r.symbol order by r.valid_from) <= r.valid_from, false
        ) as is_change
    from refs as r
    left join absences as a on r.symbol = a.symbol and r.valid_from = a.valid_from
),

numbered as (
    select *, sum(cast(is_change as integer)) over (partition by symbol order by valid_from) as version_no
    from changes
),

-- One row per version: its first description, the entity any of its descriptions names, and the
-- absence after its last description.
versions as (
    select
        symbol,
        version_no,
        min(valid_from) as valid_from,
        arg_min(name, valid_from) as name,
        arg_min(exchange, valid_from) as exchange,
        arg_min(asset_class, valid_from) as asset_class,
        arg_min(sector, valid_from) as sector,
        arg_min(industry, valid_from) as industry,
        arg_min(market_timezone, valid_from) as market_timezone,
        arg_max(currency, valid_from) as currency,
        arg_max(tick_size, valid_from) as tick_size,
        arg_max(lot_size, valid_from) as lot_size,
        arg_max(cik, valid_from) filter (where cik is not null) as cik,
        arg_max(figi, valid_from) filter (where figi is not null) as figi,
        arg_max(entity_id, valid_from) filter (where entity_id is not null) as entity_id,
        arg_max(absent_from, valid_from) as absent_from
    from numbered
    group by symbol, version_no
),

-- A successor is another ticker of the entity that first appears after the version starts, from
-- which on the version's ticker is no longer described. Share classes of one company (GOOG and
-- GOOGL share a CIK) are listed side by side and close nothing.
first_seen as (
    select entity_id, symbol, min(valid_from) as first_from
    from refs
    where entity_id is not null
    group by entity_id, symbol
),

last_seen as (
    select symbol, max(valid_from) as last_from from refs group by symbol
),

successors as (
    select v.symbol, v.valid_from, min(n.first_from) as successor_from
    from versions as v
    join first_seen as n on v.entity_id = n.entity_id and n.symbol <> v.symbol and n.first_from > v.valid_from
    join last_seen as l on l.symbol = v.symbol and l.last_from < n.first_from
    group by v.symbol, v.valid_from
),

-- Declared ends apply to the version they fall in (any description of the symbol may carry one).
declared as (
    select symbol, min(declared_valid_to) as declared_valid_to
    from refs
    where declared_valid_to is not null
    group by symbol
),

closed as (
    select
        v.*,
        least(
            lead(v.valid_from) over (partition by v.symbol order by v.valid_from),
            v.absent_from,
            s.successor_from,
            case when d.declared_valid_to > v.valid_from then d.declared_valid_to end
        ) as valid_to
    from versions as v
    left join successors as s on v.symbol = s.symbol and v.valid_from = s.valid_from
    left join declared as d on v.symbol = d.symbol
),

final as (
    select
        cast(md5_number(symbol || '|' || cast(valid_from as varchar)) >> 66 as bigint) as symbol_key,
        cast(md5_number(coalesce(entity_id, 'ticker:' || symbol)) >> 66 as bigint) as entity_key,
        coalesce(entity_id, 'ticker:' || symbol) as entity_id,
        symbol,
        name,
        exchange,
        asset_class,
        sector,
        industry,
        market_timezone,
        currency,
        tick_size,
        lot_size,
        cik,
        figi,
        valid_from,
        valid_to,
        valid_to is null as is_current
    from closed
)

select * from final
