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
