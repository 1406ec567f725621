-- Grade scales with numbers as numbers (ref_grade_scales is text, as seeded).
select
    scale_code,
    scale_name,
    kind,
    cast(rank as integer) as scale_rank,
    label,
    cast(points as double) as points,
    cast(nullif(a8_points, '') as double) as a8_points,
    cast(grade_width as double) as grade_width,
    cast(sublevel_width as double) as sublevel_width
from ref_grade_scales
