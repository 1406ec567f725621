-- materialise: view
-- Attainment 8 slots filled by each pupil's qualifications (DfE slot rules),
-- one row per qualification or combined-science half placed in a slot:
-- maths       the best maths qualification, double weighted (another goes to open);
-- english     the higher of English language and literature, double weighted
--             only when the pupil has both (else single weighted);
-- ebacc       the best three of the sciences (combined science fills up to two
--             slots, each with its points), computer science, history,
--             geography and languages;
-- open        the best three of what is left: the other English, EBacc
--             subjects not used, and any other approved qualification.
-- Source: DfE, Secondary accountability measures guide (Attainment 8).
with entries as (
    select * from int_ks4_entry where a8_eligible
),

keys as (
    select distinct school_code, upn, assessment_point, basis from entries
),

maths_ranked as (
    select *,
           row_number() over (partition by school_code, upn, assessment_point, basis
                              order by a8_points desc, subject_code) as maths_rank
    from entries where ebacc_category = 'maths'
),

english_ranked as (
    select *,
           row_number() over (partition by school_code, upn, assessment_point, basis
                              order by a8_points desc, ebacc_category) as english_rank,
           -- Double weighting needs both English language and English literature, not two of one.
           count(distinct ebacc_category) over (partition by school_code, upn, assessment_point, basis)
               as english_taken
    from entries where ebacc_category in ('english_language', 'english_literature')
),

-- Combined science is one row per slot it can fill.
ebacc_candidates as (
    select e.*, 1 as part from entries e where ebacc_category in ('science', 'humanities', 'languages')
    union all
    select e.*, unnest([1, 2]) as part from entries e where ebacc_category = 'combined_science'
),

ebacc_ranked as (
    select *,
           row_number() over (partition by school_code, upn, assessment_point, basis
                              order by a8_points desc, subject_code, part) as ebacc_rank
    from ebacc_candidates
),

open_candidates as (
    select school_code, upn, assessment_point, basis, subject_code, a8_points, 1 as part
    from english_ranked where english_rank >= 2
    union all
    select school_code, upn, assessment_point, basis, subject_code, a8_points, 1 as part
    from maths_ranked where maths_rank >= 2
    union all
    select school_code, upn, assessment_point, basis, subject_code, a8_points, part
    from ebacc_ranked where ebacc_rank > 3
    union all
    select school_code, upn, assessment_point, basis, subject_code, a8_points, 1 as part
    from entries
    where coalesce(ebacc_category, 'none') not in
        ('maths', 'english_language', 'english_literature', 'science', 'combined_science', 'humanities', 'languages')
),

open_ranked as (
    select *,
           row_number() over (partition by school_code, upn, assessment_point, basis
                              order by a8_points desc, subject_code, part) as open_rank
    from open_candidates
),

final as (
    select school_code, upn, assessment_point, basis, 'maths' as element, subject_code, a8_points,
           2 as weight
    from maths_ranked where maths_rank = 1
    union all
    select school_code, upn, assessment_point, basis, 'english', subject_code, a8_points,
           case when english_taken >= 2 then 2 else 1 end
    from english_ranked where english_rank = 1
    union all
    select school_code, upn, assessment_point, basis, 'ebacc', subject_code, a8_points, 1
    from ebacc_ranked where ebacc_rank <= 3
    union all
    select school_code, upn, assessment_point, basis, 'open', subject_code, a8_points, 1
    from open_ranked where open_rank <= 3
)

select * from final
