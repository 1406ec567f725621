-- Assessment points with how many grades each holds.
select
    p.school_code,
    p.assessment_point,
    p.academic_year,
    p.term,
    p.point_date,
    p.point_kind,
    count(a.upn) as assessments,
    count(a.upn) filter (where a.grade_entered) as grades_entered
from dim_assessment_point p
left join fct_assessment a using (school_code, assessment_point)
group by all
order by p.school_code, p.point_date
