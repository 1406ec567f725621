-- Pupils with everything groups are made from: the standard subgroups, the
-- prior-attainment band (DfE bands on KS2: below 100 low, 100 to below 110
-- middle, 110 and above high; for pupils without KS2, the band of their linked
-- alternative baseline, with baseline_source = 'alternative'), and the school's
-- custom groups as a list.
select
    p.school_code,
    p.upn,
    p.pupil_name,
    p.surname,
    p.forename,
    p.gender,
    p.year_group,
    p.year_group_academic_year,
    p.ks4_academic_year,
    p.tutor_group,
    p.on_roll,
    p.disadvantaged,
    p.pupil_premium,
    p.fsm,
    p.sen_status,
    p.eal,
    p.ethnicity,
    p.looked_after,
    p.more_able,
    p.ks2_reading,
    p.ks2_maths,
    p.ks2_average,
    p.alternative_baseline,
    b.baseline_source,
    round(b.baseline_ks2, 2) as baseline_ks2,
    b.baseline_band as prior_attainment_band,
    b.ks2_group,
    coalesce(list_filter(list_transform(string_split(p.custom_groups, ';'), lambda g: trim(g)), lambda g: g <> ''), [])
        as custom_groups,
    -- The pupil's place in their school's list by name, as the pages list pupils: a number sorts thousands
    -- of rows (a school's pupils x subjects) in a fraction of the time three columns of text take.
    row_number() over (partition by p.school_code order by p.surname, p.forename, p.upn) as name_order
from dim_pupil p
left join int_pupil_baseline b using (school_code, upn)
-- Stored in school order: a school's queries then read only its own row groups (docs/scaling.md).
order by school_code, upn
