-- asset_class_timezone(asset_class): the zone a market's local times are taken in: UTC for crypto
-- (24/7 venues), New York for US equities.
create or replace macro asset_class_timezone(asset_class) as
    case asset_class when 'crypto' then 'UTC' else 'America/New_York' end
