-- Intervention impact: for each programme, the change in working-at grades of
-- its participants over the programme's window against comparable
-- non-participants, with both group sizes.
-- One row per programme and subject (a programme without a subject: all subjects).
-- Window: from the last drop on or before the programme's first start date at
-- which participants have grades (else the first drop after it, e.g. for pupils
-- who joined in Year 7) to the first drop on or after its last end date (the
-- latest drop while it runs).
-- A pupil's change is in grades of the subject's scale: in the programme's
-- subject, or averaged over all their subjects when the programme has none.
-- Comparable non-participants: the same year group, the same subject, and a
-- similar starting point (the same whole grade at the start of the window);
-- their mean change in each starting grade is weighted by the participants in
-- that grade, so the two groups are compared like for like.
with -- A programme that names several subjects is assessed in each of them.
programmes as (
    select school_code, programme, subject_code,
           min(start_date) as start_date, max(end_date) as end_date,
           count(*) filter (where end_date is null) as still_running
    from fct_intervention
    group by all
),

drops as (
    select school_code, assessment_point, point_date, point_sequence
    from dim_assessment_point where point_kind = 'drop'
),

graded_drops as (
    select distinct i.school_code, i.programme, i.subject_code, d.assessment_point, d.point_date, d.point_sequence
    from fct_intervention i
    join int_ks_grade g
        on g.school_code = i.school_code and g.upn = i.upn and g.grade_type = 'working_at' and g.grade_entered
        and (i.subject_code is null or g.subject_code = i.subject_code)
    join drops d on d.school_code = g.school_code and d.assessment_point = g.assessment_point
),

windows as (
    select
        p.*,
        coalesce(
            (select arg_max(d.assessment_point, d.point_sequence) from graded_drops d
             where d.school_code = p.school_code and d.programme = p.programme
               and d.subject_code is not distinct from p.subject_code and d.point_date <= p.start_date),
            (select arg_min(d.assessment_point, d.point_sequence) from graded_drops d
             where d.school_code = p.school_code and d.programme = p.programme
               and d.subject_code is not distinct from p.subject_code and d.point_date > p.start_date)
        ) as from_point,
        (select case when p.still_running > 0 or p.end_date is null
                     then arg_max(d.assessment_point, d.point_sequence)
                     else arg_min(d.assessment_point, d.point_sequence) filter (where d.point_date >= p.end_date) end
         from drops d where d.school_code = p.school_code) as to_point
    from programmes p
),

-- Working-at grades at the drops the windows start and end at.
grades as (
    select g.school_code, g.upn, g.subject_code, g.assessment_point, g.year_group,
           g.points / g.grade_width as grade_value,
           -- The whole grade: a "5-" is a 5 (its A8 points), a "4a" is level 4.
           coalesce(g.a8_points, floor(g.points / g.grade_width)) as whole_grade
    from int_ks_grade g
    semi join (select school_code, from_point as assessment_point from windows
               union select school_code, to_point from windows) p using (school_code, assessment_point)
    where g.grade_type = 'working_at' and g.grade_entered
),

-- Each pupil's change over each programme's window, in the programme's subject or across all subjects.
changes as (
    select w.school_code, w.programme, w.subject_code, a.upn,
           any_value(a.year_group) as year_group,
           avg(a.whole_grade) as start_grade,
           avg(b.grade_value - a.grade_value) as change_grades
    from windows w
    join grades a on a.school_code = w.school_code and a.assessment_point = w.from_point
        and (w.subject_code is null or a.subject_code = w.subject_code)
    join grades b on b.school_code = w.school_code and b.assessment_point = w.to_point
        and b.upn = a.upn and b.subject_code = a.subject_code
    group by all
),

labelled as (
    select c.*, floor(c.start_grade) as start_band,
           exists (select 1 from fct_intervention i
                   where i.school_code = c.school_code and i.programme = c.programme and i.upn = c.upn
                     and i.subject_code is not distinct from c.subject_code) as participant
    from changes c
),

participants as (
    select * from labelled where participant
),

-- Non-participants in the participants' year groups, by year group and starting grade.
comparison_cells as (
    select l.school_code, l.programme, l.subject_code, l.year_group, l.start_band,
           avg(l.change_grades) as change_grades, count(*) as pupils
    from labelled l
    where not l.participant
      and exists (select 1 from participants p
                  where p.school_code = l.school_code and p.programme = l.programme
                    and p.subject_code is not distinct from l.subject_code and p.year_group = l.year_group)
    group by all
),

matched as (
    select p.school_code, p.programme, p.subject_code, p.upn, p.change_grades,
           c.change_grades as comparison_change
    from participants p
    left join comparison_cells c
        on c.school_code = p.school_code and c.programme = p.programme
        and c.subject_code is not distinct from p.subject_code
        and c.year_group = p.year_group and c.start_band = p.start_band
),

final as (
    select
        w.school_code,
        w.programme,
        w.subject_code,
        w.start_date,
        w.end_date,
        w.still_running > 0 as still_running,
        w.from_point,
        w.to_point,
        (select count(distinct upn) from fct_intervention i
         where i.school_code = w.school_code and i.programme = w.programme
           and i.subject_code is not distinct from w.subject_code) as participants,
        count(m.upn) as participants_with_grades,
        count(m.comparison_change) as participants_matched,
        -- Non-participants in the cells (year group and starting grade) that have participants.
        (select cast(sum(c.pupils) as bigint) from comparison_cells c
         where c.school_code = w.school_code and c.programme = w.programme
           and c.subject_code is not distinct from w.subject_code
           and exists (select 1 from participants p
                       where p.school_code = c.school_code and p.programme = c.programme
                         and p.subject_code is not distinct from c.subject_code
                         and p.year_group = c.year_group and p.start_band = c.start_band)) as comparison_pupils,
        round(avg(m.change_grades), 2) as participant_change_grades,
        round(avg(m.comparison_change), 2) as comparison_change_grades,
        round(avg(m.change_grades) filter (where m.comparison_change is not null)
              - avg(m.comparison_change), 2) as impact_grades
    from windows w
    -- No change to measure while the window has not yet passed a second drop.
    left join matched m
        on m.school_code = w.school_code and m.programme = w.programme
        and m.subject_code is not distinct from w.subject_code and w.from_point <> w.to_point
    group by all
)

select * from final
