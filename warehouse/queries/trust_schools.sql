-- Each school of the trust at one drop (by name: each school's own drop of that name), for the chosen year
-- group (null: all): pupils graded, on track (ahead or on track, as a share of graded subjects with a
-- progress target, as on the Overview), well below, the gap in on track between disadvantaged pupils and
-- the rest (percentage points), attendance in the drop's academic year with the share persistently absent
-- (DfE), and Year 11's Attainment 8, estimated Progress 8 and Basics 4+ on working-at grades.
-- From the trust marts (counts per school, drop, year group): for whole-school viewers only, so a viewer
-- of some pupils or subjects gets no rows rather than figures about pupils outside their scope.
with points as (
    select d.school_code, d.assessment_point, d.academic_year
    from dim_assessment_point d
    where d.assessment_point = $assessment_point
      and ($scope_schools is null or list_contains($scope_schools, d.school_code))
      and $scope_upns is null and $scope_subjects is null
),

progress as (
    select t.school_code,
           cast(sum(t.pupils) as bigint) as pupils,
           cast(sum(t.graded_with_target) as bigint) as graded_with_target,
           cast(sum(t.on_track_or_ahead) as bigint) as on_track_or_ahead,
           round(100.0 * sum(t.on_track_or_ahead) / nullif(sum(t.graded_with_target), 0), 1) as pct_on_track,
           round(100.0 * sum(t.well_below) / nullif(sum(t.graded_with_target), 0), 1) as pct_well_below,
           round(100.0 * sum(t.on_track_or_ahead) filter (where t.disadvantaged)
                 / nullif(sum(t.graded_with_target) filter (where t.disadvantaged), 0)
               - 100.0 * sum(t.on_track_or_ahead) filter (where not t.disadvantaged)
                 / nullif(sum(t.graded_with_target) filter (where not t.disadvantaged), 0), 1)
               as disadvantaged_gap_pts
    from mart_trust_progress t
    join points d using (school_code, assessment_point)
    where $year_group is null or t.year_group = $year_group
    group by t.school_code
),

attendance as (
    select t.school_code,
           round(100.0 * sum(t.present_sessions) / nullif(sum(t.possible_sessions), 0), 1) as attendance_pct,
           round(100.0 * sum(t.persistent_absent_pupils) / nullif(sum(t.pupils), 0), 1) as pct_persistent_absent
    from mart_trust_attendance t
    join points d using (school_code, academic_year)
    where $year_group is null or t.year_group = $year_group
    group by t.school_code
),

ks4 as (
    select k.school_code, k.avg_attainment8, k.p8_estimate, k.pct_basics_4
    from mart_ks4_school k
    join points d using (school_code, assessment_point)
    where k.basis = 'working_at' and k.year_group = 11 and coalesce($year_group, 11) = 11
)

select d.school_code, coalesce(g.pupils, 0) as pupils, g.graded_with_target, g.on_track_or_ahead, g.pct_on_track, g.pct_well_below, g.disadvantaged_gap_pts,
       a.attendance_pct, a.pct_persistent_absent, k.avg_attainment8, k.p8_estimate, k.pct_basics_4
from points d
left join progress g using (school_code)
left join attendance a using (school_code)
left join ks4 k using (school_code)
order by d.school_code
