-- Pupils on roll by year group and school.
select
    school_code,
    year_group,
    count(*) as pupils,
    count(*) filter (where disadvantaged) as disadvantaged,
    count(*) filter (where sen_status <> 'N') as sen,
    count(*) filter (where ks2_average is null) as without_ks2
from dim_pupil
where on_roll
group by school_code, year_group
order by school_code, year_group
