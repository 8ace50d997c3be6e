from django.http import HttpResponse


class ServiceUnavailable(HttpResponse):
    status_code = 503

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self["Retry-After"] = "30"
        self["Cache-Control"] = "no-store"
