from .request_context import reset_request_id, set_request_id


class RequestIdMiddleware:
    """Gives each request an id (or keeps the proxy's X-Request-ID) for the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")[:32]
        token = set_request_id(incoming if incoming.isalnum() else None)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        return response
