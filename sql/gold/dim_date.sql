-- gold.dim_date: calendar covering every whole year that has trades or bars, with NYSE trading
-- days, holidays and early closes, and crypto trading every day.
-- Grain: one row per calendar day. Key: date_key (yyyymmdd). Unpartitioned.
-- NYSE rules (NYSE Rule 7.2, holidays since 1998): New Year's Day (Sunday -> Monday; a Saturday is
-- not made up), Martin Luther King Jr. Day (3rd Monday of January), Washington's Birthday (3rd
-- Monday of February), Good Friday (two days before Western Easter), Memorial Day (last Monday of
-- May), Juneteenth (from 2022), Independence Day, Labor Day (1st Monday of September),
-- Thanksgiving (4th Thursday of November), Christmas; a holiday on Saturday moves to Friday, on
-- Sunday to Monday. Early closes at 13:00 New York: July 3 and December 24 when they are trading
-- weekdays, and the day after Thanksgiving. Unscheduled closures are listed by hand below.
with sessions as (
    select session_date from silver.trades
    union all
    select session_date from silver.bars
),

bounds as (
    select
        make_date(year(min(session_date)), 1, 1) as first_date,
        make_date(year(max(session_date)), 12, 31) as last_date
    from sessions
    having count(*) > 0
),

days as (
    select cast(unnest(generate_series(first_date, last_date, interval 1 day)) as date) as date
    from bounds
),

years as (
    select distinct cast(year(date) as integer) as y from days
),

easter as (
    -- Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    select
        y,
        make_date(y, cast((h + l - 7 * m + 114) // 31 as integer), cast(((h + l - 7 * m + 114) % 31) + 1 as integer))
            as easter_date
    from (
        select y, a, b, c, d, e, h, i, k, l, (a + 11 * h + 22 * l) // 451 as m
        from (
            select *, (32 + 2 * e + 2 * i - h - k) % 7 as l
            from (
                select
                    y, a, b, c, d, e, i, k,
                    (19 * a + b - d - (b - (b + 8) // 25 + 1) // 3 + 15) % 30 as h
                from (
                    select y, y % 19 as a, y // 100 as b, y % 100 as c, (y // 100) // 4 as d,
                        (y // 100) % 4 as e, (y % 100) // 4 as i, (y % 100) % 4 as k
                    from years
                )
            )
        )
    )
),

nth_weekdays as (
    -- First occurrence of an ISO weekday in a month, and the last Monday of May.
    select
        y,
        make_date(y, 1, 1) + cast((8 - isodow(make_date(y, 1, 1))) % 7 as integer) + 14 as mlk_day,
        make_date(y, 2, 1) + cast((8 - isodow(make_date(y, 2, 1))) % 7 as integer) + 14 as presidents_day,
        make_date(y, 5, 31) - cast((isodow(make_date(y, 5, 31)) - 1) as integer) as memorial_day,
        make_date(y, 9, 1) + cast((8 - isodow(make_date(y, 9, 1))) % 7 as integer) as labor_day,
        make_date(y, 11, 1) + cast((11 - isodow(make_date(y, 11, 1))) % 7 as integer) + 21 as thanksgiving
    from years
),

fixed_holidays as (
    select y, name, make_date(y, month, day) as actual_date
    from years
    cross join (
        values ('Independence Day', 7, 4, 1998), ('Christmas Day', 12, 25, 1998), ('Juneteenth', 6, 19, 2022)
    ) as f(name, month, day, since)
    where y >= since
),

holidays as (
    select
        case isodow(actual_date)
            when 6 then actual_date - 1
            when 7 then actual_date + 1
            else actual_date
        end as date,
        name
    from fixed_holidays
    union all
    select make_date(y, 1, 1) + case isodow(make_date(y, 1, 1)) when 7 then 1 else 0 end, 'New Year''s Day'
    from years
    where isodow(make_date(y, 1, 1)) <> 6
    union all
    select mlk_day, 'Martin Luther King Jr. Day' from nth_weekdays where y >= 1998
    union all
    select presidents_day, 'Washington''s Birthday' from nth_weekdays
    union all
    select memorial_day, 'Memorial Day' from nth_weekdays
    union all
    select labor_day, 'Labor Day' from nth_weekdays
    union all
    select thanksgiving, 'Thanksgiving Day' from nth_weekdays
    union all
    select easter_date - 2, 'Good Friday' from easter
    union all
    select cast(date as date), name
    from (
        values
            ('2001-09-11', 'Closed: September 11 attacks'),
            ('2001-09-12', 'Closed: September 11 attacks'),
            ('2001-09-13', 'Closed: September 11 attacks'),
            ('2001-09-14', 'Closed: September 11 attacks'),
            ('2004-06-11', 'Closed: National Day of Mourning (Reagan)'),
            ('2007-01-02', 'Closed: National Day of Mourning (Ford)'),
            ('2012-10-29', 'Closed: Hurricane Sandy'),
            ('2012-10-30', 'Closed: Hurricane Sandy'),
            ('2018-12-05', 'Closed: National Day of Mourning (G. H. W. Bush)'),
            ('2025-01-09', 'Closed: National Day of Mourning (Carter)')
    ) as c(date, name)
),

holiday_days as (
    select date, string_agg(name, '; ' order by name) as holiday_name
    from holidays
    group by date
),

flagged as (
    select
        d.date,
        h.holiday_name,
        isodow(d.date) <= 5 and h.date is null as is_nyse_trading_day
    from days as d
    left join holiday_days as h on d.date = h.date
),

with_early_close as (
    select
        f.*,
        f.is_nyse_trading_day
        and (
            (month(f.date) = 7 and day(f.date) = 3)
            or (month(f.date) = 12 and day(f.date) = 24)
            or f.date - 1 = n.thanksgiving
        ) as is_nyse_early_close
    from flagged as f
    left join nth_weekdays as n on year(f.date) = n.y
),

final as (
    select
        cast(year(date) * 10000 + month(date) * 100 + day(date) as integer) as date_key,
        date,
        cast(year(date) as integer) as year,
        cast(quarter(date) as integer) as quarter,
        cast(month(date) as integer) as month,
        cast(day(date) as integer) as day,
        cast(isodow(date) as integer) as day_of_week,
        dayname(date) as day_name,
        cast(weekofyear(date) as integer) as iso_week,
        isodow(date) >= 6 as is_weekend,
        is_nyse_trading_day,
        true as is_crypto_trading_day,
        holiday_name is not null and isodow(date) <= 5 as is_nyse_holiday,
        holiday_name as nyse_holiday_name,
        is_nyse_early_close,
        case when is_nyse_trading_day then time '09:30:00' end as nyse_open_local_time,
        case
            when is_nyse_early_close then time '13:00:00'
            when is_nyse_trading_day then time '16:00:00'
        end as nyse_close_local_time
    from with_early_close
)

select * from final
