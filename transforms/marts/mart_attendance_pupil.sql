-- Attendance: one row per pupil x academic year, by the DfE definitions.
-- Counted from register marks, and from imported summaries for the periods the
-- marks do not cover (int_attendance_summary_used says which summaries count). Possible sessions exclude the
-- codes that are not possible sessions (e.g. X, Y, Z, #, D, and Q and Y1-Y7
-- from August 2024); present includes approved educational activity (B, J/K,
-- P, V, W) and late before registers closed (L); absence is authorised plus
-- unauthorised. persistent_absent: absence >= 10% of possible sessions
-- (includes severe); severe_absent: absence >= 50%.
with marks as (
    select
        school_code, upn, academic_year,
        'register marks' as counted_from,
        min(session_date) as from_date,
        max(session_date) as to_date,
        count(*) filter (where is_possible) as possible_sessions,
        count(*) filter (where is_present) as present_sessions,
        count(*) filter (where is_authorised_absence) as authorised_absence_sessions,
        count(*) filter (where is_unauthorised_absence) as unauthorised_absence_sessions
    from fct_attendance_session
    group by school_code, upn, academic_year
),

summaries as (
    select
        school_code, upn, academic_year,
        'summaries' as counted_from,
        from_date,
        to_date,
        possible_sessions,
        present_sessions,
        authorised_absence_sessions,
        unauthorised_absence_sessions
    from int_attendance_summary_used
),

counted as (
    select
        school_code, upn, academic_year,
        string_agg(distinct counted_from, ' and ' order by counted_from) as counted_from,
        min(from_date) as from_date,
        max(to_date) as to_date,
        cast(sum(possible_sessions) as bigint) as possible_sessions,
        cast(sum(present_sessions) as bigint) as present_sessions,
        cast(sum(authorised_absence_sessions) as bigint) as authorised_absence_sessions,
        cast(sum(unauthorised_absence_sessions) as bigint) as unauthorised_absence_sessions
    from (select * from marks union all by name select * from summaries)
    group by school_code, upn, academic_year
),

final as (
    select
        school_code,
        upn,
        academic_year,
        counted_from,
        from_date,
        to_date,
        possible_sessions,
        present_sessions,
        authorised_absence_sessions,
        unauthorised_absence_sessions,
        authorised_absence_sessions + unauthorised_absence_sessions as absence_sessions,
        round(100.0 * present_sessions / nullif(possible_sessions, 0), 1) as attendance_pct,
        round(100.0 * (authorised_absence_sessions + unauthorised_absence_sessions)
              / nullif(possible_sessions, 0), 1) as absence_pct,
        coalesce(10 * (authorised_absence_sessions + unauthorised_absence_sessions) >= possible_sessions
                 and possible_sessions > 0, false) as persistent_absent,
        coalesce(2 * (authorised_absence_sessions + unauthorised_absence_sessions) >= possible_sessions
                 and possible_sessions > 0, false) as severe_absent
    from counted
)

select * from final
-- Stored in school order: a school's queries then read only its own row groups (docs/scaling.md).
order by school_code, academic_year, upn
