"""How the API writes its JSON answers."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class ExactTimes(NinjaJSONEncoder):
    """Times to the microsecond, as they are stored and recorded (Django's encoder cuts them to the
    millisecond): a client acting at a poll's closing time as the API gave it is then not a moment early."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | time):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class JsonRenderer(JSONRenderer):
    encoder_class = ExactTimes
