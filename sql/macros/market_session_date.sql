-- market_session_date(asset_class, local_at): the session a market-local time belongs to: its date
-- after moving it back by the market's session cut (market_session_cut.sql, defined before this).
create or replace macro market_session_date(asset_class, local_at) as
    cast(local_at - to_minutes(cast(session_cut_minutes(asset_class) as bigint)) as date)
