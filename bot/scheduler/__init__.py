"""Scheduled posts inside `kudos serve`: APScheduler 3 wakes the job; the database decides."""
