-- KS4 headline measures: one row per pupil x assessment point x basis
-- (working_at, predicted, mock, final, target), for pupils in Years 10 and 11.
-- Attainment 8 and its elements from int_a8_slot (empty slots score zero);
-- estimated Progress 8 against the DfE A8 estimates chosen in settings
-- (p8_table), from the KS2 group of the pupil's baseline (baseline_source says
-- whether that is KS2 or the linked alternative baseline): an estimate, since
-- the DfE's own figure uses the national results of the same year.
-- Basics: grade 4 (5) or above in maths and in either English.
-- EBacc: entered in English (language and literature), maths, science
-- (combined science, or three of biology, chemistry, physics, computer science),
-- a humanity and a language; its average point score is the points of the five
-- pillars divided by six: English (the better of the two) only when both are
-- taken; science twice combined science, or the best two single sciences when
-- three are taken; a pillar not entered scores zero.
-- On the final basis the cohort is every pupil with KS4 grades in Year 11 that
-- year: one with no results has a row with Attainment 8 of zero (DfE).
with entries as (
    select * from int_ks4_entry
),

results_points as (
    select distinct school_code, assessment_point, point_sequence, academic_year
    from entries where basis = 'final'
),

final_cohort as (
    select distinct g.school_code, g.upn, r.assessment_point, 'final' as basis,
           r.point_sequence, r.academic_year, 11 as year_group
    from int_ks_grade g
    join results_points r on r.school_code = g.school_code and r.academic_year = g.academic_year
    where g.key_stage = '4' and g.year_group = 11 and g.grade_type = 'working_at'
),

keys as (
    select school_code, upn, assessment_point, basis,
           any_value(point_sequence) as point_sequence,
           any_value(academic_year) as academic_year,
           any_value(year_group) as year_group
    from (
        select school_code, upn, assessment_point, basis, point_sequence, academic_year, year_group from entries
        union all
        select school_code, upn, assessment_point, basis, point_sequence, academic_year, year_group from final_cohort
    )
    group by school_code, upn, assessment_point, basis
),

slots as (
    select school_code, upn, assessment_point, basis,
           coalesce(sum(a8_points * weight) filter (where element = 'english'), 0) as a8_english,
           coalesce(sum(a8_points * weight) filter (where element = 'maths'), 0) as a8_maths,
           coalesce(sum(a8_points) filter (where element = 'ebacc'), 0) as a8_ebacc,
           coalesce(sum(a8_points) filter (where element = 'open'), 0) as a8_open,
           coalesce(max(weight) filter (where element = 'english'), 0) = 2 as english_double_weighted,
           count(*) filter (where element = 'ebacc') as ebacc_slots_filled,
           count(*) filter (where element = 'open') as open_slots_filled
    from int_a8_slot
    group by all
),

pillars as (
    select school_code, upn, assessment_point, basis,
           max(a8_points) filter (where ebacc_category = 'english_language') as english_language,
           max(a8_points) filter (where ebacc_category = 'english_literature') as english_literature,
           max(a8_points) filter (where ebacc_category = 'maths') as maths,
           max(a8_points) filter (where ebacc_category = 'combined_science') as combined_science,
           count(*) filter (where ebacc_category = 'science') as single_sciences,
           -- The best two single sciences, for the EBacc science pillar.
           list_sum(list_slice(list_sort(list(a8_points) filter (where ebacc_category = 'science'), 'DESC'), 1, 2))
               as best_two_sciences,
           max(a8_points) filter (where ebacc_category = 'humanities') as humanities,
           max(a8_points) filter (where ebacc_category = 'languages') as languages,
           -- Grades 4+ and 5+ in qualifications (combined science counts as two), for "5+ including E&M".
           sum(case when a8_points >= 4 then case when ebacc_category = 'combined_science' then 2 else 1 end else 0 end)
               as qualifications_4_plus,
           sum(case when a8_points >= 5 then case when ebacc_category = 'combined_science' then 2 else 1 end else 0 end)
               as qualifications_5_plus,
           count(*) as qualifications
    from entries
    where a8_eligible
    group by all
),

