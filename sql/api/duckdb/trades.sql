-- API GET /api/v1/trades/{symbol}: one symbol's trades from silver.trades, oldest first (the lake
-- only: trades are not served to PostgreSQL). Grain: one row per trade. Keyset pagination on
-- (event_at, trade_id). Parameters: symbol, from_at, to_at (from inclusive, to exclusive),
-- after_at, after_id (cursor), row_limit.
select
    symbol,
    strftime(event_at, '%Y-%m-%dT%H:%M:%S.%fZ') as event_at,
    price,
    size,
    exchange,
    trade_id,
    conditions,
    tape,
    source
from silver.trades
where symbol = $symbol
    and event_at >= cast($from_at as timestamptz)
    and event_at < cast($to_at as timestamptz)
    and (
        event_at > cast($after_at as timestamptz)
        or (event_at = cast($after_at as timestamptz) and coalesce(trade_id, '') > $after_id)
    )
order by event_at, coalesce(trade_id, '')
limit $row_limit
