-- session_cut_minutes(asset_class): where a market's session day starts, in minutes after local
-- midnight. Crypto (24/7): CRYPTO_SESSION_CUT, set as the variable crypto_session_cut_minutes by the
-- model runner; 0 (the UTC day) when unset. US equities: 0 (the session is the New York calendar
-- day; its regular hours are nyse_regular_session's).
create or replace macro session_cut_minutes(asset_class) as
    case asset_class when 'crypto' then coalesce(getvariable('crypto_session_cut_minutes'), 0) else 0 end
