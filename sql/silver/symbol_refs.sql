-- silver.symbol_refs: symbol reference data, deduplicated, with the market each symbol trades in.
-- Grain: one row per symbol per valid_from. Key: (symbol, valid_from). Unpartitioned.
-- The latest ingested description wins when the same (symbol, valid_from) arrives twice.
with refs as (
    select * from bronze.symbol_refs
),

latest as (
    select *
    from refs
    qualify row_number() over (
        partition by symbol, valid_from order by ingested_at desc, batch_id desc
    ) = 1
),

final as (
    select
        symbol,
        name,
        exchange,
        asset_class,
        sector,
        industry,
        valid_from,
        case asset_class when 'crypto' then 'UTC' else 'America/New_York' end as market_timezone
    from latest
)

select * from final
