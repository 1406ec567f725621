-- Macros the named queries (warehouse/queries/) use over the marts; created after the models.

-- The pupils a dashboard view covers: the viewer's scope (lists; null = all),
-- the year group they were in at the chosen drop (so a trend follows the same
-- pupils), and the subgroup filters chosen (null = any). Named queries select from it
-- or join it: its rows are mart_pupil's, every column, so a query that shows the
-- pupils' names or groups reads them here (a second read of mart_pupil and a join
-- cost a whole school's rows 5-25% more).
create or replace macro view_pupils(scope_schools, scope_upns, school, point_is, year_group_is,
                                    disadvantaged_is, sen_is, gender_is, band_is, group_is) as table
    select p.*
    from mart_pupil p
    where (scope_schools is null or list_contains(scope_schools, p.school_code))
      and (scope_upns is null or list_contains(scope_upns, p.upn))
      and (school is null or p.school_code = school)
      and (year_group_is is null or p.year_group - (academic_year_start(p.year_group_academic_year) - (
              select academic_year_start(d.academic_year) from dim_assessment_point d
              where d.school_code = p.school_code and d.assessment_point = point_is)) = year_group_is)
      and (disadvantaged_is is null or p.disadvantaged = disadvantaged_is)
      and (sen_is is null or p.sen_status = sen_is)
      and (gender_is is null or p.gender = gender_is)
      and (band_is is null or p.prior_attainment_band = band_is)
      and (group_is is null or list_contains(p.custom_groups, group_is));

-- Grades entered and missing per class at one drop (point_is null: every drop). The completeness mart
-- has a row per class and year group (a mixed-year class has several): this sums them per class.
create or replace macro completeness_by_class(point_is) as table
    select school_code, assessment_point, subject_code, subject_name, teacher_code, teacher_name, class_code,
           sum(pupils) as pupils, sum(grades_entered) as grades_entered, sum(grades_missing) as grades_missing
    from mart_assessment_completeness
    where point_is is null or assessment_point = point_is
    group by all;

-- The first and the last month (by its first day) lying wholly between two dates: the months whose counts
-- mart_attendance_pupil_month holds are summed, and only the marks outside them are counted one by one.
create or replace macro first_whole_month(from_date) as
    case when day(from_date) = 1 then cast(from_date as date)
         else cast(date_trunc('month', from_date) + interval 1 month as date) end;
create or replace macro last_whole_month(to_date) as
    case when to_date = last_day(to_date) then cast(date_trunc('month', to_date) as date)
         else cast(date_trunc('month', to_date) - interval 1 month as date) end;

-- The rows of mart_cohort_progress that a view of a whole year group (or the whole school), or a standard
-- subgroup of it, sums: the school's, for a viewer of it; the cohort that is the chosen year group at the
-- chosen drop (null: every cohort); the subgroups chosen (null: any). The Overview's `_whole_cohort` queries.
create or replace macro cohort_counts(scope_schools, school, point_is, year_group_is, disadvantaged_is, sen_is,
                                      gender_is, band_is) as table
    select c.*
    from mart_cohort_progress c
    where c.school_code = school
      and (scope_schools is null or list_contains(scope_schools, school))
      and (year_group_is is null or c.year7_start = (
              select academic_year_start(d.academic_year) from dim_assessment_point d
              where d.school_code = school and d.assessment_point = point_is) - year_group_is + 7)
      and (disadvantaged_is is null or c.disadvantaged = disadvantaged_is)
      and (sen_is is null or c.sen_status = sen_is)
      and (gender_is is null or c.gender = gender_is)
      and (band_is is null or c.prior_attainment_band = band_is);

