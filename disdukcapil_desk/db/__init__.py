"""The shared database: models, engine, schema and migrations, driver errors; every query in
``repositories``.
"""
