-- How far along their journey the school's own past pupils were at each term of a
-- key stage: for pupils who started the key stage here (a working-at grade at its
-- first drop) and finished it, the share of their total progress (start to
-- outcome) made by each term, pooled as sum(progress so far) / sum(total
-- progress). One row per subject with enough pupils (progress.learned_min_pupils),
-- and one per key stage for all its subjects together (subject_code = '*').
with working_at as (
    select * from int_ks_grade where grade_type = 'working_at' and grade_entered
),

-- The first drop of the key stage (with two drops in a term, the earlier).
starts as (
    select school_code, upn, subject_code, ks_end_year, arg_min(points, point_sequence) as start_points
    from working_at
    where term_index = 1
    group by all
),

journeys as (
    select w.school_code, w.key_stage, w.subject_code, w.upn, w.term_index,
           w.points - s.start_points as progress_so_far,
           o.outcome_points - s.start_points as total_progress
    from working_at w
    join starts s using (school_code, upn, subject_code, ks_end_year)
    join int_key_stage_outcome o using (school_code, upn, subject_code, ks_end_year)
),

by_subject as (
    select school_code, key_stage, subject_code, term_index,
           sum(progress_so_far) / sum(total_progress) as fraction,
           count(distinct upn) as pupils
    from journeys
    group by all
    having count(distinct upn) >= setting_num('progress.learned_min_pupils') and sum(total_progress) > 0
),

pooled as (
    select school_code, key_stage, '*' as subject_code, term_index,
           sum(progress_so_far) / sum(total_progress) as fraction,
           count(distinct upn) as pupils
    from journeys
    group by all
    having count(distinct upn) >= setting_num('progress.learned_min_pupils') and sum(total_progress) > 0
)

select * from by_subject
union all
select * from pooled
