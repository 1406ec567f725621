-- Explore: one row per chosen pupil at the drop (a working-at grade there, or
-- attendance in its academic year), with their groups (year group as at the
-- drop), attendance in the drop's academic year (mart_attendance_pupil, as the
-- Overview counts it) and KS4 headlines at the drop on the chosen basis
-- (mart_ks4_pupil: Year 11, or the year group chosen, as the Overview).
with point as (
    select academic_year, academic_year_start(academic_year) as year_start
    from dim_assessment_point
    where school_code = $school and assessment_point = $assessment_point
),

chosen as (
    select p.*
    from view_pupils($scope_schools, $scope_upns, $school, $assessment_point, $year_group,
                     $disadvantaged, $sen_status, $gender, $prior_attainment_band, $custom_group) p
    where p.school_code = $school
),

graded as (
    select distinct m.school_code, m.upn
    from mart_progress m
    where m.school_code = $school and m.assessment_point = $assessment_point
      and ($scope_subjects is null or list_contains($scope_subjects, m.subject_code))
      and m.working_at_points is not null
),

attendance as (
    select a.*
    from mart_attendance_pupil a
    where a.school_code = $school and a.academic_year = (select academic_year from point)
),

ks4 as (
    select k.*
    from mart_ks4_pupil k
    where k.school_code = $school and k.assessment_point = $assessment_point and k.basis = $basis
      and k.year_group = coalesce($year_group, 11)
)

select
    p.upn,
    p.pupil_name,
    p.surname,
    p.forename,
    p.tutor_group,
    p.year_group - (academic_year_start(p.year_group_academic_year) - (select year_start from point)) as year_group,
    p.gender,
    p.disadvantaged,
    p.sen_status,
    p.eal,
    p.prior_attainment_band,
    p.custom_groups,
    a.possible_sessions,
    a.present_sessions,
    a.attendance_pct,
    a.persistent_absent,
    k.attainment8,
    k.p8_estimate,
    k.p8_estimate_exact,
    k.basics_4,
    k.basics_5,
    k.ebacc_entered
from chosen p
left join attendance a using (school_code, upn)
left join ks4 k using (school_code, upn)
where a.upn is not null or k.upn is not null
   or exists (select 1 from graded g where g.school_code = p.school_code and g.upn = p.upn)
order by p.name_order
