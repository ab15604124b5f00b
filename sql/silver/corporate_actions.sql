-- silver.corporate_actions: split and dividend factors per symbol, each row with the sessions it covers.
-- Grain: one row per symbol per factor_date. Key: (symbol, factor_date). Unpartitioned.
-- Factor files are cumulative: a new dividend or split changes the factors of every earlier row,
-- so a vendor re-sends the whole file. The latest ingested batch of a symbol is its truth; rows
-- of older batches are dropped. A row's factors apply to the sessions after the previous row's
-- factor_date (covers_from) up to and including its own factor_date: adjusted price = raw price x
-- price_factor x split_factor (adjustment_factor).
with actions as (
    select * from bronze.corporate_actions
),

latest_batch as (
    select *
    from actions
    qualify batch_id = first_value(batch_id) over (
        partition by symbol order by ingested_at desc, batch_id desc
    )
),

latest as (
    select *
    from latest_batch
    qualify row_number() over (partition by symbol, factor_date order by batch_id) = 1
),

final as (
    select
        symbol,
        factor_date,
        coalesce(
            lag(factor_date) over (partition by symbol order by factor_date) + 1, date '0001-01-01'
        ) as covers_from,
        price_factor,
        split_factor,
        price_factor * split_factor as adjustment_factor,
        reference_price,
        source,
        batch_id,
        ingested_at
    from latest
)

select * from final
