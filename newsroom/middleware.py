"""Security headers that Django's SecurityMiddleware does not send by itself."""

# Scripts and styles only from our own static files: no inline <script>, no inline style
# attributes, no CDN. The admin needs nothing more (its scripts are all external files).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header unless a view has set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class ArabicFirstMiddleware:
    """Serve Arabic unless the reader chose English with the language switch.

    Newsroom machines often run English browsers; their Accept-Language header must not turn
    an Arabic-first tool into an English one. The switch's choice (a cookie) still decides.
    Place before LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
