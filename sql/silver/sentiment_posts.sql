-- silver.sentiment_posts: posts deduplicated (an edit replaces the earlier text), matched to the
-- symbols of gold.dim_symbol, with a sentiment score in [-1, 1].
-- Grain: one row per post. Key: (source, post_id).
-- Partition: dt (UTC date the post was created).
-- Parameters: input_from, input_to (variables: the dt partitions read).
-- Symbols: the post's cashtags plus $TICKERS in its text, kept when the ticker is a dim_symbol version
-- valid on the post's date, and company names (legal suffixes stripped, at least 4 characters)
-- found as whole words in the text. The score is the VADER compound score of title and body
-- (silver.sentiment_scores, which records the scorer's name and version).
with posts as (
    select *
    from bronze.sentiment_posts
    where dt between getvariable('input_from') and getvariable('input_to')
),

scores as (
    select *
    from silver.sentiment_scores
    where dt between getvariable('input_from') and getvariable('input_to')
),

symbols as (
    select symbol, name, valid_from, valid_to from gold.dim_symbol
),

latest as (
    select
        *,
        md5(coalesce(title, '') || chr(10) || coalesce(body, '')) as content_hash,
        cast(created_at as date) as created_date,
        ' ' || trim(regexp_replace(lower(concat_ws(' ', title, body)), '[^a-z0-9]+', ' ', 'g')) || ' '
            as words
    from posts
    qualify row_number() over (
        partition by source, post_id order by ingested_at desc, batch_id desc
    ) = 1
),

symbol_names as (
    select
        symbol,
        valid_from,
        valid_to,
        trim(regexp_replace(lower(regexp_replace(regexp_replace(regexp_replace(
            name, '\s*\(.*\)$', ''),
            ',?\s+(inc\.?|incorporated|corporation|corp\.?|& co\.?|co\.?|company|ltd\.?|limited|plc|n\.v\.)$', '', 'i'),
            ',?\s+(holdings|group)$', '', 'i')), '[^a-z0-9]+', ' ', 'g')) as match_name
    from symbols
),

tagged as (
    select l.source, l.post_id, upper(t.tag) as symbol
    from latest as l,
        unnest(list_concat(
            coalesce(l.cashtags, []),
            regexp_extract_all(concat_ws(' ', l.title, l.body), '\$([A-Za-z][A-Za-z.\-]{0,9})\b', 1)
        )) as t(tag)
),

by_tag as (
    select distinct t.source, t.post_id, t.symbol
    from tagged as t
    join latest as l on t.source = l.source and t.post_id = l.post_id
    join symbols as s
        on t.symbol = s.symbol
        and l.created_date >= s.valid_from
        and (s.valid_to is null or l.created_date < s.valid_to)
),

by_name as (
    select distinct l.source, l.post_id, n.symbol
    from latest as l
    join symbol_names as n
        on length(n.match_name) >= 4
        and l.created_date >= n.valid_from
        and (n.valid_to is null or l.created_date < n.valid_to)
        and contains(l.words, ' ' || n.match_name || ' ')
),

matched as (
    select
        source,
        post_id,
        list_sort(list_distinct(list(symbol))) as symbols,
        list_sort(list_distinct(list(symbol) filter (where matched_by = 'cashtag'))) as cashtag_symbols,
        list_sort(list_distinct(list(symbol) filter (where matched_by = 'name'))) as name_symbols
    from (
        select *, 'cashtag' as matched_by from by_tag
        union all
        select *, 'name' as matched_by from by_name
    )
    group by source, post_id
),

final as (
    select
        l.post_id,
        l.source,
        l.created_at,
        l.author,
        l.title,
        l.body,
        l.url,
        l.score,
        l.comment_count,
        l.community,
        l.cashtags,
        coalesce(m.symbols, []) as symbols,
        coalesce(m.cashtag_symbols, []) as cashtag_symbols,
        coalesce(m.name_symbols, []) as name_symbols,
        s.sentiment_score,
        case
            when s.sentiment_score is null then null
            when s.sentiment_score >= 0.05 then 'positive'
            when s.sentiment_score <= -0.05 then 'negative'
            else 'neutral'
        end as sentiment_label,
        s.scorer_name,
        s.scorer_version,
        l.content_hash,
        l.batch_id,
        l.ingested_at,
        l.dt
    from latest as l
    left join matched as m on l.source = m.source and l.post_id = m.post_id
    left join scores as s
        on l.source = s.source and l.post_id = s.post_id and l.content_hash = s.content_hash
)

select * from final
