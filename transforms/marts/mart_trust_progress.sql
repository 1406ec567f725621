-- Progress of each school at each drop, by year group (as it was at the drop) and disadvantage, as counts
-- that add up: the Trust overview sums them for any choice of year group, so comparing 60 schools reads a
-- few thousand rows, not every grade. On track = ahead or on track, of graded subjects with a progress
-- target (as mart_progress and the Overview count it).
select
    m.school_code,
    m.assessment_point,
    m.academic_year,
    min(m.point_date) as point_date,
    m.year_group,
    p.disadvantaged,
    count(distinct m.upn) as pupils,
    count(m.status) as graded_with_target,
    count(*) filter (where m.status in ('ahead', 'on_track')) as on_track_or_ahead,
    count(*) filter (where m.status = 'well_below') as well_below
from mart_progress m
join mart_pupil p using (school_code, upn)
where m.working_at_points is not null
group by m.school_code, m.assessment_point, m.academic_year, m.year_group, p.disadvantaged
