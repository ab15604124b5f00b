-- silver.symbol_refs: symbol reference data, deduplicated, with the market each symbol trades in.
-- Grain: one row per symbol per valid_from. Key: (symbol, valid_from). Unpartitioned.
-- The latest ingested description wins when the same (symbol, valid_from) arrives twice.
-- symbol_ref.v2 columns (cik, figi, issuer_id, valid_to, currency, tick_size, lot_size, source,
-- snapshot); rows ingested under v1 read them from `extra` (where v1 kept unknown source fields),
-- so a v1 file with a CIK column still links a renamed ticker. cik is stored without zero padding
-- (SEC writes 0001326801, the S&P list 1326801). entity_id is the identity that survives a rename:
-- the CIK, else the FIGI, else the issuer id (null: the ticker is its own entity, see dim_symbol).
-- snapshot: 'full' when the file listed every symbol of its source on valid_from (gold.dim_symbol
-- closes what such a snapshot leaves out), else 'changes'.
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

described as (
    select
        *,
        nullif(ltrim(trim(coalesce(cik, cast(extra ->> '$.cik' as varchar))), '0'), '') as cik_id,
        nullif(trim(coalesce(figi, cast(extra ->> '$.figi' as varchar))), '') as figi_id,
        nullif(trim(coalesce(issuer_id, cast(extra ->> '$.issuer_id' as varchar))), '') as issuer
    from latest
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
        cik_id as cik,
        figi_id as figi,
        issuer as issuer_id,
        case
            when cik_id is not null then 'cik:' || cik_id
            when figi_id is not null then 'figi:' || figi_id
            when issuer is not null then 'issuer:' || issuer
        end as entity_id,
        coalesce(valid_to, try_cast(extra ->> '$.valid_to' as date)) as declared_valid_to,
        coalesce(currency, case asset_class when 'us_equity' then 'USD' end) as currency,
        tick_size,
        lot_size,
        coalesce(source, '') as source,
        coalesce(snapshot, 'changes') as snapshot,
        asset_class_timezone(asset_class) as market_timezone
    from described
)

select * from final
