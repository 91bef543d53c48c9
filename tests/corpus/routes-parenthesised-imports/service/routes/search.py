from service.endpoint import (
    api,
)

INDEX = {"flash": ["doc-1", "doc-7"], "guard": ["doc-2"]}


@api.post("/search")
async def search(body: dict) -> dict:
    return {"hits": INDEX.get(body["q"].lower(), [])}
