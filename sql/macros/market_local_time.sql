-- market_local_time(zone, instant): the market-local wall time of a UTC instant.
-- Known zones are constants so DuckDB builds one ICU calendar, not one per row (timezone() with a
-- per-row zone is about 20x slower on millions of rows). Macros inline, so this costs nothing.
create or replace macro market_local_time(zone, instant) as
    case zone
        when 'America/New_York' then timezone('America/New_York', instant)
        when 'UTC' then timezone('UTC', instant)
        else timezone(zone, instant)
    end
