-- The pupils of a view, one row each, with their groups and what the Groups
-- and gaps page compares and intersects: subject grades on track and the gap
-- to the progress target at the drop (summed, so groups get the Overview's
-- share of graded subjects), attendance in the drop's academic year, KS4
-- figures on the chosen basis (Year 11, or the chosen year group, as on the
-- Overview). Whether they are in an intervention programme that year is
-- looked up by the loader (programme_pupils).
with pupils as (
    select p.*
    from view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                     $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) p
    where p.school_code = $school
),

progress as (
    select
        m.upn,
        count(m.status) as graded_subjects,
        count(*) filter (where m.status in ('ahead', 'on_track')) as on_track_subjects,
        count(*) filter (where m.status in ('below', 'well_below')) as below_subjects,
        count(m.gap_grades) as gaps,
        sum(m.gap_grades) as sum_gap_grades
    from mart_progress m
    where m.school_code = $school and m.assessment_point = $assessment_point
      and ($subject_code is null or m.subject_code = $subject_code)
      and ($scope_subjects is null or list_contains($scope_subjects, m.subject_code))
    group by m.upn
),

ks4 as (
    select k.*
    from mart_ks4_pupil k
    where k.school_code = $school and k.assessment_point = $assessment_point and k.basis = $basis
      and k.year_group = coalesce($year_group, 11)
),

attendance as (   -- the school's rows only (a join on the pupil's school would read every school's)
    select a.*
    from mart_attendance_pupil a
    where a.school_code = $school and a.academic_year = (
        select academic_year from dim_assessment_point
        where school_code = $school and assessment_point = $assessment_point)
)

select
    p.upn,
    p.pupil_name,
    p.tutor_group,
    p.gender,
    p.disadvantaged,
    p.sen_status,
    p.sen_status in ('K', 'E') as sen,
    p.eal,
    p.looked_after,
    p.more_able,
    p.prior_attainment_band,
    p.custom_groups,
    coalesce(g.graded_subjects, 0) as graded_subjects,
    coalesce(g.on_track_subjects, 0) as on_track_subjects,
    coalesce(g.below_subjects, 0) as below_subjects,
    coalesce(g.below_subjects, 0) > 0 as below_target_any,
    coalesce(g.gaps, 0) as gaps,
    g.sum_gap_grades,
    a.possible_sessions,
    a.present_sessions,
    a.attendance_pct,
    a.persistent_absent,
    k.upn is not null as has_ks4,
    k.attainment8,
    k.p8_estimate_exact,
    k.basics_4,
    k.basics_5,
    k.ebacc_entered,
    k.best_english >= 4 as english_4,
    k.best_maths >= 4 as maths_4,
    k.best_english >= 5 as english_5,
    k.best_maths >= 5 as maths_5
from pupils p
left join progress g on g.upn = p.upn
left join attendance a on a.upn = p.upn
left join ks4 k on k.upn = p.upn
order by p.name_order
