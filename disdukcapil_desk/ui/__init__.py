"""The Qt window: the only Qt code; it reaches the database only through its session and task
runner.
"""
