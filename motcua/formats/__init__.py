"""Formats of the one language (FORMAT_MODULE_PATH): dates and times as Vietnamese readers write them."""
