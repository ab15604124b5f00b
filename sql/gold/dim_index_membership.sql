-- gold.dim_index_membership: which symbols belonged to an index when, without survivorship bias.
-- Grain: one row per index, symbol and membership interval. Key: (index_name, symbol, valid_from).
-- valid_to is exclusive (the day it left); null while a member. Unpartitioned.
-- "The S&P 500 as of a date" is one filter: valid_from <= d and (valid_to is null or valid_to > d).
-- Evidence, merged per index, symbol and day: silver.index_changes (member intervals, add and
-- remove lists) and full constituent snapshots in silver.symbol_refs (source = index name,
-- snapshot = 'full': a symbol listed is in on that day, one the source listed before and this
-- snapshot leaves out is out). A day any evidence says "in" is in (an add and a snapshot agree; a
-- same-day remove of another listing does not drop it). Membership runs from a day it is in to the
-- next day it is out.
-- entity_key: the gold.dim_symbol entity of the ticker during the interval (its earliest version
-- that overlaps it), else the ticker's own key, so FB's and META's intervals share the company.
with changes as (
    select * from silver.index_changes
),

refs as (
    select symbol, source, snapshot, valid_from from silver.symbol_refs
),

snapshots as (
    select distinct source, valid_from as snapshot_date from refs where snapshot = 'full' and source <> ''
),

snapshot_symbols as (
    select distinct source, symbol from refs where snapshot = 'full' and source <> ''
),

events as (
    select index_name, symbol, effective_date as event_date, true as is_in from changes where action in ('add', 'member')
    union all
    select index_name, symbol, end_date as event_date, false as is_in
    from changes
    where action = 'member' and end_date is not null
    union all
    select index_name, symbol, effective_date as event_date, false as is_in from changes where action = 'remove'
    union all
    select s.source as index_name, y.symbol, s.snapshot_date as event_date, r.symbol is not null as is_in
    from snapshots as s
    join snapshot_symbols as y on y.source = s.source
    left join refs as r on r.source = s.source and r.symbol = y.symbol and r.valid_from = s.snapshot_date
),

days as (
    select index_name, symbol, event_date, bool_or(is_in) as is_in
    from events
    group by index_name, symbol, event_date
),

flips as (
    select *
    from (
        select *, lag(is_in) over (partition by index_name, symbol order by event_date) as was_in
        from days
    )
    where was_in is distinct from is_in
),

intervals as (
    select
        index_name,
        symbol,
        event_date as valid_from,
        lead(event_date) over (partition by index_name, symbol order by event_date) as valid_to,
        is_in
    from flips
),

members as (
    select index_name, symbol, valid_from, valid_to from intervals where is_in
),

entities as (
    select
        m.index_name,
        m.symbol,
        m.valid_from,
        arg_min(d.entity_key, d.valid_from) as entity_key
    from members as m
    join gold.dim_symbol as d
        on d.symbol = m.symbol
        and d.valid_from < coalesce(m.valid_to, date '9999-12-31')
        and coalesce(d.valid_to, date '9999-12-31') > m.valid_from
    group by m.index_name, m.symbol, m.valid_from
),

final as (
    select
        m.index_name,
        m.symbol,
        coalesce(e.entity_key, cast(md5_number('ticker:' || m.symbol) >> 66 as bigint)) as entity_key,
        m.valid_from,
        m.valid_to,
        m.valid_to is null as is_current
    from members as m
    left join entities as e
        on m.index_name = e.index_name and m.symbol = e.symbol and m.valid_from = e.valid_from
)

select * from final
