-- The pupils a role may see, from its scope (warehouse/access.py): a head of year's year groups, a
-- tutor's tutor groups, a teacher's classes or a subject leader's subjects (classes of this year).
-- Year and tutor groups are those of pupils on roll now; classes are those of each school's latest year.
with this_years_classes as (
    select m.school_code, m.upn, m.class_code, m.subject_code
    from fct_class_membership m
    where m.academic_year = (select max(x.academic_year) from fct_class_membership x
                             where x.school_code = m.school_code)
)
select distinct p.upn
from mart_pupil p
where ($schools is null or list_contains($schools, p.school_code))
  and case $role
        when 'head_of_year' then p.on_roll and list_contains($year_groups, p.year_group)
        when 'tutor' then p.on_roll and list_contains($tutor_groups, p.tutor_group)
        when 'teacher' then exists (select 1 from this_years_classes c where c.school_code = p.school_code
                                    and c.upn = p.upn and list_contains($classes, c.class_code))
        when 'subject_leader' then exists (select 1 from this_years_classes c where c.school_code = p.school_code
                                           and c.upn = p.upn and list_contains($subjects, c.subject_code))
        else false
      end
order by p.upn
