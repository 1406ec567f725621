-- Import batches, newest first.
select
    batch_id,
    file_name,
    kind,
    layout,
    status,
    rows_read,
    rows_loaded,
    rows_quarantined,
    message,
    encoding,
    finished_at,
    file_hash
from batches
order by batch_id desc
