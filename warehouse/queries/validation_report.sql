-- Every expectation run on one batch, failed ones first.
select
    expectation,
    column_name,
    reason,
    success,
    unexpected_count
from validation_results
where batch_id = $batch_id
order by success, unexpected_count desc, column_name
