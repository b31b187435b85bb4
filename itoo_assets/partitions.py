"""The daily partitions of itoo: one partition per crawl day, as the paper's system works daily
(new catalogue items, the dawn index rebuild, recommendation tables)."""

import dagster as dg

from itoo_assets.settings import START_DATE

daily_partitions = dg.DailyPartitionsDefinition(start_date=START_DATE, end_offset=0)
