-- API GET /api/v1/symbols: gold.dim_symbol, every version (SCD 2) or the current ones only.
-- Grain: one row per symbol version. Parameters: current_only (boolean).
select
    symbol,
    name,
    exchange,
    asset_class,
    sector,
    industry,
    market_timezone,
    cast(valid_from as varchar) as valid_from,
    cast(valid_to as varchar) as valid_to,
    is_current
from gold.dim_symbol
where not $current_only or is_current
order by symbol, valid_from
