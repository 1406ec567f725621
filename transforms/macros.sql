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

-- A setting from tracker.toml (see warehouse/config.py MEASURE_DEFAULTS), as text or as a number.
create or replace macro setting(n) as (select value from ref_settings where name = n);
create or replace macro setting_num(n) as (select cast(value as double) from ref_settings where name = n);

-- Key stages in National Curriculum years: KS3 is Years 7-9, KS4 Years 10-11, KS5 Years 12-13.
create or replace macro ks_first_year(ks) as case ks when '3' then 7 when '4' then 10 when '5' then 12 end;
create or replace macro ks_years(ks) as case ks when '3' then 3 else 2 end;
-- Position of a term in a key stage: 1 = autumn of its first year ... ks_years * 3 = summer of its last.
create or replace macro ks_term_index(ks, year_group, term_number) as (year_group - ks_first_year(ks)) * 3 + term_number;


-- The mean gap to target (grades) of a group, to 2 places, from an exact total: each gap counted to 6 places
-- and added as a decimal, so the mean is the same however its rows are added up (a pupil's rows one by one,
-- or the sums of mart_cohort_progress), even where it falls on a tie at the third place.
create or replace macro gap_total(gap) as sum(cast(gap as decimal(18, 6)));
create or replace macro mean_of_total(total, n) as round(total / nullif(cast(n as bigint), 0), 2);
