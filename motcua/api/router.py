"""The REST API (django-ninja). Routers only call services; no logic of their own."""
from ninja import NinjaAPI

api = NinjaAPI(title="motcua API", version="1.0", urls_namespace="api")
