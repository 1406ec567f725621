-- Macros shared by the models.

-- The academic year (e.g. '2025/26') a date falls in; years turn on 1 August.
create or replace macro academic_year_of(d) as
    format('{}/{:02d}',
           case when month(d) >= 8 then year(d) else year(d) - 1 end,
           (case when month(d) >= 8 then year(d) else year(d) - 1 end + 1) % 100);

-- The calendar year an academic year starts in: '2025/26' -> 2025.
create or replace macro academic_year_start(ay) as cast(left(ay, 4) as integer);

-- The academic year starting in a calendar year: 2025 -> '2025/26'.
create or replace macro academic_year_from_start(y) as format('{}/{:02d}', y, (y + 1) % 100);

-- 'Y' / 'N' -> boolean.
create or replace macro yes(x) as case x when 'Y' then true when 'N' then false end;
