-- What the sidebar offers, one row per school and drop: the year groups, subjects and the school's own
-- groups seen there. Built with the snapshot, so that a viewer's first page after an import looks the
-- choices up instead of searching mart_progress school by school (filter_options.sql narrows the
-- subjects to the viewer's scope).
with seen as (
    select school_code, assessment_point,
           list(distinct year_group order by year_group) as year_groups,
           list(distinct subject_code) as subject_codes
    from mart_progress
    group by all
),

groups as (
    select school_code, list(distinct g order by g) as custom_groups
    from (select school_code, unnest(custom_groups) as g from mart_pupil)
    group by all
)

select
    p.school_code,
    p.assessment_point,
    p.academic_year,
    p.point_sequence,
    p.point_kind,
    s.year_groups,
    (select list({'code': d.subject_code, 'name': d.subject_name} order by d.subject_name)
     from dim_subject d
     where d.school_code = p.school_code and list_contains(s.subject_codes, d.subject_code)) as subjects,
    g.custom_groups
from dim_assessment_point p
left join seen s using (school_code, assessment_point)
left join groups g using (school_code)
where p.point_kind = 'drop'
order by p.school_code, p.point_sequence
