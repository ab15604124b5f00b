-- gold.dim_symbol: symbol dimension with SCD Type 2 history.
-- Grain: one row per symbol per version. Key: symbol_key (stable hash of symbol and valid_from).
-- valid_to is exclusive (the next version's valid_from); null and is_current for the open version.
-- A re-sent description with no attribute change does not open a new version.
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
        lead(valid_from) over (partition by symbol order by valid_from) as valid_to
    from changes
    where is_change
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
    from versions
)

select * from final
