-- Each programme's impact against comparable pupils (mart_intervention_impact), for the viewer's schools,
-- and the chosen subject's programmes (with those for all subjects). A lookup (warehouse/data.py, LOOKUPS):
-- the reader reads every school's programmes once per snapshot and answers each ask from memory.
select i.*, coalesce(s.subject_name, 'All subjects') as subject_name
from mart_intervention_impact i
left join dim_subject s on s.school_code = i.school_code and s.subject_code = i.subject_code
where ($school is null or i.school_code = $school)
  and ($scope_schools is null or list_contains($scope_schools, i.school_code))
  and ($subject_code is null or i.subject_code = $subject_code or i.subject_code is null)
order by i.start_date desc, i.programme, i.subject_code nulls first
