-- nyse_regular_session(local_at): whether a New York wall time falls in NYSE's regular session:
-- a weekday, from 09:30 to 16:00, or to 13:00 on the early-close days (July 3, December 24 and
-- the day after Thanksgiving). Holidays are days without trades, so they need no test here.
-- One definition for every silver model (trades, quotes, bars) so they cannot disagree.
create or replace macro nyse_regular_session(local_at) as
    isodow(local_at) <= 5
    and cast(local_at as time) >= time '09:30:00'
    and cast(local_at as time) < case
        when (month(local_at) = 7 and day(local_at) = 3)
            or (month(local_at) = 12 and day(local_at) = 24)
            or (month(local_at) = 11 and isodow(local_at) = 5 and day(local_at) between 23 and 29)
            then time '13:00:00'
        else time '16:00:00'
    end
