-- What the sidebar filters offer: one row per school and drop, with the year
-- groups, subjects and custom groups seen there (mart_view_choices), the
-- subjects narrowed to the viewer's scope.
select
    school_code,
    assessment_point,
    academic_year,
    point_sequence,
    point_kind,
    year_groups,
    list_filter(subjects, lambda s: $scope_subjects is null or list_contains($scope_subjects, s.code)) as subjects,
    custom_groups
from mart_view_choices
where $scope_schools is null or list_contains($scope_schools, school_code)
order by school_code, point_sequence
