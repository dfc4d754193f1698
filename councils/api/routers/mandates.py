from ninja import Router

router = Router(tags=["mandates"])
