-- What the sidebar filters offer: one row per school and drop, with the year
-- groups, subjects and custom groups seen there (within the viewer's scope).
select
    p.school_code,
    p.assessment_point,
    p.academic_year,
    p.point_sequence,
    p.point_kind,
    (select list(distinct a.year_group order by a.year_group) from mart_progress a
     where a.school_code = p.school_code and a.assessment_point = p.assessment_point) as year_groups,
    (select list({'code': s.subject_code, 'name': s.subject_name} order by s.subject_name)
     from dim_subject s
     where s.school_code = p.school_code
       and ($scope_subjects is null or list_contains($scope_subjects, s.subject_code))
       and exists (select 1 from mart_progress a where a.school_code = p.school_code
                   and a.assessment_point = p.assessment_point and a.subject_code = s.subject_code)) as subjects,
    (select list(distinct g order by g) from (select unnest(custom_groups) as g from mart_pupil m
     where m.school_code = p.school_code)) as custom_groups
from dim_assessment_point p
where ($scope_schools is null or list_contains($scope_schools, p.school_code))
  and p.point_kind = 'drop'
order by p.school_code, p.point_sequence
