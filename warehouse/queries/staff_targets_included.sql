-- The newest target set in the tracker that this snapshot's measures include (0: none).
select coalesce(max(id), 0) as through_id from staff_targets
