-- silver.sentiment_scores: the sentiment score of every distinct post text (a TypeScript step scores
-- what this query selects: DuckDB cannot call the npm scorer).
-- Grain: one row per source, post id and text version. Key: (source, post_id, content_hash).
-- Partition: dt (UTC date the post was created).
-- Parameters: input_from, input_to (variables: the bronze dt partitions read).
-- content_hash is md5 of title, a newline and body (nulls as empty): silver.sentiment_posts joins on it.
with posts as (
    select *
    from bronze.sentiment_posts
    where dt between getvariable('input_from') and getvariable('input_to')
),

texts as (
    select distinct
        source,
        post_id,
        md5(coalesce(title, '') || chr(10) || coalesce(body, '')) as content_hash,
        dt,
        concat_ws(chr(10), title, body) as text
    from posts
),

final as (
    select source, post_id, content_hash, cast(dt as varchar) as dt, text
    from texts
    order by source, post_id, content_hash
)

select * from final
