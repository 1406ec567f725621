-- Progress of each school's cohorts (the pupils of one year group, followed from drop to drop) at each drop,
-- per subject and for all subjects together, by the standard subgroups (disadvantaged, SEN status, gender,
-- prior-attainment band), as counts and sums that add up: the Overview reads them for a whole year group or
-- the whole school, or a subgroup of them, so its headline and trend read hundreds of rows, not every grade.
-- A cohort is named by `year7_start`, the academic year (its first calendar year) in which it was in
-- Year 7, from the pupil's year group as view_pupils reads it; its year group at a drop of academic year
-- A is then academic_year_start(A) - year7_start + 7. On track = ahead or on track, of graded subjects
-- with a progress target (as mart_progress and the Overview count it).
select
    m.school_code,
    academic_year_start(p.year_group_academic_year) - p.year_group + 7 as year7_start,
    m.assessment_point,
    m.academic_year,
    m.point_sequence,
    m.subject_code,   -- null: all subjects together
    p.disadvantaged,
    p.sen_status,
    p.gender,
    p.prior_attainment_band,
    count(distinct m.upn) as pupils,
    count(m.status) as graded_with_target,
    count(*) filter (where m.status in ('ahead', 'on_track')) as on_track_or_ahead,
    count(*) filter (where m.status in ('below', 'well_below')) as below_or_well_below,
    count(*) filter (where m.status = 'well_below') as well_below,
    gap_total(m.gap_grades) as gap_grades_sum,   -- exact (a decimal): sums of sums give the same mean
    count(m.gap_grades) as gap_grades_count
from mart_progress m
join mart_pupil p using (school_code, upn)
group by grouping sets ((m.school_code, year7_start, m.assessment_point, m.academic_year, m.point_sequence,
                         m.subject_code, p.disadvantaged, p.sen_status, p.gender, p.prior_attainment_band),
                        (m.school_code, year7_start, m.assessment_point, m.academic_year, m.point_sequence,
                         p.disadvantaged, p.sen_status, p.gender, p.prior_attainment_band))
-- In school order: a school's queries then read only its own row groups.
order by school_code, year7_start, point_sequence, subject_code