-- The Trust overview's figures for every school at every drop (by name: each school's own drop of that name),
-- for each year group (as it was at the drop) and for all of them together (year_group null), summed from the
-- trust marts' counts: pupils graded, on track (ahead or on track, as a share of graded subjects with a
-- progress target, as on the Overview), well below, the gap in on track between disadvantaged pupils and the
-- rest (percentage points), attendance in the drop's academic year with the share persistently absent (DfE),
-- and Year 11's Attainment 8, estimated Progress 8 and Basics 4+ on working-at grades (Year 11, or all year
-- groups). Every school with the drop has a row for every year group the Trust overview offers (7-13) and any
-- other with counts, with no pupils where it has none.
-- trust_schools and trust_schools_all_years read it; the reader keeps their rows in memory per snapshot.
create or replace macro trust_school_figures() as table
    with points as (
        select school_code, assessment_point, academic_year from dim_assessment_point
    ),
    year_groups as (   -- a secondary school's (7-13) and any other a school has counts for; null: all together
        select unnest(range(7, 14)) as year_group
        union select year_group from mart_trust_progress where year_group is not null
        union select year_group from mart_trust_attendance where year_group is not null
        union select null
    ),
    progress as (   -- a row per year group, and one of all of them (grouping: 1) with year_group null
        select t.school_code, t.assessment_point, t.year_group,
               cast(sum(t.pupils) as bigint) as pupils,
               cast(sum(t.graded_with_target) as bigint) as graded_with_target,
               cast(sum(t.on_track_or_ahead) as bigint) as on_track_or_ahead,
               round(100.0 * sum(t.on_track_or_ahead) / nullif(sum(t.graded_with_target), 0), 1) as pct_on_track,
               round(100.0 * sum(t.well_below) / nullif(sum(t.graded_with_target), 0), 1) as pct_well_below,
               round(100.0 * sum(t.on_track_or_ahead) filter (where t.disadvantaged)
                     / nullif(sum(t.graded_with_target) filter (where t.disadvantaged), 0)
                   - 100.0 * sum(t.on_track_or_ahead) filter (where not t.disadvantaged)
                     / nullif(sum(t.graded_with_target) filter (where not t.disadvantaged), 0), 1)
                   as disadvantaged_gap_pts
        from mart_trust_progress t
        group by grouping sets ((t.school_code, t.assessment_point, t.year_group), (t.school_code, t.assessment_point))
        having grouping(t.year_group) = 1 or t.year_group is not null   -- pupils of no year group: in all only
    ),
    attendance as (
        select d.school_code, d.assessment_point, t.year_group,
               round(100.0 * sum(t.present_sessions) / nullif(sum(t.possible_sessions), 0), 1) as attendance_pct,
               round(100.0 * sum(t.persistent_absent_pupils) / nullif(sum(t.pupils), 0), 1) as pct_persistent_absent
        from mart_trust_attendance t
        join points d using (school_code, academic_year)
        group by grouping sets ((d.school_code, d.assessment_point, t.year_group), (d.school_code, d.assessment_point))
        having grouping(t.year_group) = 1 or t.year_group is not null
    )
    select d.school_code, d.assessment_point, y.year_group, coalesce(g.pupils, 0) as pupils, g.graded_with_target,
           g.on_track_or_ahead, g.pct_on_track, g.pct_well_below, g.disadvantaged_gap_pts,
           a.attendance_pct, a.pct_persistent_absent, k.avg_attainment8, k.p8_estimate, k.pct_basics_4
    from points d
    cross join year_groups y
    left join progress g on g.school_code = d.school_code and g.assessment_point = d.assessment_point
                        and g.year_group is not distinct from y.year_group
    left join attendance a on a.school_code = d.school_code and a.assessment_point = d.assessment_point
                          and a.year_group is not distinct from y.year_group
    left join mart_ks4_school k on k.school_code = d.school_code and k.assessment_point = d.assessment_point
                               and k.basis = 'working_at' and k.year_group = 11 and coalesce(y.year_group, 11) = 11;

-- On track (as on the Overview) at each drop of a chosen drop's academic year and the year before, up to the
-- chosen drop's date, for every school, for each year group as it was at each drop and for all of them
-- together (year_group null): a row per chosen drop name (chosen_point), year group, school and drop with
-- grades. trust_trend and trust_trend_all_years read it; the reader keeps their rows in memory per snapshot.
create or replace macro trust_trend_rows() as table
    with chosen as (
        select assessment_point as chosen_point, max(academic_year_start(academic_year)) as last_year,
               max(point_date) as last_date
        from dim_assessment_point
        group by assessment_point
    )
    select c.chosen_point, t.year_group, t.school_code, t.assessment_point, min(t.point_date) as point_date,
           cast(sum(t.pupils) as bigint) as pupils,
           round(100.0 * sum(t.on_track_or_ahead) / nullif(sum(t.graded_with_target), 0), 1) as pct_on_track
    from chosen c
    join mart_trust_progress t
      on academic_year_start(t.academic_year) between c.last_year - 1 and c.last_year and t.point_date <= c.last_date
    group by grouping sets ((c.chosen_point, t.year_group, t.school_code, t.assessment_point),
                            (c.chosen_point, t.school_code, t.assessment_point))
    having sum(t.graded_with_target) > 0 and (grouping(t.year_group) = 1 or t.year_group is not null);
