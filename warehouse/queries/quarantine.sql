-- Rows held back by validation, with the reason; one batch or all ($batch_id null).
select
    q.batch_id,
    q.file_name,
    q.row_number,
    q.column_name,
    q.value,
    q.reason,
    q.record
from quarantine q
where cast($batch_id as integer) is null or q.batch_id = cast($batch_id as integer)
order by q.batch_id desc, q.row_number, q.column_name
