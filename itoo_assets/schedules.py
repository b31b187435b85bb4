"""Schedules: the nightly (dawn) run of the daily partition that just ended."""

import dagster as dg

from itoo_assets.jobs import nightly_job

nightly_schedule = dg.build_schedule_from_partitioned_job(
    nightly_job, hour_of_day=3, minute_of_hour=0,
    description="03:00 UTC: crawl, clean, embed and rebuild the indexes and recommendation tables for yesterday.")
