-- API GET /api/v1/posts/{symbol}: the newest social posts about a symbol from silver.sentiment_posts
-- (the lake only), with their sentiment. Grain: one row per post. Parameters: symbol, row_limit.
select
    post_id,
    source,
    strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') as created_at,
    author,
    title,
    body,
    cast(score as double) as score,
    sentiment_score,
    sentiment_label
from silver.sentiment_posts
where list_contains(symbols, $symbol)
order by created_at desc, post_id
limit $row_limit
