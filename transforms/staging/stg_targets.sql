-- Targets and estimates: every setting is kept (a history, not an overwrite).
with source as (
    select * from raw_targets
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by school_code, upn, subject_code, target_kind, source, set_on
        order by _batch_id desc, _row_number desc
    ) = 1
),

final as (
    select
        school_code,
        upn,
        subject_code,
        target_kind,
        grade,
        source as target_source,
        set_by,
        cast(set_on as date) as set_on,
        reason,
        _batch_id as batch_id
    from latest
)

select * from final
