-- API GET /api/v1/symbols on the serving database (schema gold): as sql/api/duckdb/symbols.sql.
select
    symbol,
    name,
    exchange,
    asset_class,
    sector,
    industry,
    market_timezone,
    to_char(valid_from, 'YYYY-MM-DD') as valid_from,
    to_char(valid_to, 'YYYY-MM-DD') as valid_to,
    is_current
from gold.dim_symbol
where not cast($current_only as boolean) or is_current
order by symbol, valid_from
