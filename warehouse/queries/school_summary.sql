-- Headline counts per school (mart_school_summary).
select *
from mart_school_summary
order by school_code
