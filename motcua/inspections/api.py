"""The inspections part of the REST API (django-ninja), mounted by motcua.api.router."""
from ninja import Router

router = Router(tags=["inspections"])
