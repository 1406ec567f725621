-- The programmes one pupil has taken part in. A lookup (warehouse/data.py, LOOKUPS): the reader reads
-- every pupil's programmes once per snapshot and answers each ask from memory.
select i.school_code, i.upn, i.programme, s.subject_name, i.start_date, i.end_date, i.lead
from fct_intervention i
left join dim_subject s on s.school_code = i.school_code and s.subject_code = i.subject_code
where ($school is null or i.school_code = $school)
  and ($upn is null or i.upn = $upn)
  and ($scope_schools is null or list_contains($scope_schools, i.school_code))
  and ($scope_upns is null or list_contains($scope_upns, i.upn))
order by i.start_date, i.programme, i.subject_code
