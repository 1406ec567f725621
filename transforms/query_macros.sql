-- Macros the named queries (warehouse/queries/) use over the marts; created after the models.

-- The pupils a dashboard view covers: the viewer's scope (lists; null = all),
-- the year group they were in at the chosen drop (so a trend follows the same
-- pupils), and the subgroup filters chosen (null = any). Named queries select from it.
create or replace macro view_pupils(scope_schools, scope_upns, school, point_is, year_group_is,
                                    disadvantaged_is, sen_is, gender_is, band_is, group_is) as table
    select p.school_code, p.upn
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
