-- Pupils' participation in intervention programmes.
with participation as (
    select * from stg_interventions
),

final as (
    select
        school_code,
        programme,
        upn,
        subject_code,
        start_date,
        end_date,
        lead
    from participation
)

select * from final
