-- silver.symbol_refs: symbol reference data, deduplicated, with the market each symbol trades in.
-- Grain: one row per symbol per valid_from. Key: (symbol, valid_from). Unpartitioned.
-- The latest ingested description wins when the same (symbol, valid_from) arrives twice.
-- cik (SEC Central Index Key) and valid_to (a declared last day, exclusive) are optional source
-- fields outside symbol_ref.v1, read from the record's `extra`: they let gold.dim_symbol close a
-- ticker whose company continues under a new one (FB -> META) or that was delisted.
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
        nullif(trim(cast(extra ->> '$.cik' as varchar)), '') as cik,
        try_cast(extra ->> '$.valid_to' as date) as declared_valid_to,
        asset_class_timezone(asset_class) as market_timezone
    from latest
)

select * from final
