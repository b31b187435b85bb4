"""Sensors: react to new outfit uploads in the app database."""

import dagster as dg

from itoo_assets.jobs import uploads_job
from resources import SqlDatabaseResource


@dg.sensor(job=uploads_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.STOPPED)
def new_uploads_sensor(context: dg.SensorEvaluationContext, app_db: SqlDatabaseResource):
    """Requests one run per batch of pending uploads. The cursor is the highest upload id seen and
    the run key names the batch, so an upload is never processed by two runs."""
    from itoo.app_db import pending_uploads

    after = int(context.cursor or 0)
    pending = pending_uploads(app_db.db().engine, after_id=after, limit=50)
    if not pending:
        return dg.SkipReason(f"no pending uploads after id {after}")
    ids = [u["upload_id"] for u in pending]
    context.update_cursor(str(max(ids)))
    return dg.RunRequest(
        run_key=f"uploads-{ids[0]}-{ids[-1]}",
        run_config={"ops": {"upload_detections": {"config": {"upload_ids": ids}}}},
        tags={"itoo/uploads": ",".join(map(str, ids))},
    )
