-- gold.dim_symbol: symbol dimension with SCD Type 2 history.
-- Grain: one row per symbol per version. Key: symbol_key (stable hash of symbol and valid_from).
-- valid_to is exclusive (the next version's valid_from); null and is_current for the open version.
-- A re-sent description with no attribute change does not open a new version.
-- A ticker's last version also closes where its company continues under another ticker (the same
-- cik starts on a later date under a new symbol: FB closes on 2022-06-09, when META starts) or on
-- a valid_to the source declares (delisting); whichever comes first.
with refs as (
    select * from silver.symbol_refs
),

changes as (
    select
        *,
        row(name, exchange, asset_class, sector, industry) is distinct from lag(
            row(name, exchange, asset_class, sector, industry)
        ) over (partition by symbol order by valid_from) as is_change
    from refs
),

versions as (
    select
        *,
        lead(valid_from) over (partition by symbol order by valid_from) as next_valid_from
    from changes
    where is_change
),

successors as (
    select v.symbol, v.valid_from, min(n.valid_from) as successor_from
    from versions as v
    join refs as n on v.cik = n.cik and n.symbol <> v.symbol and n.valid_from > v.valid_from
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
            v.next_valid_from,
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
        symbol,
        name,
        exchange,
        asset_class,
        sector,
        industry,
        market_timezone,
        valid_from,
        valid_to,
        valid_to is null as is_current
    from closed
)

select * from final
