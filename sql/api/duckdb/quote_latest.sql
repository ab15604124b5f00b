-- API GET /api/v1/quotes/{symbol}/latest: the symbol's newest quote in silver.quotes (the lake only).
-- Grain: at most one row. Parameters: symbol.
select
    symbol,
    strftime(event_at, '%Y-%m-%dT%H:%M:%S.%fZ') as event_at,
    bid_price,
    ask_price,
    mid_price,
    spread,
    spread_bps,
    is_crossed,
    is_locked
from silver.quotes
where symbol = $symbol
order by event_at desc
limit 1
