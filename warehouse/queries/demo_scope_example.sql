-- A year group, tutor group, class and subject to give the demo's made-up accounts of each role:
-- the biggest class of the latest year, its subject, and one of its pupils' year and tutor group.
with latest as (
    select * from fct_class_membership m
    where m.academic_year = (select max(academic_year) from fct_class_membership)
),
biggest as (
    select school_code, class_code, subject_code, count(*) as pupils
    from latest group by all order by pupils desc, class_code limit 1
)
select b.school_code, b.class_code, b.subject_code, p.year_group, p.tutor_group
from biggest b
join latest m using (school_code, class_code)
join mart_pupil p on p.school_code = m.school_code and p.upn = m.upn and p.on_roll
order by p.upn
limit 1
