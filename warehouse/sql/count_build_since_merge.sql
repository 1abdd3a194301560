-- Count an incremental build among those since the file's small row groups were last merged, and
-- return the count: 0 when this build is the MERGE_ROW_GROUPS_EVERY-th (it merges them; see
-- warehouse/store.py), so the count starts again.
UPDATE _build_info SET builds_since_merge = (builds_since_merge + 1) % $every
RETURNING builds_since_merge
