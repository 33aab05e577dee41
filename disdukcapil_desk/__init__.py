"""Disdukcapil Desk: the staff desk of the civil-registration office of Kabupaten Serang."""

__version__ = "0.1.0"
APP_NAME = "Disdukcapil Desk"
APP_ID = "disdukcapil-desk"
ORG_NAME = "Disdukcapil Kabupaten Serang"
