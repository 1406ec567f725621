-- Whether every batch ever loaded came from `python -m warehouse demo` (and there is at least one):
-- the only warehouse on which the demo's sign-in without a password may be offered.
select count(*) > 0 and coalesce(bool_and(coalesce(json_extract(options, '$.demo')::boolean, false)), false)
       as all_demo
from batches
