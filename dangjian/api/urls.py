from ninja import NinjaAPI

api = NinjaAPI(title="dangjian API", version="1", urls_namespace="api")
