-- silver.index_changes: index membership history lines, one row per ticker.
-- Grain: one row per index, symbol, action and effective_date. Key: (index_name, symbol, action,
-- effective_date). Unpartitioned.
-- A line naming several tickers (`remove: "DISCA,DISCK"`) becomes one row per ticker. The same
-- line sent again (a re-sent file) keeps its latest version.
with changes as (
    select * from bronze.index_changes
),

per_symbol as (
    select
        index_name,
        unnest(symbols) as symbol,
        action,
        effective_date,
        end_date,
        ingested_at,
        batch_id
    from changes
),

final as (
    select index_name, symbol, action, effective_date, end_date
    from per_symbol
    where symbol is not null
    qualify row_number() over (
        partition by index_name, symbol, action, effective_date order by ingested_at desc, batch_id desc
    ) = 1
)

select * from final
