-- Attendance of each school in each academic year, by year group (as it was that year), as sums that add
-- up across year groups (DfE measures: sessions-weighted attendance, persistent absence >= 10%, severe
-- absence >= 50%), by the standard subgroups. The Trust overview sums them per school, and the Overview for a
-- whole year group or school, or a subgroup of them.
select
    a.school_code,
    a.academic_year,
    p.year_group - (academic_year_start(p.year_group_academic_year) - academic_year_start(a.academic_year))
        as year_group,
    p.disadvantaged,
    p.sen_status,
    p.gender,
    p.prior_attainment_band,
    count(*) as pupils,
    sum(a.possible_sessions) as possible_sessions,
    sum(a.present_sessions) as present_sessions,
    count(*) filter (where a.persistent_absent) as persistent_absent_pupils,
    count(*) filter (where a.severe_absent) as severe_absent_pupils
from mart_attendance_pupil a
join mart_pupil p using (school_code, upn)
group by all
