-- Predictions: one row per pupil x subject x method, each named with its method
-- and never used as a target. Methods:
-- school_history  the school's own past results in the subject, from prior
--                 attainment: a least-squares line of each past pupil's outcome
--                 (final result; end-of-KS3 grade for KS3) on their baseline
--                 (int_pupil_baseline: KS2 average, or the linked alternative
--                 baseline where KS2 is missing), fitted per subject on pupils
--                 whose key stage has ended; needs progress.learned_min_pupils of them.
-- imported        the current estimate imported in the targets file (target_kind
--                 estimate), e.g. FFT50; source says which.
-- dfe_a8          the DfE Attainment 8 estimate for the pupil's KS2 group, per
--                 subject: the English or maths element / 2, the EBacc element / 3
--                 for EBacc subjects, the open element / 3 for other A8 subjects.
with baselines as (
    select * from int_pupil_baseline
),

taking as (
    select distinct g.school_code, g.upn, g.subject_code, s.key_stage, s.grade_scale, s.ebacc_category,
                    coalesce(s.a8_eligible, false) as a8_eligible
    from int_ks_grade g
    join dim_subject s using (school_code, subject_code)
    join dim_pupil p using (school_code, upn)
    where p.on_roll
      -- Subjects of the key stage the pupil is in now.
      and p.year_group between ks_first_year(s.key_stage) and ks_first_year(s.key_stage) + ks_years(s.key_stage) - 1
),

history as (
    select o.school_code, o.subject_code,
           regr_intercept(o.outcome_points, b.baseline_ks2) as intercept,
           regr_slope(o.outcome_points, b.baseline_ks2) as slope,
           count(*) as pupils
    from int_key_stage_outcome o
    join baselines b using (school_code, upn)
    where b.baseline_ks2 is not null
    group by all
    having count(*) >= setting_num('progress.learned_min_pupils')
),

scale_range as (
    select scale_code, min(points) as lowest, max(points) as highest from int_grade_scale group by all
),

from_history as (
    select t.school_code, t.upn, t.subject_code, 'school_history' as method,
           'school results, ' || h.pupils || ' past pupils' as source,
           b.baseline_source,
           least(r.highest, greatest(r.lowest, h.intercept + h.slope * b.baseline_ks2)) as predicted_points
    from taking t
    join baselines b using (school_code, upn)
    join history h using (school_code, subject_code)
    join scale_range r on r.scale_code = t.grade_scale
    where b.baseline_ks2 is not null
),

imported as (
    select e.school_code, e.upn, e.subject_code, 'imported' as method,
           coalesce(e.target_source, 'imported estimate') as source,
           null as baseline_source, e.grade_points as predicted_points
    from fct_target e
    join dim_pupil p using (school_code, upn)
    where e.target_kind = 'estimate' and e.is_current and p.on_roll
),

from_dfe as (
    select t.school_code, t.upn, t.subject_code, 'dfe_a8' as method,
           'DfE A8 estimates ' || e.p8_table || ', KS2 group ' || e.ks2_group as source,
           b.baseline_source,
           case
               when t.ebacc_category in ('english_language', 'english_literature') then e.english_estimate / 2
               when t.ebacc_category = 'maths' then e.maths_estimate / 2
               when t.ebacc_category in ('science', 'combined_science', 'humanities', 'languages')
                   then e.ebacc_estimate / 3
               else e.open_estimate / 3
           end as predicted_points
    from taking t
    join baselines b using (school_code, upn)
    join int_a8_estimate e on e.ks2_group = b.ks2_group
    where t.key_stage = '4' and t.a8_eligible
),

predictions as (
    select * from from_history
    union all by name
    select * from imported
    union all by name
    select * from from_dfe
),

-- The grade on the subject's scale nearest the predicted points (the higher one on a tie).
nearest as (
    select p.school_code, p.upn, p.subject_code, p.method, p.source,
           arg_min(g.label, abs(g.points - p.predicted_points) - g.points / 1e6) as predicted_grade,
           arg_min(g.points, abs(g.points - p.predicted_points) - g.points / 1e6) as predicted_grade_points
    from predictions p
    join dim_subject s using (school_code, subject_code)
    join int_grade_scale g on g.scale_code = s.grade_scale
    group by all
),

final as (
    select p.school_code, p.upn, p.subject_code, p.method, p.source, p.baseline_source,
           n.predicted_grade, n.predicted_grade_points, round(p.predicted_points, 2) as predicted_points
    from predictions p
    join nearest n using (school_code, upn, subject_code, method, source)
)

select * from final