measures as (
    select
        k.*,
        coalesce(s.a8_english, 0) + coalesce(s.a8_maths, 0) + coalesce(s.a8_ebacc, 0) + coalesce(s.a8_open, 0)
            as attainment8,
        coalesce(s.a8_english, 0) as a8_english,
        coalesce(s.a8_maths, 0) as a8_maths,
        coalesce(s.a8_ebacc, 0) as a8_ebacc,
        coalesce(s.a8_open, 0) as a8_open,
        coalesce(s.english_double_weighted, false) as english_double_weighted,
        coalesce(s.ebacc_slots_filled, 0) as ebacc_slots_filled,
        coalesce(s.open_slots_filled, 0) as open_slots_filled,
        coalesce(p.qualifications, 0) as qualifications,
        greatest(p.english_language, p.english_literature) as best_english,
        p.maths,
        coalesce(greatest(p.english_language, p.english_literature) >= 4 and p.maths >= 4, false) as basics_4,
        coalesce(greatest(p.english_language, p.english_literature) >= 5 and p.maths >= 5, false) as basics_5,
        coalesce(p.english_language is not null and p.english_literature is not null
                 and p.maths is not null
                 and (p.combined_science is not null or p.single_sciences >= 3)
                 and p.humanities is not null and p.languages is not null, false) as ebacc_entered,
        round((case when p.english_language is not null and p.english_literature is not null
                    then greatest(p.english_language, p.english_literature) else 0 end
               + coalesce(p.maths, 0)
               + greatest(coalesce(2 * p.combined_science, 0),
                          case when p.single_sciences >= 3 then p.best_two_sciences else 0 end)
               + coalesce(p.humanities, 0)
               + coalesce(p.languages, 0)) / 6.0, 2) as ebacc_aps,
        coalesce(p.qualifications_4_plus >= 5 and greatest(p.english_language, p.english_literature) >= 4
                 and p.maths >= 4, false) as five_plus_4_inc_em,
        coalesce(p.qualifications_5_plus >= 5 and greatest(p.english_language, p.english_literature) >= 5
                 and p.maths >= 5, false) as five_plus_5_inc_em
    from keys k
    left join slots s using (school_code, upn, assessment_point, basis)
    left join pillars p using (school_code, upn, assessment_point, basis)
),

final as (
    select
        m.school_code,
        m.upn,
        m.assessment_point,
        m.academic_year,
        m.point_sequence,
        m.year_group,
        m.basis,
        m.qualifications,
        m.attainment8,
        m.a8_english,
        m.a8_maths,
        m.a8_ebacc,
        m.a8_open,
        m.english_double_weighted,
        m.ebacc_slots_filled,
        m.open_slots_filled,
        b.baseline_source,
        b.ks2_group,
        e.p8_table,
        e.a8_estimate,
        round((m.attainment8 - e.a8_estimate) / 10, 2) as p8_estimate,
        -- Unrounded, for the school's mean P8.
        (m.attainment8 - e.a8_estimate) / 10 as p8_estimate_exact,
        round((m.a8_english - e.english_estimate) / 2, 2) as p8_english,
        round((m.a8_maths - e.maths_estimate) / 2, 2) as p8_maths,
        round((m.a8_ebacc - e.ebacc_estimate) / 3, 2) as p8_ebacc,
        round((m.a8_open - e.open_estimate) / 3, 2) as p8_open,
        m.best_english,
        m.maths as best_maths,
        m.basics_4,
        m.basics_5,
        m.five_plus_4_inc_em,
        m.five_plus_5_inc_em,
        m.ebacc_entered,
        m.ebacc_aps
    from measures m
    left join int_pupil_baseline b using (school_code, upn)
    left join int_a8_estimate e on e.ks2_group = b.ks2_group
)

select * from final
-- Stored in school order: a school's queries then read only its own row groups (docs/scaling.md).
order by school_code, assessment_point, upn
