"""Payloads a tampered checkpoint row might carry: each would call ``detonate`` if it were ever rebuilt."""

from __future__ import annotations

import pickle

import ormsgpack
from langgraph.checkpoint.serde.jsonplus import EXT_CONSTRUCTOR_POS_ARGS

DETONATED: list[str] = []


def detonate(*args):
    DETONATED.append("ran")
    return "boom"


class Pickled:
    def __reduce__(self):
        return detonate, ("pickle",)


def pickled() -> bytes:
    return pickle.dumps(Pickled())


def constructor_call() -> ormsgpack.Ext:
    """Msgpack's extension that tells the serializer to import and call ``tests.tampering.detonate``."""
    return ormsgpack.Ext(EXT_CONSTRUCTOR_POS_ARGS, ormsgpack.packb((__name__, "detonate", ["msgpack"])))
